/**
 * Rooms in a cluster: every node keeps the membership of every room of the service (who, on
 * which node, publishing what), so that `roomEnter` and `roomMembers` answer at once with the
 * whole room, as on one node. A node changes its own members and tells the others through the
 * broadcast channel (and the room's Redis hash, which a node starting later reads); relays go
 * only to the nodes that hold their recipients (they are the heavy traffic).
 *
 * A member whose session moved to another node (failover, resume) is not announced as leaving:
 * its new node announces it entering, and members already in the room hear nothing at all.
 *
 * A node back on Redis after losing it (`rejoin`) says again what it may not have said: every
 * member of its own, and the leaves Redis did not take; then it reads every room again and takes
 * in what it missed (others' members gone or come), but what an event told it since the read began.
 *
 * A room is vacated (its grant: `grants.ts`) by the node whose member's leave empties it: at once when
 * that node sees no member left. When it still sees members of other nodes (their leaves, made at the
 * same moment, not heard yet), Redis decides: the leave's step records the vacate if it left the room's
 * hash empty, and every node applies it in Redis's order (see `LEAVE` in `scripts.ts`). A node that hears
 * another's leave empty its room vacates nothing itself: that leave's node, or Redis, did.
 */
import type { Redis } from 'ioredis';
import type { RoomMember, ServerFrame } from '../../adapters/ws/protocol';
import type { Session } from '../session';
import type { RoomGrants } from '../grants';
import { type RelayOut, Rooms } from '../rooms';
import { parseJson } from './frames';
import type { ClusterGrants } from './grants';
import { grantHistoryKey } from './replica';
import type { Scripted } from './scripts';

interface Member {
  node: string;
  /** The session, when it is on this node. */
  session: Session | null;
  audio: boolean;
  video: boolean;
  /** The epoch of its session's login, when it entered on this node. */
  epoch?: number;
}

/** A change of one room's membership, as the broadcast channel carries it. */
export interface RoomEvent {
  readonly t: 'room';
  readonly node: string;
  readonly ev: 'enter' | 'leave' | 'state';
  readonly roomID: number;
  readonly userID: string;
  readonly audio: boolean;
  readonly video: boolean;
  /** The epoch of the login of the member's session on its node (absent: none there, or a node before 2026-12-05). */
  readonly epoch?: number;
}

/**
 * The vacate a leave carries for Redis to record if the leave empties the room's hash (`LEAVE`,
 * `scripts.ts`): the grant change (JSON), how long its history is kept then, and the nodes of the
 * members the leaving node still saw.
 */
export interface Vacate {
  readonly frame: string;
  readonly ttl: number;
  readonly elsewhere: readonly string[];
}

/** A relay for members on another node. */
export interface RelayEvent {
  readonly t: 'relay';
  readonly roomID: number;
  readonly from: string;
  readonly to?: string;
  readonly data: string;
}

/** What the rooms need from the cluster. */
export interface RoomBus {
  readonly node: string;
  /** Tells every node (and the room's hash) about a change (a leave: with its {@link Vacate}); rejects when Redis did not take it. */
  roomEvent(event: RoomEvent, vacate?: Vacate): Promise<unknown>;
  /** Notes in Redis that this node has written its members (after the events sent before it: `P:said`). */
  said(): Promise<unknown>;
  /** Sends a relay to `node`. */
  relay(node: string, event: RelayEvent): void;
  /** Calls `fn` once the room grace has passed (see {@link ClusterRooms.leave}'s `quiet`). */
  afterGrace(fn: () => void): void;
  /** The epoch of the login of `userID`'s session on this node (none: no session here). */
  epoch?(userID: string): number | undefined;
}

/** {@link Rooms} spread over the nodes of a cluster. */
/** The rooms' members as Redis has them (`P:r:<room>`: who, on which node, publishing what), and the nodes that have said theirs. */
export interface StoredRooms {
  readonly rooms: Map<number, Map<string, { readonly node: string; readonly audio: boolean; readonly video: boolean }>>;
  /**
   * The nodes that wrote their members since Redis last lost its data (`P:said`): a member of another
   * node missing from `rooms` has left only if its node is one of them (after a Redis restart that lost
   * the hashes, a node not back yet has said nothing, and its members are still in their rooms).
   */
  readonly said: ReadonlySet<string>;
}

