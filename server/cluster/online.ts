/**
 * Who is online in a cluster: a user with a session on a live connection on any node. Redis
 * keeps the directory (`P:on`, user -> node), and each change is published to every node in the
 * same step (Lua), so every node keeps the whole directory in memory and answers `isOnline` at
 * once, as the presence feed and `onlineUserOnly` delivery need.
 *
 * A node tells only about its own users, and only when their state here changes; a user going
 * from node A to node B is online at B before A says it is gone, and A's word (which names A)
 * then changes nothing. A node starting, or back after losing Redis, subscribes, then reads the
 * directory and replays what arrived meanwhile; it writes its own users again (what it said
 * while Redis was away was lost). A node found dead loses its users (see `node.ts`).
 */
import type { Redis } from 'ioredis';
import type { OnlineUsers } from '../presence';
import { settleEach } from './shutdown';

const SAY = `
if ARGV[3] == '1' then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
elseif redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
  redis.call('HDEL', KEYS[1], ARGV[1])
end
redis.call('PUBLISH', ARGV[4], cjson.encode({t = 'online', user = ARGV[1], node = ARGV[2], on = ARGV[3] == '1'}))
return 1`;

type SayCommand = (directory: string, user: string, node: string, on: '1' | '0', channel: string) => Promise<number>;

/** A change of the directory as it travels. */
export interface OnlineFrame {
  readonly t: 'online';
  readonly user: string;
  readonly node: string;
  readonly on: boolean;
}

export function isOnlineFrame(m: Record<string, unknown>): m is OnlineFrame & Record<string, unknown> {
  return m.t === 'online' && typeof m.user === 'string' && typeof m.node === 'string' && typeof m.on === 'boolean';
}

export interface OnlineDeps {
  readonly redis: Redis;
  readonly prefix: string;
  readonly node: string;
  lost(what: string, error: unknown): void;
  /** Counts a frame published to the other nodes. */
  published(): void;
}

/** The cluster's directory of users online, as this node sees it. */
export class ClusterOnline {
  /** Users online on other nodes, and where. */
  private readonly elsewhere = new Map<string, string>();
  /** Users this node said are online here. */
  private readonly said = new Set<string>();
  private here: (userID: string) => boolean = () => false;
  private listener: (userID: string) => void = () => undefined;
  private buffer: OnlineFrame[] | null = [];
  /** A failed {@link load} is tried again after 1 s, frames still buffered, until one succeeds or {@link release}. */
  private retry: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  /** Users gone from here whose going Redis has not answered (sent, or failed). */
  private readonly unsaid = new Set<string>();
  private readonly say: SayCommand;
  private readonly key: string;

  constructor(private readonly deps: OnlineDeps) {
    deps.redis.defineCommand('hcOnline', { numberOfKeys: 1, lua: SAY });
    this.say = (deps.redis as unknown as { hcOnline: SayCommand }).hcOnline.bind(deps.redis);
    this.key = `${deps.prefix}:on`;
  }

  /**
   * The {@link OnlineUsers} of the presence feed: `here` tells whether a user is online on this
   * node; `changed` hears of users coming and going elsewhere (first of those known now).
   */
  users(here: (userID: string) => boolean, changed: (userID: string) => void): OnlineUsers {
    this.here = here;
    this.listener = changed;
    const known = [...this.elsewhere.keys()];
    queueMicrotask(() => {
      for (const user of known) changed(user);
    });
    return {
      isOnline: (userID) => this.isOnline(userID),
      changedHere: (userID) => this.changedHere(userID),
    };
  }

  isOnline(userID: string): boolean {
    return this.here(userID) || this.elsewhere.has(userID);
  }

  /** The node `userID` is online on, when it is another one. */
  nodeOf(userID: string): string | undefined {
    return this.here(userID) ? undefined : this.elsewhere.get(userID);
  }

  /** The other nodes with users online (for the liveness check). */
  nodes(): Set<string> {
    return new Set(this.elsewhere.values());
  }

  /** A frame from another node (its own come back too, and are ignored). */
  receive(frame: OnlineFrame): void {
    if (frame.node === this.deps.node) return;
    if (this.buffer) this.buffer.push(frame);
    else this.apply(frame);
  }

