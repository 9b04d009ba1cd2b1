/**
 * The server's state machine for users: login (verify, resume or kick), sessions that outlive
 * a dropped connection by the grace period, sessions that end when their userSig expires, and
 * the services a session uses (the IM relay, groups, rooms and their grants). Every method runs
 * to completion synchronously, so frames are handled one at a time in arrival order.
 *
 * The kicked-userSig rule: a kicked session's token never resumes (`sessionSuperseded`), and
 * the userSig it logged in with is refused (`sessionSuperseded`) for new logins of that user for
 * as long as the user has a live session (connected, or within its grace period) that logged in
 * with another userSig. So a kicked tab that reconnects on its own, with its token or without,
 * can never kick the newer login; the newer session resumes with its token as usual, and logs in
 * again after a page reload with its own userSig; a user who wants the old device back logs in
 * there with a fresh userSig (or once the newer session has ended). A userSig is known by its
 * verified content (`verifyUserSig`'s `key`), never its text, so re-encoding it changes nothing.
 * When both devices hold the very same userSig the server cannot tell them apart: only the token
 * separates them, and an explicit new login with that userSig (never an automatic reconnect)
 * takes over again.
 *
 * Many devices (`--multi-device`, README "Many devices"): a user may hold several sessions, one
 * per `device` its logins name (at most `maxDevices`, `tooManyDevices` beyond). A login takes
 * over the session of its own device, and every session when either side named no device (or
 * the option is off): "a second login kicks the first" stays the rule for everyone else. Budgets,
 * grants and stored messages stay per user; the mailer rings every device and keeps the answers.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { CLOSE, KICK_REASON, type ClientFrameOf, type ServerFrame } from '../adapters/ws/protocol';
import type { TurnCommit } from './commit';
import type { Conn } from './conn';
import { type GroupStore, SqliteGroupStore, Groups } from './groups';
import { type RoomGrants, SqliteRoomGrants } from './grants';
import { MemoryUserBudgets, type UserBudgets } from './limits';
import { markBacklog, streamed } from './backlogMarks';
import { Mailer } from './mail';
import { Counters } from './metrics';
import type { ResolvedOptions } from './options';
import { type Refusal, refuse } from './refusal';
import { Rooms } from './rooms';
import type { RemoteHeld } from './senders';
import { Session } from './session';
import type { Body, Store } from './store';
import { remember, SupersededTokens } from './supersededTokens';
import { turnGrant } from './turn';
import { verifyUserSig } from './userSig';

/** Tokens of sessions taken over by another login, so that their resume is refused (no kick ping-pong). */
const SUPERSEDED_MEMORY = 4096;
/** Kicked userSigs remembered per user (see the rule above); in a cluster, in Redis (`cluster/scripts.ts`). */
export const REVOKED_PER_USER = 16;

/**
 * What a cluster (`server/cluster/`) puts in place of the single-node parts; without it the hub
 * runs on one process exactly as before, and with it the hub does not know where it runs.
 */
export interface HubCluster {
  /** Per-user budgets shared by the nodes. */
  readonly budgets: UserBudgets;
  /** The grants, replicated (given the single-node grants to build on). */
  grants(local: RoomGrants): RoomGrants;
  /** The groups' store, replicated (given the single-node store to build on). */
  groupStore(local: GroupStore): GroupStore;
  /** The rooms, spread over the nodes. */
  rooms(grants: RoomGrants, now: () => number): Rooms;
  /**
   * A message that may be stored (not `onlineUserOnly`) is routed to a user with no session here, or its last session
   * here ended: its stored copies go where the user is. Settles once that move was answered (or failed): a message's ack waits for it.
   */
  absent(userID: string): Promise<void>;
  /**
   * An `onlineUserOnly` copy for a user with no live session here: to its node, if it is online on one (false
   * when it is not). Settles once Redis answered that publish (or failed to): the message's ack waits for it.
   */
  elsewhere(userID: string, copy: Body): Promise<void> | false;
  /**
   * The last session of its user here ended (not handed over to another node): it has none now. `superseded`:
   * a later login kicked it (that one lives on). Settles once Redis took that (or failed to): only then is a
   * logout acked.
   */
  ended(session: Session, superseded: boolean): Promise<void>;
  /**
   * `session` was kicked by a later login (after it ended): its token and userSig log in no more, on any
   * node. Settles once Redis holds that (or failed to): only then is the kicked tab told.
   */
  superseded(session: Session): Promise<void>;
  /** What senders hold in the users' Redis streams (their quotas count it). */
  readonly remoteHeld: RemoteHeld;
  /**
   * A login made a session here (not one renewed on its connection): what waits in its user's Redis stream is taken in.
   * Settles once that take-in ended, whatever came of it (taken in and handed, nothing there, failed, put on back-off):
   * the login's backlog mark waits for it, as the copies sent to the user while away are there, not in this store.
   */
  loggedIn(userID: string): Promise<void>;
}