/** The most leaves kept for a node back on Redis to say again (the oldest go first). */
const UNSAID_MAX = 10_000;

export class ClusterRooms extends Rooms {
  private readonly all = new Map<number, Map<string, Member>>();
  /** Leaves of members of this node that Redis did not take (it was away), by `room user`, with their vacates. */
  private readonly unsaid = new Map<string, [RoomEvent, Vacate | undefined]>();
  /** While the rooms are read again: the members an event told of since the read began. */
  private touched: Set<string> | null = null;
  /** Members of this node that left, by `room user`, with their session's epoch, for the room grace: see `applyRemote`. */
  private readonly left = new Map<string, number>();

  constructor(
    private readonly roomGrants: Pick<RoomGrants, 'occupied' | 'vacated' | 'allows'> & Partial<Pick<ClusterGrants, 'vacatedTtl' | 'watch'>>,
    private readonly clock: () => number,
    private readonly bus: RoomBus,
  ) {
    super(roomGrants, clock);
    roomGrants.watch?.((roomID) => [...(this.all.get(roomID) ?? [])].filter(([, m]) => m.node === bus.node).map(([userID]) => userID));
  }

  /**
   * A relay to a user not in the room is refused, as before: the user may enter on another
   * node, which would not have it. The client waits to hear the user enter.
   */
  override get holdsRelays(): boolean {
    return false;
  }

  /** Rooms with a member on this node. */
  override get size(): number {
    let n = 0;
    for (const room of this.all.values()) if ([...room.values()].some((m) => m.session !== null)) n++;
    return n;
  }

  /** Rooms with members anywhere in the service. */
  get clusterSize(): number {
    return this.all.size;
  }

  /** Members anywhere in the service (what a relay to the room and a notice cost the sender). */
  override memberCount(roomID: number): number {
    return this.all.get(roomID)?.size ?? 0;
  }

  protected override stateOf(roomID: number, userID: string): { readonly audio: boolean; readonly video: boolean } | undefined {
    return this.all.get(roomID)?.get(userID);
  }

  override members(roomID: number): RoomMember[] {
    return [...(this.all.get(roomID)?.entries() ?? [])].map(([userID, m]) => ({ userID, audio: m.audio, video: m.video }));
  }

  override enter(session: Session, roomID: number, audio: boolean, video: boolean): RoomMember[] | null {
    if (session.room !== null && session.room !== roomID) return null;
    if (session.room === roomID) {
      this.publish(session, roomID, audio, video);
      return this.members(roomID);
    }
    const room = this.all.get(roomID) ?? new Map<string, Member>();
    this.all.set(roomID, room);
    const prior = room.get(session.userID);
    if (prior?.session && prior.session !== session) prior.session.room = null;
    room.set(session.userID, { node: this.bus.node, session, audio, video, epoch: this.bus.epoch?.(session.userID) });
    session.room = roomID;
    const member = { userID: session.userID, audio, video };
    if (!prior) this.notify(room, session.userID, { type: 'userEntered', roomID, ...member });
    else if (prior.audio !== audio || prior.video !== video) this.notify(room, session.userID, { type: 'memberState', roomID, ...member });
    this.say({ t: 'room', node: this.bus.node, ev: 'enter', roomID, ...member });
    // After the entry's event: a vacate Redis records with a leave that found the room's hash empty comes
    // before this entry's hash write, so before this change too, in Redis's order (see the module's notes).
    this.roomGrants.occupied(roomID, session.userID);
    return this.members(roomID);
  }