  /** Redis is gone: frames wait for the next {@link load}. */
  hold(): void {
    this.buffer ??= [];
  }

  /** Reads the directory (subscribed already), replays what arrived meanwhile, writes this node's users again. */
  async load(): Promise<void> {
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    this.hold();
    const { redis, node } = this.deps;
    try {
      // Said again, published too: nodes that counted this one dead meanwhile forgot its users.
      await Promise.all([...this.said].map((user) => this.say(this.key, user, node, '1', `${this.deps.prefix}:all`)));
      const all = await redis.hgetall(this.key);
      const before = new Map(this.elsewhere);
      this.elsewhere.clear();
      const stale: string[] = [];
      for (const [user, at] of Object.entries(all)) {
        if (at !== node) this.elsewhere.set(user, at);
        else if (!this.said.has(user)) stale.push(user); // this node's, from before it restarted
      }
      for (const user of stale) void this.say(this.key, user, node, '0', `${this.deps.prefix}:all`).catch((e: unknown) => this.deps.lost('online', e));
      for (const user of new Set([...before.keys(), ...this.elsewhere.keys()])) if (before.get(user) !== this.elsewhere.get(user)) this.listener(user);
    } catch (error) {
      // Redis went again: read again soon; what arrived meanwhile stays buffered until then.
      this.deps.lost('online load', error);
      if (!this.stopped) {
        if (this.retry) clearTimeout(this.retry);
        this.retry = setTimeout(() => void this.load(), 1000);
        this.retry.unref();
        return;
      }
    }
    const buffered = this.buffer ?? [];
    this.buffer = null;
    for (const frame of buffered) this.apply(frame);
  }

  /** `node` is gone for good: its users are offline (here, and in Redis); returns them. */
  forgetNode(node: string): string[] {
    const gone = [...this.elsewhere].filter(([, at]) => at === node).map(([user]) => user);
    for (const user of gone) {
      this.elsewhere.delete(user);
      this.listener(user);
      void this.say(this.key, user, node, '0', `${this.deps.prefix}:all`).catch((e: unknown) => this.deps.lost('online', e));
    }
    return gone;
  }

  /** Shutting down: this node's users are offline. */
  async release(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    // Its users, and those whose going Redis has not answered yet (a going that failed would stay for good). Those
    // said leave the set: tried again (Redis failed it part of the way: `shutdown.ts`), it says the rest.
    for (const user of this.said) this.unsaid.add(user);
    this.said.clear();
    await settleEach(this.unsaid, (user) => this.say(this.key, user, this.deps.node, '0', `${this.deps.prefix}:all`));
  }

  private changedHere(userID: string): void {
    const on = this.here(userID);
    if (on === this.said.has(userID)) return;
    if (on) this.said.add(userID);
    else this.said.delete(userID);
    // A user gone from here is unsaid until Redis answers: a node shutting down says it again (`release`).
    if (on) this.unsaid.delete(userID);
    else this.unsaid.add(userID);
    this.deps.published();
    this.say(this.key, userID, this.deps.node, on ? '1' : '0', `${this.deps.prefix}:all`).then(
      () => void (on || this.said.has(userID) || this.unsaid.delete(userID)),
      (error: unknown) => this.deps.lost('online', error),
    );
  }

  private apply(frame: OnlineFrame): void {
    // Another node's going of a user online here: its "online" may have landed after ours (an older login handled
    // last, a write on a stalled socket) and named it, and its going then deleted the user's entry. Said again.
    if (!frame.on && this.said.has(frame.user) && !this.stopped) {
      this.deps.published();
      void this.say(this.key, frame.user, this.deps.node, '1', `${this.deps.prefix}:all`).catch((e: unknown) => this.deps.lost('online', e));
    }
    const prior = this.elsewhere.get(frame.user);
    if (frame.on) this.elsewhere.set(frame.user, frame.node);
    else if (prior === frame.node) this.elsewhere.delete(frame.user);
    else return;
    if (prior !== this.elsewhere.get(frame.user)) this.listener(frame.user);
  }
}