/** Users, sessions and the services they use. */
export class Hub {
  readonly counters = new Counters();
  readonly budgets: UserBudgets;
  readonly grants: RoomGrants;
  readonly rooms: Rooms;
  readonly groups: Groups;
  readonly mailer: Mailer;
  /** Each user's sessions (one, unless many devices), oldest first. */
  private readonly sessions = new Map<string, Session[]>();
  /** The tokens of this node's sessions another login took over: their resume is refused. */
  private readonly superseded: SupersededTokens;
  private readonly revoked = new Map<string, Set<string>>();
  /** What `loggedIn` tells a client of its limits, so that it paces itself under them (adapters/ws/outRate.ts). */
  private readonly told: { readonly perSecond: number; readonly burst: number; readonly maxRelayBytes: number; readonly maxFrameBytes: number };
  /**
   * While a request is handled ({@link Hub.routing}): the Redis steps its answer waits for (cluster): the
   * moves to other nodes it started (stored copies, online ones), a logout's end.
   */
  private pending: Promise<void>[] | null = null;

  constructor(
    private readonly options: ResolvedOptions,
    readonly store: Store,
    private readonly commit: TurnCommit,
    private readonly cluster?: HubCluster,
  ) {
    const { limits, clock } = options;
    const { rate } = options;
    this.told = {
      perSecond: Math.min(rate.perSecond, limits.userRate.perSecond),
      burst: Math.min(rate.burst, limits.userRate.burst),
      maxRelayBytes: limits.maxRelayBytes,
      maxFrameBytes: limits.maxFrameBytes,
    };
    this.budgets = cluster?.budgets ?? new MemoryUserBudgets(limits);
    this.superseded = new SupersededTokens(cluster ? null : store.db, commit, clock.now());
    const persist = (write: () => void, failed?: () => void) => {
      commit.write(write);
      if (failed) commit.after(() => undefined, failed);
    };
    // A room's grant ended: nobody enters it for its call any more, and the answer ledger forgets its invitations.
    const ended = (roomID: number) => this.mailer.answers.forgetRoom(roomID);
    const grants = new SqliteRoomGrants(store.db, limits, persist, clock.now(), (groupID, userID) => this.groups.isMember(groupID, userID), ended);
    this.grants = cluster ? cluster.grants(grants) : grants;
    this.rooms = cluster ? cluster.rooms(this.grants, () => clock.now()) : new Rooms(this.grants, () => clock.now(), (u) => this.devicesOf(u));
    const groupStore = new SqliteGroupStore(store.db);
    this.groups = new Groups(cluster ? cluster.groupStore(groupStore) : groupStore, limits, () => commit.flush());
    // An `onlineUserOnly` copy (`storing` false) is stored nowhere: it starts no move.
    const sessionsOf = (u: string, storing = true) => {
      const sessions = this.devicesOf(u);
      const moving = storing && sessions.length === 0 ? cluster?.absent(u) : undefined;
      if (moving) this.pending?.push(moving);
      return sessions;
    };
    const elsewhere = (u: string, copy: Body) => {
      const sent = cluster?.elsewhere(u, copy) ?? false;
      if (sent) this.pending?.push(sent);
      return sent !== false;
    };
    this.mailer = new Mailer(options, store, commit, this.counters, this.budgets, this.grants, sessionsOf, elsewhere, cluster?.remoteHeld);
  }