  /**
   * As {@link Rooms.leave}; `quiet`: the session moved to another node, which announces it, so
   * nothing is said here: its entry waits for that announcement, for the room grace at most (a
   * client that hung up while it moved never enters there: it leaves then, as a lost connection).
   */
  override leave(session: Session, roomID: number | null = session.room, deliberate = false, quiet = false): boolean {
    if (session.room === null || session.room !== roomID) return false;
    session.room = null;
    const room = this.all.get(roomID);
    const member = room?.get(session.userID);
    if (!room || !member || member.session !== session) return true;
    if (quiet) {
      member.session = null;
      this.bus.afterGrace(() => {
        if (this.all.get(roomID)?.get(session.userID) === member && !member.session) this.gone(room, roomID, session.userID, false);
      });
      return true;
    }
    this.gone(room, roomID, session.userID, deliberate);
    return true;
  }

  /**
   * `userID` (a member of this node) left `room`: the others hear it, and an empty room is vacated (still
   * holding members of other nodes here, by Redis if the leave empties it there: see the module's notes).
   */
  private gone(room: Map<string, Member>, roomID: number, userID: string, deliberate: boolean): void {
    const epoch = room.get(userID)?.epoch;
    const key = `${roomID} ${userID}`;
    if (epoch !== undefined) {
      this.left.set(key, epoch);
      this.bus.afterGrace(() => this.left.get(key) === epoch && this.left.delete(key));
    }
    room.delete(userID);
    this.notify(room, userID, { type: 'userLeft', roomID, userID });
    const vacate = room.size > 0 ? this.vacate(room, roomID, deliberate) : undefined;
    this.say({ t: 'room', node: this.bus.node, ev: 'leave', roomID, userID, audio: false, video: false }, undefined, vacate);
    if (room.size > 0) return;
    this.all.delete(roomID);
    this.roomGrants.vacated(roomID, this.clock(), deliberate);
  }

  /** The vacate of `room` for Redis to record if the leave now said empties it (none: its grant is not occupied). */
  private vacate(room: Map<string, Member>, roomID: number, deliberate: boolean): Vacate | undefined {
    const now = this.clock();
    const ttl = this.roomGrants.vacatedTtl?.(roomID, now, deliberate) ?? null;
    if (ttl === null) return undefined;
    const frame = JSON.stringify({ t: 'grant', node: this.bus.node, op: 'vacated', roomID, now, deliberate, ordered: true });
    return { frame, ttl: Math.ceil(ttl), elsewhere: [...new Set([...room.values()].map((m) => m.node))] };
  }

  override publish(session: Session, roomID: number, audio: boolean, video: boolean): boolean {
    const room = this.all.get(roomID);
    const member = session.room === roomID ? room?.get(session.userID) : undefined;
    if (!room || !member || member.session !== session) return false;
    if (member.audio === audio && member.video === video) return true;
    member.audio = audio;
    member.video = video;
    this.notify(room, session.userID, { type: 'memberState', roomID, userID: session.userID, audio, video });
    this.say({ t: 'room', node: this.bus.node, ev: 'state', roomID, userID: session.userID, audio, video });
    return true;
  }

  override relay(session: Session, roomID: number, to: string | undefined, out: RelayOut): boolean {
    const room = this.all.get(roomID);
    if (!room || session.room !== roomID) return false;
    const { from, data } = out.frame;
    if (to === undefined) {
      this.relayed += this.deliver(room, { t: 'relay', roomID, from, data }, out.text);
      const nodes = new Set<string>();
      for (const m of room.values()) if (m.session === null && m.node !== this.bus.node) nodes.add(m.node);
      for (const node of nodes) this.bus.relay(node, { t: 'relay', roomID, from, data });
      return true;
    }
    const target = room.get(to);
    if (!target) return false;
    if (target.session) this.relayed += this.deliver(room, { t: 'relay', roomID, from, to, data }, out.text);
    else if (target.node !== this.bus.node) this.bus.relay(target.node, { t: 'relay', roomID, from, to, data });
    return true;
  }

