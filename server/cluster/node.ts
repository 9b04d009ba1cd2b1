/**
 * One node of a cluster: the embedded server's processes sharing one Redis. What moves to Redis
 * (keys under the service's prefix `P`):
 *
 * - Directory `P:d:<user>` (hash: node, token, epoch, claimed, sig, resumed, ended). Before a login is handled the
 *   node takes the user's next epoch; after it, it claims the user with that epoch, and Redis
 *   tells the node that held the user (`takeover` on that node's channel), which kicks its
 *   session, or hands it over silently when the login resumes it (the same client moved). An
 *   older epoch never overrides a newer one, so two logins racing on two nodes end with the later.
 *   A kicked session's token (`P:s:<user>`, the user's newest 256, a week) and userSig (`P:k:<user>`, her newest 16,
 *   until her session ends) log in no more, on any node: the hub's kicked-userSig rule (`scripts.ts`).
 * - Routing: one pub/sub channel per node (`P:n:<node>`) and one for all (`P:all`). Per node, not
 *   per user: a node subscribes once at start instead of at every login (no subscribe churn, and
 *   Redis holds N channels, not one per user), and one publisher connection per node keeps the
 *   order of everything one node sends another, so the order per sender-recipient pair holds.
 * - Offline store: a stream per recipient (`P:i:<user>`), within the store's quotas: `mailbox.ts`.
 * - Rooms (`P:r:<room>`, `P:said`): `rooms.ts`. Grants and groups, their histories (`P:h:...`) and how
 *   a node joining or coming back catches up: `replica.ts`. Budgets: `budgets.ts`, `budgetAsks.ts`. After a blip:
 *   `rejoin.ts`. The login gate: `gate.ts`. What it does with the frames the other nodes publish: `inbound.ts`.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { TurnCommit } from '../commit';
import type { Conn } from '../conn';
import type { RoomGrants } from '../grants';
import type { Hub, HubCluster } from '../hub';
import type { Rooms } from '../rooms';
import type { Session } from '../session';
import type { Logger, ResolvedOptions } from '../options';
import { BudgetAsks } from './budgetAsks';
import { ClusterBudgets } from './budgets';
import { ClusterGrants, type GrantOp } from './grants';
import { ClusterGroupStore, type GroupOp } from './groups';
import { compactedOf } from './compaction';
import { DeadNodes } from './deadNodes';
import { HeldId, type NodeIdLost } from './nodeId';
import type { GroupStore } from '../groups';
import type { LoginPeek } from './frames';
import { type GateIntake, LoginGate, type Prepared, type Verdict } from './gate';
import { type Inbound, receiveFrame } from './inbound';
import { StreamMailbox } from './mailbox';
import { ClusterRooms, loadRooms, readRooms, type RelayEvent, type RoomEvent, saidKey, type Vacate, writeRoomEvent } from './rooms';
import { type Change, Replica } from './replica';
import { Rejoin } from './rejoin';
import { Revocations } from './revocations';
import { ClusterOnline } from './online';
import type { OnlineUsers } from '../presence';
import type { Body, Store } from '../store';
import { connectRedis, type Scripted, shownUrl } from './scripts';
import { HAND_BACK_MS, done, handBack, settleEach } from './shutdown';
import type { ClusterMetrics } from './metrics';

/** How often a node says it is alive, and how long that lasts. */
const HEARTBEAT_MS = 1000;
const ALIVE_MS = 3500;
/** A directory entry outlives its last login by this much. */
const DIRECTORY_TTL_MS = 7 * 86_400_000;
/** How long a refusal waits for this node to catch up with Redis before it is answered as it stands. */
const RECHECK_MS = 1000;