  /**
   * Runs `handle` (a request); answers its reply and the Redis steps it started that the reply waits for
   * (cluster: {@link Hub.pending}). Answered before them, the client's next request through another node
   * could reach Redis first: overtake its message, or find its logout's revocations still there.
   */
  routing<T>(handle: () => T): [T, Promise<void>[]] {
    this.pending = [];
    try {
      return [handle(), this.pending];
    } finally {
      this.pending = null;
    }
  }

  /** Users with a session on a live connection. */
  loggedInUsers(): number {
    let n = 0;
    for (const list of this.sessions.values()) if (list.some((s) => s.conn)) n++;
    return n;
  }

  /** Sessions waiting for their connection to come back. */
  detachedSessions(): number {
    let n = 0;
    for (const list of this.sessions.values()) for (const s of list) if (!s.conn) n++;
    return n;
  }

  /** The users with a session here (connected or in their grace). */
  heldUsers(): IterableIterator<string> {
    return this.sessions.keys();
  }

  /** The live session of `userID`, if any (admin and tests): a connected one first. */
  session(userID: string): Session | undefined {
    const list = this.devicesOf(userID);
    return list.find((s) => s.conn !== null) ?? list[0];
  }

  /** Every session of `userID` (many devices: one per device), oldest first. */
  devicesOf(userID: string): readonly Session[] {
    return this.sessions.get(userID) ?? [];
  }

  // -------------------------------------------------------------------------------------------
  // Sessions

  /** Verifies the userSig, then resumes the named session, or starts one (kicking an earlier one). */
  login(conn: Conn, f: ClientFrameOf<'login'>): Refusal | void {
    const { clock } = this.options;
    const now = clock.now();
    const verdict = verifyUserSig({ sdkAppID: this.options.sdkAppId, secretKey: this.options.secretKey }, f.userID, f.userSig, now);
    if (!verdict.ok) return refuse(verdict.code, verdict.message);
    // Logins spend the user's budget too: reconnecting over and over gets nothing for free.
    if (!this.budgets.take(f.userID, 'frames', 1, now)) return refuse('rateLimited', 'too many logins: slow down', 'userRate');
    const resumeDigest = f.resume === undefined ? undefined : tokenDigest(f.resume);
    if (resumeDigest !== undefined && this.superseded.has(f.userID, resumeDigest)) {
      return refuse('sessionSuperseded', 'this session was taken over by another login');
    }
    const all = this.devicesOf(f.userID);
    const resume = f.resume;
    const resumed = resume === undefined ? undefined : all.find((s) => sameToken(resume, s.token));
    const multi = this.options.multiDevice && f.device !== undefined;
    // What a new login takes over: its own device's session, or all of them when either side named no device.
    const replaced = multi ? all.filter((s) => s.device === null || s.device === f.device) : all;
    const digest = verdict.key; // the signature's content, not its text: a re-encoded kicked userSig is still refused
    if (all.length === 0) this.revoked.delete(f.userID);
    // Any live session of the user counts, so a new device name is no way round a kick.
    else if (!resumed && all.every((s) => digest !== s.sigDigest) && this.revoked.get(f.userID)?.has(digest)) {
      return refuse('sessionSuperseded', 'this userSig belongs to a session another login took over: log in with a fresh userSig');
    }
    const loggedIn = (session: Session, resumed: boolean): ServerFrame => ({
      type: 'loggedIn',
      rid: f.rid,
      userID: f.userID,
      session: session.token,
      resumed,
      room: resumed && session.room !== null ? { roomID: session.room, members: this.rooms.members(session.room) } : null,
      serverTime: now,
      foldedReceipts: true,
      callGrants: true,
      ...(session.catchUp === null ? {} : { backlog: true }),
      partialReceipts: true,
      limits: this.told,
      ...(this.rooms.holdsRelays ? { heldRelays: true } : {}),
      ...(session.device === null ? {} : { multiDevice: true }),
      ...(this.options.turn ? { turn: turnGrant(this.options.turn, f.userID, now, session.expiresAt) } : {}),
    });
    if (conn.session?.userID === f.userID) {
      // Logging in again on the same connection: a fresh userSig extends the session.
      this.renew(conn.session, digest, verdict.expiresAt);
      conn.send(loggedIn(conn.session, true));
      return;
    }
    if (multi && !resumed && replaced.length === 0 && all.length >= this.options.maxDevices) {
      return refuse('tooManyDevices', `${f.userID} has ${this.options.maxDevices} devices logged in, as many as one user may: log out of one`);
    }
    if (conn.session) this.endSession(conn.session);
    let session: Session;
    if (resumed) {
      session = resumed;
      this.renew(session, digest, verdict.expiresAt);
      const old = resumed.conn;
      if (old) {
        // The same client, back before the server noticed its old connection was dead.
        old.session = null;
        resumed.conn = null;
        this.mailer.detach(resumed);
        old.close(CLOSE.replaced, 'the session was resumed on another connection');
      }
    } else {
      // A session on the userSig this login holds (a reload) leaves it valid: revoked, a later login of the same
      // device with it would be refused while another device of the user lives.
      for (const earlier of replaced) this.kick(earlier, KICK_REASON.multipleAccount, earlier.sigDigest === digest);
      session = new Session(f.userID, sessionToken(resume), digest, verdict.expiresAt, multi ? (f.device ?? null) : null);
      this.sessions.set(f.userID, [...this.devicesOf(f.userID), session]);
    }
    if (session.graceTimer !== null) clock.clearTimeout(session.graceTimer);
    session.graceTimer = null;
    session.conn = conn;
    conn.session = session;
    const takeIn = this.cluster?.loggedIn(session.userID); // runs after this turn's handler (the stream is read first)
    markBacklog(session, f.backlog === true, !resumed && this.options.multiDevice, takeIn !== undefined);
    conn.send(loggedIn(session, resumed !== undefined));
    this.mailer.attach(session);
    if (!resumed) this.mailer.recallAnswers(session);
    // Its mark waits for the take-in (which never rejects); a later connection of the session has its own wait.
    if (takeIn && session.catchUp) void takeIn.then(() => session.conn === conn && (streamed(session), this.mailer.pump(session)));
  }