  /** A change another node made (its own changes come back too, and are ignored). */
  applyRemote(event: RoomEvent): void {
    if (event.node === this.bus.node) return;
    const { roomID, userID, audio, video } = event;
    this.touched?.add(`${roomID} ${userID} ${event.node}`);
    const room = this.all.get(roomID) ?? new Map<string, Member>();
    const prior = room.get(userID);
    // A member with a live session here stays ours: a move to another node reaches this node first as that node's
    // takeover (published before the member can enter there), which ends or hands over the session here. So such
    // an event is older than the member's entry here (it came late: the old node's write held on a stalled socket)
    // and ignored; but Redis ran it after ours, and the other nodes took it: the entry is said again, so that the
    // room's hash and every node name this node (before 2026-12-05 they named the old one: relays to the member went
    // there and were dropped, and the member's leave here, naming this node, deleted nothing: a ghost for good).
    // Only to an event of an older session (its login's epoch lower; none: a node before 2026-12-05): two live sessions
    // of one user on two nodes (a newer login whose claim Redis refused, never sent again, so the older session was
    // never kicked) otherwise answered each other for as long as both lived. The newer one's entry stands.
    if (prior?.session) {
      if ((event.epoch ?? 0) < (this.bus.epoch?.(userID) ?? Number.MAX_SAFE_INTEGER)) this.say({ t: 'room', node: this.bus.node, ev: 'enter', roomID, userID, audio: prior.audio, video: prior.video });
      return;
    }
    // An enter said before her session moved here, heard after she left here (read late): a ghost for good (seed 91).
    if (!prior && event.epoch !== undefined && event.epoch < (this.left.get(`${roomID} ${userID}`) ?? 0)) return;
    if (event.ev === 'leave') {
      if (!prior || prior.node !== event.node) return;
      room.delete(userID);
      if (room.size === 0) this.all.delete(roomID);
      this.notify(room, userID, { type: 'userLeft', roomID, userID });
      return;
    }
    if (event.ev === 'state' && (!prior || prior.node !== event.node)) return; // before the room is made: none stays empty
    this.all.set(roomID, room);
    room.set(userID, { node: event.node, session: null, audio, video });
    if (!prior) this.notify(room, userID, { type: 'userEntered', roomID, userID, audio, video });
    else if (prior.audio !== audio || prior.video !== video) this.notify(room, userID, { type: 'memberState', roomID, userID, audio, video });
  }

  /** A relay from another node for members here. */
  deliverRemote(event: RelayEvent): void {
    const room = this.all.get(event.roomID);
    if (room) this.relayed += this.deliver(room, event);
  }

  /**
   * Forgets the members of `node` (it is gone for longer than the grace period); their rooms hear
   * `userLeft`, and a room left empty is vacated (its grant waits `roomIdleMs`, as for a lost
   * connection). Returns the members forgotten.
   */
  forgetNode(node: string): [number, string][] {
    const gone: [number, string][] = [];
    for (const [roomID, room] of [...this.all]) {
      let emptied = false;
      for (const [userID, m] of [...room]) {
        if (m.node !== node || m.session) continue;
        this.touched?.add(`${roomID} ${userID} ${node}`);
        room.delete(userID);
        emptied = true;
        gone.push([roomID, userID]);
        this.notify(room, userID, { type: 'userLeft', roomID, userID });
      }
      if (room.size > 0 || !emptied) continue;
      this.all.delete(roomID);
      this.roomGrants.vacated(roomID, this.clock(), false);
    }
    return gone;
  }

  /**
   * Back on Redis (see the module's notes): says again every member of this node and the leaves
   * Redis did not take, then reads the rooms (`read`) and takes in what it missed ({@link reconcile}).
   */
  async rejoin(read: () => Promise<StoredRooms>): Promise<void> {
    const touched = (this.touched = new Set());
    const unsaid = [...this.unsaid.values()];
    this.unsaid.clear();
    const saying: Promise<unknown>[] = [];
    for (const [event, vacate] of unsaid) if (this.all.get(event.roomID)?.get(event.userID)?.node !== this.bus.node) this.say(event, saying, vacate);
    for (const [roomID, room] of this.all) {
      for (const [userID, m] of room) if (m.session) this.say({ t: 'room', node: this.bus.node, ev: 'enter', roomID, userID, audio: m.audio, video: m.video }, saying);
    }
    try {
      await Promise.all([...saying, this.bus.said()]);
      this.reconcile(await read(), touched, saying);
      await Promise.all(saying);
    } finally {
      if (this.touched === touched) this.touched = null;
    }
  }