/** One node: its Redis connections, the parts the hub runs on, and the login gate. */
export class ClusterNode {
  readonly node: string;
  readonly budgets: ClusterBudgets;
  private readonly prefix: string;
  private readonly channel: string;
  private grants: ClusterGrants | null = null;
  private rooms: ClusterRooms | null = null;
  private groups: ClusterGroupStore | null = null;
  private hub: Hub | null = null;
  private store: Store | null = null;
  private commit: TurnCommit | null = null;
  private readonly epochs = new Map<string, number>();
  /** Logins whose claim Redis refused or failed: claimed again at the next heartbeat (else never named in the directory). */
  private readonly unclaimed = new Map<string, { readonly session: Session; readonly epoch: number }>();
  private up = false;
  /** The next heartbeat says 'ok' (the first, or one after a lapse was read): `hcBeat`, `scripts.ts`. */
  private resetBeat = true;
  private closing = false;
  private readonly channels = () => [`${this.channel}${this.node}`, `${this.prefix}:all`];
  private readonly live = (redis: Redis) => !this.closing && this.hub !== null && redis.status === 'ready';
  private readonly rejoin = new Rejoin(() => this.live(this.redis), () => this.catchUp(), (what, e) => this.lost(what, e), () => this.sub.subscribe(...this.channels()), () => this.live(this.sub));
  private timer: ReturnType<typeof setInterval> | null = null;
  private flushTimer: ReturnType<typeof setInterval> | null = null;
  private readonly counts = { forwarded: 0, drained: 0, parked: 0, recounts: 0, recountsOff: 0, published: 0, received: 0, takeovers: 0, refusedLogins: 0, catchUps: 0, rechecks: 0, sharesDropped: 0 };
  private readonly mailbox: StreamMailbox;
  private readonly replica: Replica;
  private readonly directory: ClusterOnline;
  private readonly loginGate: LoginGate;
  private readonly asks: BudgetAsks;
  private readonly revocations: Revocations;
  private readonly deadNodes: DeadNodes;
  private readonly id: HeldId;

  private constructor(
    private readonly options: ResolvedOptions,
    private readonly logger: Logger,
    private readonly redis: Scripted,
    private readonly sub: Redis,
    lostId: (error: NodeIdLost) => void,
  ) {
    this.node = options.nodeId || randomBytes(4).toString('hex');
    this.prefix = options.clusterPrefix;
    // Its id lost (`nodeId.ts`): no more beats, logins or catch-ups (its connections to Redis closed), and the server stops.
    this.id = new HeldId({ redis, sub, prefix: this.prefix, node: this.node, token: randomBytes(8).toString('hex'), aliveMs: ALIVE_MS, now: () => performance.now(), logger, lose: (error) => ((this.closing = true), lostId(error)) });
    this.channel = `${this.prefix}:n:`;
    // Redis away: the user stays dirty, written once it is back (a flood of refusals is not a failed write and a line each).
    this.budgets = new ClusterBudgets(options.limits, (user) => void (this.redis.status === 'ready' && this.saveBudgets(user)));
    this.asks = new BudgetAsks(this.node, this.budgets, () => options.clock.now(), (node, frame) => void this.publish(node, frame), options.budgetAskMs);
    this.mailbox = new StreamMailbox({
      redis,
      channel: this.channel,
      clock: options.clock,
      limits: options.limits,
      counts: this.counts,
      key: (kind, id) => this.key(kind, id),
      lost: (what, error) => this.lost(what, error),
    });
    this.replica = new Replica({
      redis,
      prefix: this.prefix,
      node: this.node,
      clock: options.clock,
      apply: (change: Change) => (change.t === 'grant' ? this.grants?.apply(change as unknown as GrantOp) : this.groups?.apply(change as unknown as GroupOp)),
      lost: (what, error) => this.lost(what, error),
      published: () => this.counts.published++,
      warn: (message, fields) => this.logger.warn(message, fields),
      error: (message, fields) => this.logger.error(message, fields),
      dropped: () => this.counts.sharesDropped++,
      compacted: (t, id) => compactedOf({ grants: this.grants, groups: this.groups }, t, id, options.clock.now()),
    });
    this.loginGate = new LoginGate({
      options,
      logger,
      counts: this.counts,
      healthy: () => this.healthy,
      prepare: (login) => this.prepare(login),
      loggedIn: (session, login, prepared) => this.loggedIn(session, login, prepared),
    });
    this.revocations = new Revocations({ redis, node: this.node, key: (kind, id) => this.key(kind, id), ttlMs: DIRECTORY_TTL_MS, lost: (what, error) => this.lost(what, error) });
    this.deadNodes = new DeadNodes({ redis, prefix: this.prefix, node: this.node, graceMs: options.roomGraceMs, logger });
    this.directory = new ClusterOnline({
      redis,
      prefix: this.prefix,
      node: this.node,
      lost: (what, error) => this.lost(what, error),
      published: () => this.counts.published++,
    });
  }