  /**
   * Ends the connection's session: its room is left now; unconfirmed messages stay stored. Cluster: its ack
   * waits for Redis to take the session's end ({@link Hub.routing}): acked before, a login straight after
   * through another node could reach Redis first and find the userSigs the session superseded still refused.
   */
  logout(conn: Conn): void {
    const ended = conn.session ? this.endSession(conn.session, true) : undefined;
    if (ended) this.pending?.push(ended);
  }

  /**
   * The connection is gone (closed or dropped): its session waits `roomGraceMs` for the client
   * to come back with `resume`, then ends (and its room hears `userLeft`).
   */
  detach(conn: Conn): void {
    const session = conn.session;
    conn.session = null;
    if (!session || session.conn !== conn) return;
    session.conn = null;
    this.mailer.detach(session);
    const { clock, roomGraceMs } = this.options;
    session.graceTimer = clock.setTimeout(() => {
      session.graceTimer = null;
      if (session.conn === null) this.endSession(session);
    }, roomGraceMs);
  }

  /** Periodic upkeep: sessions whose userSig expired end; idle budgets and expired grants go. */
  sweep(nowMs: number): void {
    for (const session of [...this.sessions.values()].flat()) if (nowMs >= session.expiresAt) this.kick(session, KICK_REASON.userSigExpired);
    for (const userID of [...this.revoked.keys()]) if (!this.sessions.has(userID)) this.revoked.delete(userID);
    this.superseded.sweep(nowMs);
    this.grants.sweep(nowMs);
    this.budgets.prune(nowMs);
  }

  /**
   * Cluster: `userID` logged in on another node. The same client coming back there (`resume`
   * names this session) takes its session along: it ends here without a word to its room. Any
   * other login kicks this session, as a second login here would (the cluster hears it: `superseded`).
   */
  takenOver(userID: string, resume: string | undefined): void {
    const session = this.session(userID);
    if (!session) return;
    if (resume === undefined || resume !== session.token) return this.kick(session, KICK_REASON.multipleAccount);
    const conn = session.conn;
    this.rooms.leave(session, session.room, false, true);
    this.endSession(session, false, true);
    conn?.close(CLOSE.replaced, 'the session was resumed on another node');
  }