  /**
   * The rooms as Redis had them once {@link rejoin} began: the members of other nodes this node
   * missed go or come (their rooms hear it), but those an event told of since (`touched`).
   */
  private reconcile({ rooms, said }: StoredRooms, touched: ReadonlySet<string>, saying: Promise<unknown>[]): void {
    // An event about the member on that node since the read began is newer than what was read.
    const told = (roomID: number, userID: string, node: string) => touched.has(`${roomID} ${userID} ${node}`);
    for (const [roomID, room] of [...this.all]) {
      for (const [userID, m] of [...room]) {
        if (m.node === this.bus.node || !said.has(m.node) || told(roomID, userID, m.node) || rooms.get(roomID)?.has(userID)) continue;
        this.applyRemote({ t: 'room', node: m.node, ev: 'leave', roomID, userID, audio: false, video: false });
      }
    }
    for (const [roomID, members] of rooms) {
      for (const [userID, m] of members) {
        const mine = this.all.get(roomID)?.get(userID);
        // Ours in Redis but no longer here (Redis came back from an older copy): it left, said so now.
        if (m.node === this.bus.node && !mine) this.say({ t: 'room', node: this.bus.node, ev: 'leave', roomID, userID, audio: false, video: false }, saying);
        // One of ours: its own word holds (said again by `rejoin`).
        if (m.node === this.bus.node || told(roomID, userID, m.node) || mine?.session) continue;
        this.applyRemote({ t: 'room', node: m.node, ev: 'enter', roomID, userID, audio: m.audio, video: m.video });
      }
    }
  }

  /** The nodes that hold members of some room (for the liveness check). */
  nodes(): Set<string> {
    const nodes = new Set<string>();
    for (const room of this.all.values()) for (const m of room.values()) nodes.add(m.node);
    return nodes;
  }

  /**
   * Takes in a member a node starting later reads from Redis. One naming this node is its earlier run's (its session
   * went with it): it leaves once the room grace has passed, unless its user entered again meanwhile (here or on
   * another node), as a member of a node gone for good does (`forgetNode`). Skipped, it stayed in the room's hash and
   * on every other node, which saw this node alive again and forgot nothing: a ghost member for good, its room's grant
   * occupied for good (a node restarted with its --node-id while a member's session waited out its grace there).
   */
  load(roomID: number, userID: string, node: string, audio: boolean, video: boolean): void {
    const room = this.all.get(roomID) ?? new Map<string, Member>();
    this.all.set(roomID, room);
    if (room.has(userID)) return;
    const member: Member = { node, session: null, audio, video };
    room.set(userID, member);
    if (node !== this.bus.node) return;
    this.bus.afterGrace(() => {
      const now = this.all.get(roomID);
      if (now?.get(userID) === member) this.gone(now, roomID, userID, false);
    });
  }

  /** Tells the other nodes (see {@link RoomBus.roomEvent}); a leave Redis did not take is said again on {@link rejoin}, with its vacate. */
  private say(told: RoomEvent, saying?: Promise<unknown>[], vacate?: Vacate): void {
    const event: RoomEvent = { ...told, epoch: this.bus.epoch?.(told.userID) }; // which session of the member says it
    const key = `${event.roomID} ${event.userID}`;
    this.unsaid.delete(key);
    const said = this.bus.roomEvent(event, vacate).catch((error: unknown) => {
      if (event.ev === 'leave' && this.all.get(event.roomID)?.get(event.userID)?.node !== this.bus.node) {
        this.unsaid.set(key, [event, vacate]);
        if (this.unsaid.size > UNSAID_MAX) this.unsaid.delete(this.unsaid.keys().next().value as string);
      }
      if (saying) throw error;
    });
    saying?.push(said); // a catch-up waits for what it says: one that Redis did not take is tried again
  }