  /**
   * Connects to Redis (both connections) and subscribes; rejects when Redis cannot be reached, or with `NodeIdTaken`
   * while a live node runs with this node's id (`nodeId.ts`). `lostId`: once running, another process took its id (it stopped).
   */
  static async connect(options: ResolvedOptions, logger: Logger, lostId: (error: NodeIdLost) => void = () => undefined): Promise<ClusterNode> {
    const { redis, sub } = await connectRedis(options.redisUrl);
    const node = new ClusterNode(options, logger, redis, sub, lostId);
    try {
      await node.start();
    } catch (error) {
      for (const connection of [redis, sub]) connection.disconnect();
      throw error;
    }
    return node;
  }

  /** The parts the hub is built with. */
  hubParts(): HubCluster {
    return {
      budgets: this.budgets,
      grants: (local: RoomGrants) =>
        (this.grants = new ClusterGrants(local, (op, ttl, claim) => this.replica.send({ t: 'grant', node: this.node, ...op }, ttl, claim), this.options.limits.roomIdleMs, {
          ready: () => this.healthy,
          caughtUp: () => this.replica.caughtUp(RECHECK_MS),
          refusedEverywhere: (roomID, v) => this.replica.forgetRefusedClaim(roomID, v),
          clock: this.options.clock,
          stem: `${this.node}.${randomBytes(4).toString('hex')}`,
        })),
      groupStore: (local: GroupStore) =>
        (this.groups = new ClusterGroupStore(local, (op) => this.replica.send({ t: 'group', node: this.node, ...op }), () => this.commit?.flush())),
      rooms: (grants: RoomGrants, now: () => number): Rooms =>
        (this.rooms = new ClusterRooms(grants, now, {
          node: this.node,
          roomEvent: (event: RoomEvent, vacate?: Vacate) => writeRoomEvent(this.redis, this.prefix, event, this.counts, (error) => this.lost('room event', error), vacate),
          said: () => this.redis.sadd(saidKey(this.prefix), this.node),
          relay: (node: string, event: RelayEvent) => void this.publish(node, event),
          afterGrace: (fn: () => void) => void this.options.clock.setTimeout(fn, this.options.roomGraceMs),
          epoch: (user: string) => this.epochs.get(user),
        })),
      // Called while the copy is being routed, before it is written: the move starts after the
      // handler (a microtask) and reads the store once the turn's commit is done (Mailbox.forwardNow).
      absent: (user: string) => this.mailbox.forward(user),
      loggedIn: (user: string) => this.mailbox.loggedIn(user), // settles however the take-in ended (`chain` catches)
      // The user's session here ended: what this node kept for it goes (its epoch, its position in its stream):
      // a later login takes both afresh from Redis. Its directory entry stays (but its token): the next login's
      // claim overwrites it, and a node it names with no session for the user leaves what is announced to it in
      // the stream. Not kicked, the userSigs its login superseded log in again (`revocations.ts`); kicked, the
      // user's newer session lives, and they stay refused. Settles once Redis answered.
      ended: (session: Session, superseded: boolean) => {
        const user = session.userID;
        this.epochs.delete(user);
        this.leaving(user);
        void this.mailbox.forget(user);
        return superseded ? Promise.resolve() : this.revocations.ended(user, session.token);
      },
      superseded: (session: Session) => this.revocations.supersede(session),
      remoteHeld: this.mailbox.holdings,
      elsewhere: (user: string, copy: Body) => {
        const node = this.directory.nodeOf(user);
        return node === undefined ? false : this.publish(node, { t: 'online-copy', user, copy });
      },
    };
  }

  /** Who is online in the whole cluster, for the presence feed (`here`: online on this node). */
  online(here: (userID: string) => boolean, changed: (userID: string) => void): OnlineUsers {
    return this.directory.users(here, changed);
  }

  /** Binds the node to its server's hub, store and commit (once they exist), and loads the rooms. */
  async attach(hub: Hub, store: Store, commit: TurnCommit): Promise<void> {
    this.hub = hub;
    this.store = store;
    this.commit = commit;
    this.mailbox.attach(hub, store, commit);
    await loadRooms(this.redis, this.prefix, this.rooms);
    await this.redis.sadd(saidKey(this.prefix), this.node); // it has no member yet: all said
    // Grants and groups made before this node started (buffered since it subscribed); who is online.
    await Promise.all([this.replica.load(), this.directory.load()]);
    // Copies this node stored for users it does not hold (a restart after a crash): on their way.
    for (const user of store.backlogs().keys()) void this.mailbox.forward(user);
  }