  /** Stops everything (server shutdown): grace timers are cleared, sessions forgotten. */
  shutdown(): void {
    for (const session of [...this.sessions.values()].flat()) {
      if (session.graceTimer !== null) this.options.clock.clearTimeout(session.graceTimer);
      session.graceTimer = null;
    }
    this.sessions.clear();
  }

  /** The session's credentials are now this userSig (a later expiry, never an earlier one). */
  private renew(session: Session, digest: string, expiresAt: number): void {
    if (expiresAt < session.expiresAt) return;
    session.sigDigest = digest;
    session.expiresAt = expiresAt;
  }

  /** Ends a session with a `kicked` frame and its close code. */
  private kick(session: Session, reason: (typeof KICK_REASON)[keyof typeof KICK_REASON], sigStays = false): void {
    const conn = session.conn;
    this.superseded.add(session.userID, tokenDigest(session.token), this.options.clock.now());
    if (reason === KICK_REASON.multipleAccount && !sigStays) remember(this.revoked, session.userID, session.sigDigest, REVOKED_PER_USER);
    this.endSession(session, false, false, reason === KICK_REASON.multipleAccount);
    const [code, why] = reason === KICK_REASON.multipleAccount ? [CLOSE.kicked, 'logged in elsewhere'] : [CLOSE.expired, 'userSig expired'];
    // Cluster: the kicked tab is told once Redis holds its revocation. Told before, its login straight back
    // (through any node) could reach Redis first, find nothing revoked, and kick the newer login.
    const revoked = reason === KICK_REASON.multipleAccount ? this.cluster?.superseded(session) : undefined;
    if (revoked) return conn?.closeWhen(revoked, { type: 'kicked', reason }, code, why);
    conn?.send({ type: 'kicked', reason });
    conn?.close(code, why);
  }

  /** Ends a session; `deliberate` when its user logged out (its room need not wait for it); `superseded` when a later login kicked it. */
  private endSession(session: Session, deliberate = false, handedOver = false, superseded = false): Promise<void> | undefined {
    if (session.graceTimer !== null) this.options.clock.clearTimeout(session.graceTimer);
    session.graceTimer = null;
    this.rooms.leave(session, session.room, deliberate);
    if (session.conn) {
      session.conn.session = null;
      session.conn = null;
    }
    this.mailer.detach(session);
    const list = this.devicesOf(session.userID).filter((s) => s !== session);
    if (list.length > 0) this.sessions.set(session.userID, list);
    else if (this.sessions.delete(session.userID)) {
      this.mailer.forgetAnswers(session.userID);
      // Cluster: what waits here for the user goes to its stream, for whichever node it logs in to next.
      void this.cluster?.absent(session.userID);
      if (!handedOver) return this.cluster?.ended(session, superseded);
    }
    return undefined;
  }
}

/** A session token's lineage: its first characters, then a dot (see {@link sessionToken}). */
const LINEAGE = /^[A-Za-z0-9_-]{16}\./;

/**
 * A new session's token, `<lineage>.<random>`. The lineage is that of the token `resume` named
 * when this server no longer holds its session (it restarted, or the grace ran out), else a new
 * one: the client goes on counting its request ids across such a reconnect, so a request sent
 * again after a crash gets the message id it had before ({@link Session.idStem}).
 */
function sessionToken(resume: string | undefined): string {
  const lineage = resume !== undefined && LINEAGE.test(resume) ? resume.slice(0, 16) : randomBytes(12).toString('base64url');
  // One flat string (a concatenation is kept as its parts: three strings per session), and 96
  // random bits after the lineage, which a resume names and so is not secret.
  return Buffer.from(`${lineage}.${randomBytes(12).toString('base64url')}`, 'latin1').toString('latin1');
}

/** A session token's digest, for lookups that must not compare the token itself. */
function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('base64');
}

/**
 * True when a resume token is the session's, compared in constant time: the time it takes never
 * tells how much of a guess was right. (Digests, so that inputs of any length compare alike.)
 */
export function sameToken(given: string, token: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b);
}