  /** Sends a relay to the members on this node it is for (`text`: its frame in JSON, made once for all); returns how many got it. */
  private deliver(room: Map<string, Member>, event: RelayEvent, text = JSON.stringify({ type: 'relayed', roomID: event.roomID, from: event.from, data: event.data })): number {
    let n = 0;
    for (const [userID, m] of room) {
      const conn = m.session?.conn;
      if (!conn || m.session?.room !== event.roomID) continue;
      if (event.to === undefined ? userID === event.from : userID !== event.to) continue;
      if (conn.sendDroppable(text)) n++;
    }
    return n;
  }

  /** Tells the members on this node but `userID` (those with a live connection). */
  private notify(room: Map<string, Member>, userID: string, frame: ServerFrame): void {
    for (const [id, m] of room) {
      if (id === userID) continue;
      m.session?.conn?.send(frame);
    }
  }
}

/**
 * Writes a change of one of `event.node`'s members to the room's hash and tells every node; rejects
 * when Redis did not take it. A leave deletes the entry only while it names the node (said again
 * after a blip, the member may have moved to another node meanwhile), and records `vacate` if it
 * empties the room (`LEAVE`, `scripts.ts`).
 */
export async function writeRoomEvent(redis: Scripted, prefix: string, event: RoomEvent, counts: { published: number }, lost: (error: unknown) => void, vacate?: Vacate): Promise<void> {
  const key = `${prefix}:r:${event.roomID}`;
  counts.published++;
  if (event.ev === 'leave') {
    const keys = [key, grantHistoryKey(prefix, event.roomID), `${prefix}:ver`, saidKey(prefix)] as const;
    await redis.hcLeave(...keys, event.userID, event.node, `${prefix}:all`, JSON.stringify(event), vacate?.frame ?? '', vacate?.ttl ?? 0, ...(vacate?.elsewhere ?? [])).catch((error: unknown) => {
      lost(error);
      throw error;
    });
    return;
  }
  const m = redis.multi().hset(key, event.userID, JSON.stringify({ node: event.node, audio: event.audio, video: event.video })).pexpire(key, 86_400_000);
  m.publish(`${prefix}:all`, JSON.stringify(event));
  try {
    const results = await m.exec();
    if (!results || results.some(([error]) => error)) throw new Error('the room event was not taken');
  } catch (error) {
    lost(error);
    throw error;
  }
}

/** The set of nodes that wrote their members since Redis last lost its data (see {@link StoredRooms.said}). */
export const saidKey = (prefix: string): string => `${prefix}:said`;

/** Reads the rooms' members of the whole cluster (`P:r:<room>` hashes). */
export async function readRooms(redis: Redis, prefix: string): Promise<StoredRooms> {
  const said = new Set(await redis.smembers(saidKey(prefix)));
  const stored: StoredRooms['rooms'] = new Map();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:r:*`, 'COUNT', 200);
    cursor = next;
    // A page's rooms in one round trip.
    const pipeline = redis.pipeline();
    for (const key of keys) pipeline.hgetall(key);
    const answers = keys.length === 0 ? [] : ((await pipeline.exec()) ?? []);
    for (const [i, key] of keys.entries()) {
      const [error, members] = answers[i] ?? [null, null];
      if (error) throw error;
      const roomID = Number(key.slice(`${prefix}:r:`.length));
      for (const [userID, text] of Object.entries((members ?? {}) as Record<string, string>)) {
        const m = parseJson(text) as { node?: unknown; audio?: unknown; video?: unknown } | null;
        if (!m || typeof m.node !== 'string') continue;
        const room = stored.get(roomID) ?? new Map();
        stored.set(roomID, room.set(userID, { node: m.node, audio: m.audio === true, video: m.video === true }));
      }
    }
  } while (cursor !== '0');
  return { rooms: stored, said };
}

/** Loads the rooms' members of the whole cluster into `rooms` (a node starting). */
export async function loadRooms(redis: Redis, prefix: string, rooms: ClusterRooms | null): Promise<void> {
  for (const [roomID, members] of (await readRooms(redis, prefix)).rooms) {
    for (const [userID, m] of members) rooms?.load(roomID, userID, m.node, m.audio, m.video);
  }
}