  /** True when Redis answers (the node takes logins). */
  get healthy(): boolean {
    return this.up && !this.closing && this.redis.status === 'ready' && this.sub.status === 'ready';
  }

  /** `/healthz`: throws when the node cannot serve (Redis unreachable). */
  check(): void {
    if (!this.healthy) throw new Error(this.closing ? 'node shutting down' : `Redis unreachable (${shownUrl(this.options.redisUrl)})`);
  }

  metrics(): ClusterMetrics {
    return { node: this.node, redisUp: this.healthy ? 1 : 0, clusterRooms: this.rooms?.clusterSize ?? 0, userEntries: this.epochs.size + this.mailbox.users, heldEntries: this.mailbox.holdings.size, strandedUsers: this.mailbox.strandedUsers, redisWaiting: this.redis.commandQueue.length + this.sub.commandQueue.length, rejoining: this.rejoin.behindNow ? 1 : 0, moving: this.mailbox.moving, ...this.counts };
  }

  /** The connection's frames, in order, a login looked up in Redis first (`gate.ts`). */
  gate(conn: Conn, data: Buffer, isBinary: boolean, intake: GateIntake): void {
    this.loginGate.gate(conn, data, isBinary, intake);
  }

  /**
   * A refusal a change this node has not heard yet may undo (`Dispatcher`, `UNHEARD`): `again` decides it once the
   * node has what Redis had when asked (at most {@link RECHECK_MS} later), the connection's next frames behind it.
   * `wait`: what it waits for instead (a claim ordered in Redis, `ClusterGrants.inOrder`).
   */
  recheck(conn: Conn, intake: GateIntake, again: () => void, wait?: Promise<void>): void {
    this.counts.rechecks++;
    this.loginGate.hold(conn, wait ?? this.replica.caughtUp(RECHECK_MS), again, intake);
  }

  /** Shutting down: `/healthz` says 503, logins are refused; settles once it read whose its id is, before its sessions end (`nodeId.ts`). */
  async stopTakingLogins(): Promise<void> {
    this.closing = true;
    await this.id.check(HAND_BACK_MS + ALIVE_MS).catch(() => undefined); // the key outlives the hand-back
  }

  /** Graceful end: what this node stored for others goes to their streams, its users are released (`shutdown.ts`). */
  async close(): Promise<void> {
    this.closing = true;
    this.revocations.stop();
    for (const timer of [this.timer, this.flushTimer]) if (timer) clearInterval(timer);
    this.mailbox.stop();
    this.replica.stop();
    const spent = new Set([...this.budgets.takeDirty(), ...this.budgets.spent(this.options.clock.now())]);
    const users = new Set(this.epochs.keys());
    if (this.id.lost) return; // another process's id now (`nodeId.ts`): everything under it is that one's
    const steps = [
      // The moves under way first (within the bound: a stalled Redis answers them at their timeout), then what is left.
      { what: 'copies', run: async () => (await this.mailbox.settled(), settleEach(new Set(this.store?.backlogs().keys()), async (user) => done(await this.mailbox.moveAway(user), `copies for ${user}`))) },
      { what: 'budgets', run: () => settleEach(spent, async (user) => done(await this.saveBudgets(user), `budgets of ${user}`)) },
      { what: 'users', run: () => settleEach(users, (user) => this.redis.hcRelease(this.key('d', user), this.node)) },
      { what: 'online', run: () => this.directory.release() },
      // Its changes resent no more (`Replica.idle`): only then may the record of those Redis ran (`P:ran`) go. Not settled
      // within the bound, the heartbeat step is not started (the keys expire); one sent after all keeps `P:ran`.
      { what: 'changes', run: () => this.replica.idle() },
      { what: 'heartbeat', run: () => this.id.drop(saidKey(this.prefix), this.replica.sending ? null : this.replica.ran) },
    ];
    const left = await handBack(this.redis, steps, this.hub ? HAND_BACK_MS : 0); // a node whose start failed waits for no Redis
    if (left.length > 0) this.logger.error('cluster: could not hand everything back to Redis', { left: left.map((l) => l.what).join(','), error: String(left[0]?.error) });
    this.sub.disconnect();
    this.redis.disconnect();
  }

  /**
   * Periodic upkeep (every second): heartbeat, nodes gone past the grace period (`deadNodes.ts`). On a
   * real-time interval, not the injected clock: the heartbeat's expiry runs on Redis's clock.
   */
  private async tick(): Promise<void> {
    if (this.closing) return;
    try {
      const beat = await this.id.beat(this.resetBeat);
      if (beat === 'taken') return; // the id lost (`nodeId.ts`): the node stopped
      this.resetBeat = beat === 'lapsed';
      // Lapsed (a Redis too slow to answer, a stalled loop): the others may have taken this node for gone and forgotten
      // its members, users and mark in P:said, which it would never say again; it says them again (`catchUp`).
      if (beat === 'lapsed') this.rejoin.lost(false);
      this.up = true;
      void this.rejoin.run(); // after losing Redis, once both connections are back
      if (this.revocations.waiting > 0) void this.revocations.retry().catch(() => undefined);
      for (const [user, { session, epoch }] of this.unclaimed) {
        this.unclaimed.delete(user);
        if (this.hub?.session(user) === session && this.epochs.get(user) === epoch) void this.claim(session, epoch, '');
      }
      if (this.rooms) await this.deadNodes.check(this.rooms, this.directory, this.options.clock.now());
    } catch {
      this.up = false;
    }
  }

  private async start(): Promise<void> {
    // Its id first: nothing of it is read, heard or written while a live node runs with it. Real time (Redis's TTL).
    const pause = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));
    await this.id.claim(HEARTBEAT_MS / 4, pause);
    const { node, logger, counts, epochs, mailbox, replica, asks, directory } = this;
    const to: Inbound = { node, logger, counts, epochs, mailbox, replica, asks, directory, rooms: () => this.rooms, hub: () => this.hub, letGo: (user, resume) => this.letGo(user, resume) };
    this.sub.on('message', (_channel: string, text: string) => receiveFrame(text, to));
    await this.sub.subscribe(...this.channels());
    // Back after losing Redis: what was published meanwhile is lost to this node; it catches up (`Rejoin`).
    this.sub.on('close', () => {
      this.rejoin.lost(true);
      this.replica.hold();
      this.directory.hold();
      this.mailbox.unsubscribed();
    });
    this.sub.on('ready', () => void this.rejoin.renew());
    this.redis.on('ready', () => void this.tick());
    this.redis.on('close', () => {
      this.up = false;
      this.rejoin.lost(false);
    });
    await this.tick();
    if (this.id.lost) throw this.id.lost;
    this.timer = setInterval(() => void this.tick(), HEARTBEAT_MS);
    this.timer.unref();
    this.flushTimer = setInterval(() => {
      // Not while Redis is away (each write would fail at once, and be logged): what failed is still dirty.
      if (this.redis.status === 'ready') for (const user of this.budgets.takeDirty()) void this.saveBudgets(user);
    }, ClusterBudgets.flushMs);
    this.flushTimer.unref();
  }

  /** Back on Redis: users claimed again (taken over meanwhile: kicked; released: ours again), what we missed read again. */
  private async catchUp(): Promise<void> {
    await Promise.all([...this.epochs].map(([user, epoch]) => this.hub?.session(user) && this.claim(this.hub.session(user) as Session, epoch, '', true)));
    await this.rooms?.rejoin(() => readRooms(this.redis, this.prefix));
    await Promise.all([this.replica.load(), this.directory.load(), this.mailbox.resync()]);
    await this.revocations.retry(); // kicks not answered yet, then what sessions that ended meanwhile superseded
    this.counts.catchUps++;
  }

  /** `user`'s session here goes to a later login elsewhere (kicked, or handed over if that login resumed it). */
  private letGo(user: string, resume: string | undefined): void {
    this.counts.takeovers++;
    this.leaving(user); // a handover ends no session here (`ended`): its buckets go now
    this.hub?.takenOver(user, resume); // a kick says so in Redis (`superseded`)
    void this.mailbox.forward(user);
    void this.mailbox.forget(user); // a handover ends no session here (`ended`), and the user is gone
  }

  /**
   * Before a login: its epoch, whether its token or userSig was superseded by a later login (on any
   * node: the hub's kicked-userSig rule across the cluster), its budgets (Redis's, and those of the live
   * node holding the user, asked).
   */
  private async prepare(login: LoginPeek): Promise<Verdict> {
    const { userID, resume, digest } = login;
    this.revocations.before(userID); // sent ahead of the lookup: a kick here that Redis has not answered yet counts
    const keys = [this.key('d', userID), this.key('s', userID), this.key('b', userID), this.key('k', userID), this.key('o', `s:${userID}`), this.key('o', `b:${userID}`)] as const;
    const now = this.options.clock.now();
    const args = [DIRECTORY_TTL_MS, digest, now, resume ?? '', this.node, this.key('alive', '')] as const;
    const [epoch, superseded, flat, revoked, held, heldBytes, holder] = await this.redis.hcPrepare(...keys, ...args);
    if (superseded === 1 && resume !== undefined) return 'superseded';
    if (revoked === 1) return 'revoked'; // a resume passes only when it names the user's session (PREPARE)
    const stored: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) stored[flat[i] as string] = flat[i + 1] as string;
    this.budgets.seed(userID, stored, this.options.clock.now());
    const live = holder === '' ? null : await this.asks.ask(holder, userID); // what it spent there, written or not
    if (live) this.budgets.seed(userID, live, this.options.clock.now());
    return { epoch, held, heldBytes }; // held once the login made a session (`loggedIn`): only its end forgets them
  }

  /**
   * After a login here: its holdings kept (only a session's end forgets them), the user claimed. What waits in its stream is taken
   * in from the hub's login (`HubCluster.loggedIn`), its mark waiting for it; not after a login renewed on the same connection.
   */
  private loggedIn(session: Session, login: LoginPeek, { epoch, held, heldBytes }: Prepared): void {
    this.mailbox.holdings.hold(session.userID, held, heldBytes);
    this.epochs.set(session.userID, epoch);
    this.revocations.claimed(session, epoch); // a late revocation of it, once its user's sessions since ended, revokes no userSig
    void this.claim(session, epoch, login.resume ?? '');
  }

  /** Claims `session`'s user here; a later login elsewhere won: it goes (handed over if that login resumed it). */
  private claim(session: Session, epoch: number, resume: string, strict = false): Promise<void> {
    const user = session.userID;
    const dir = this.key('d', user);
    return this.redis
      .hcClaim(dir, this.key('k', user), this.key('s', user), this.node, epoch, session.token, resume, this.channel, user, DIRECTORY_TTL_MS, session.sigDigest)
      .then(async (won) => {
        const resumed = won === 0 ? await this.redis.hget(dir, 'resumed') : null;
        if (won !== 0 || this.hub?.session(user) !== session) return;
        // As a takeover notice (whose own would find no session here by then): buckets, epoch, place in its stream.
        this.epochs.delete(user);
        this.letGo(user, resumed || undefined);
      })
      .catch((error: unknown) => {
        this.lost('claim', error);
        if (strict) throw error; // the catch-up's: tried again at the next heartbeat
        this.unclaimed.set(user, { session, epoch }); // a login's: claimed again at the next heartbeat
      });
  }

  /** The user's session here ends, or moves to another node: its buckets, spent at all, go to Redis for the next node. */
  private leaving(user: string): void {
    if (this.budgets.peek(user, this.options.clock.now())) void this.saveBudgets(user);
  }

  private saveBudgets(user: string): Promise<boolean> {
    return this.budgets.save(user, this.redis.hcBudgets.bind(this.redis), this.key('b', user), (error) => this.lost('budgets', error));
  }

  /** Settles once Redis answered, or failed to (logged): what a client is told after waits for it. */
  private publish(node: string, frame: object): Promise<void> {
    this.counts.published++;
    return this.redis.publish(`${this.channel}${node}`, JSON.stringify(frame)).then(() => undefined, (error: unknown) => this.lost('publish', error));
  }

  private lost(what: string, error: unknown): void {
    if (!this.id.lost) this.logger.warn('cluster: a Redis operation failed', { what, error: error instanceof Error ? error.message : String(error) });
  }

  private key(kind: string, id: string): string {
    return `${this.prefix}:${kind}:${id}`;
  }
}
