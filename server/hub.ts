/**
 * The server's state machine for users: login (verify, resume or kick), sessions that outlive
 * a dropped connection by the grace period, the IM relay with the offline store, delivery
 * receipts and groups. Every method runs to completion synchronously (SQLite included), so
 * frames are handled one at a time in arrival order.
 */
import { randomBytes } from 'node:crypto';
import { CLOSE, type ClientFrameOf, type ServerFrame } from '../adapters/ws/protocol';
import { type Conn, type Inflight, type Outgoing, Session } from './conn';
import { Counters } from './metrics';
import type { ResolvedOptions } from './options';
import { Rooms } from './rooms';
import type { NewMessage, Store } from './store';
import { verifyUserSig } from './userSig';

/** Tokens of sessions taken over by another login, so that their resume is refused (no kick ping-pong). */
const SUPERSEDED_MEMORY = 4096;

/** A refusal a handler returns: the dispatcher turns it into an `error` frame. */
export interface Refusal {
  readonly refused: Extract<ServerFrame, { type: 'error' }>['code'];
  readonly message: string;
}

const refuse = (refused: Refusal['refused'], message: string): Refusal => ({ refused, message });


/** Users, sessions and the IM relay. */
export class Hub {
  readonly counters = new Counters();
  readonly rooms = new Rooms();
  private readonly sessions = new Map<string, Session>();
  private readonly superseded = new Set<string>();
  private readonly boot = randomBytes(4).toString('hex');
  private nextMessage = 0;

  constructor(
    private readonly options: ResolvedOptions,
    readonly store: Store,
  ) {}

  /** Users with a session on a live connection. */
  loggedInUsers(): number {
    let n = 0;
    for (const s of this.sessions.values()) if (s.conn) n++;
    return n;
  }

  /** Sessions waiting for their connection to come back. */
  detachedSessions(): number {
    return this.sessions.size - this.loggedInUsers();
  }

  /** The live session of `userID`, if any (admin and tests). */
  session(userID: string): Session | undefined {
    return this.sessions.get(userID);
  }

  // -------------------------------------------------------------------------------------------
  // Sessions

  /** Verifies the userSig, then resumes the named session, or starts one (kicking an earlier one). */
  login(conn: Conn, f: ClientFrameOf<'login'>): Refusal | void {
    const { clock } = this.options;
    const verdict = verifyUserSig({ sdkAppID: this.options.sdkAppId, secretKey: this.options.secretKey }, f.userID, f.userSig, clock.now());
    if (!verdict.ok) return refuse(verdict.code, verdict.message);
    if (f.resume !== undefined && this.superseded.has(f.resume)) {
      return refuse('sessionSuperseded', 'this session was taken over by another login');
    }
    const loggedIn = (session: Session, resumed: boolean): ServerFrame => ({
      type: 'loggedIn',
      rid: f.rid,
      userID: f.userID,
      session: session.token,
      resumed,
      room: resumed && session.room !== null ? { roomID: session.room, members: this.rooms.members(session.room) } : null,
      serverTime: clock.now(),
    });
    if (conn.session?.userID === f.userID) {
      conn.send(loggedIn(conn.session, true));
      return;
    }
    if (conn.session) this.endSession(conn.session);
    const existing = this.sessions.get(f.userID);
    let session: Session;
    let resumed = false;
    if (existing && f.resume !== undefined && f.resume === existing.token) {
      session = existing;
      resumed = true;
      const old = existing.conn;
      if (old) {
        // The same client, back before the server noticed its old connection was dead.
        old.session = null;
        existing.conn = null;
        this.stash(existing);
        old.close(CLOSE.replaced, 'the session was resumed on another connection');
      }
    } else {
      if (existing) this.kick(existing);
      session = new Session(f.userID, randomBytes(18).toString('base64url'));
      this.sessions.set(f.userID, session);
    }
    if (session.graceTimer !== null) clock.clearTimeout(session.graceTimer);
    session.graceTimer = null;
    session.conn = conn;
    conn.session = session;
    conn.send(loggedIn(session, resumed));
    this.flush(session);
  }

  /** Ends the connection's session: its room is left now and unconfirmed messages are kept. */
  logout(conn: Conn): void {
    if (conn.session) this.endSession(conn.session);
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
    this.stash(session);
    const { clock, roomGraceMs } = this.options;
    session.graceTimer = clock.setTimeout(() => {
      session.graceTimer = null;
      if (session.conn === null) this.endSession(session);
    }, roomGraceMs);
  }

  /** Confirms message copies up to `upTo`; stored ones leave the store. */
  receipt(conn: Conn, upTo: number): Refusal | void {
    const session = conn.session;
    if (!session) return;
    if (upTo > session.seq) return refuse('badFrame', `received: upTo ${upTo} was never sent`);
    const done = session.inflight.filter((m) => m.seq <= upTo);
    if (done.length === 0) return;
    session.inflight.splice(0, done.length);
    const rowids = done.flatMap((m) => (m.rowid === null ? [] : [m.rowid]));
    if (rowids.length > 0) this.counters.delivered += this.store.removeMessages(session.userID, rowids);
  }

  /** Stops everything (server shutdown): grace timers are cleared, sessions forgotten. */
  shutdown(): void {
    for (const session of this.sessions.values()) {
      if (session.graceTimer !== null) this.options.clock.clearTimeout(session.graceTimer);
      session.graceTimer = null;
    }
    this.sessions.clear();
  }

  private kick(session: Session): void {
    const conn = session.conn;
    conn?.send({ type: 'kicked', reason: 'multipleAccount' });
    this.superseded.add(session.token);
    if (this.superseded.size > SUPERSEDED_MEMORY) {
      const oldest = this.superseded.values().next();
      if (!oldest.done) this.superseded.delete(oldest.value);
    }
    this.endSession(session);
    conn?.close(CLOSE.kicked, 'logged in elsewhere');
  }

  private endSession(session: Session): void {
    if (session.graceTimer !== null) this.options.clock.clearTimeout(session.graceTimer);
    session.graceTimer = null;
    this.rooms.leave(session);
    if (session.conn) {
      session.conn.session = null;
      session.conn = null;
    }
    this.stash(session);
    if (this.sessions.get(session.userID) === session) this.sessions.delete(session.userID);
  }

  /** Unconfirmed live copies go to the store (stored ones are still there), in delivery order. */
  private stash(session: Session): void {
    const keep = session.inflight.filter((m) => m.rowid === null && !m.onlineUserOnly);
    session.inflight.length = 0;
    if (keep.length === 0) return;
    this.store.storeMessages(keep.map((m) => ({ ...toStored(m, session.userID), expiresAt: m.sentAt + this.options.offlineTtlMs })));
    this.counters.stored += keep.length;
  }

  /** Sends what waits in the store, oldest first. */
  private flush(session: Session): void {
    for (const m of this.store.pendingFor(session.userID, this.options.clock.now())) {
      this.deliver(session, { ...m, onlineUserOnly: false }, m.rowid);
    }
  }

  private deliver(session: Session, m: Outgoing, rowid: number | null): void {
    const conn = session.conn;
    if (!conn) return;
    const seq = ++session.seq;
    session.inflight.push({ seq, id: m.id, from: m.from, groupID: m.groupID, payload: m.payload, sentAt: m.sentAt, onlineUserOnly: m.onlineUserOnly, rowid });
    conn.send({
      type: 'message',
      id: m.id,
      seq,
      from: m.from,
      ...(m.groupID === null ? {} : { groupID: m.groupID }),
      payload: m.payload,
      sentAt: m.sentAt,
    });
  }

  // -------------------------------------------------------------------------------------------
  // IM

  /** Relays a C2C message; the reply carries its id and the server's time stamp. */
  sendC2C(session: Session, f: ClientFrameOf<'sendC2C'>): ServerFrame {
    const m = this.outgoing(session, null, f.payload, f.onlineUserOnly);
    this.route(m, [f.to]);
    return { type: 'ack', rid: f.rid, id: m.id, sentAt: m.sentAt };
  }

  /** Relays a group message to every member but the sender. */
  sendGroup(session: Session, f: ClientFrameOf<'sendGroup'>): ServerFrame | Refusal {
    const members = this.store.groupMembers(f.groupID);
    if (members.length === 0 && !this.store.hasGroup(f.groupID)) return refuse('noSuchGroup', `group ${f.groupID} does not exist`);
    if (!members.includes(session.userID)) return refuse('notGroupMember', `${session.userID} is not a member of ${f.groupID}`);
    const m = this.outgoing(session, f.groupID, f.payload, f.onlineUserOnly);
    this.route(m, members.filter((u) => u !== session.userID));
    return { type: 'ack', rid: f.rid, id: m.id, sentAt: m.sentAt };
  }

  /** Creates a group (the creator is a member). */
  createGroup(groupID: string, members: readonly string[], rid?: number): ServerFrame | Refusal {
    if (!this.store.createGroup(groupID, [...new Set(members)], this.options.clock.now())) {
      return refuse('groupExists', `group ${groupID} already exists`);
    }
    return this.groupInfo(groupID, rid ?? 0);
  }

  joinGroup(session: Session, groupID: string, rid: number): ServerFrame | Refusal {
    if (!this.store.hasGroup(groupID)) return refuse('noSuchGroup', `group ${groupID} does not exist`);
    this.store.joinGroup(groupID, session.userID);
    return this.groupInfo(groupID, rid);
  }

  quitGroup(session: Session, groupID: string, rid: number): ServerFrame | Refusal {
    if (!this.store.hasGroup(groupID)) return refuse('noSuchGroup', `group ${groupID} does not exist`);
    this.store.quitGroup(groupID, session.userID);
    return { type: 'ack', rid };
  }

  groupInfo(groupID: string, rid: number): ServerFrame | Refusal {
    if (!this.store.hasGroup(groupID)) return refuse('noSuchGroup', `group ${groupID} does not exist`);
    return { type: 'groupInfo', rid, groupID, members: this.store.groupMembers(groupID) };
  }

  private outgoing(session: Session, groupID: string | null, payload: string, onlineUserOnly: boolean): Outgoing {
    const id = `${this.boot}-${(++this.nextMessage).toString(36)}`;
    return { id, from: session.userID, groupID, payload, sentAt: this.options.clock.now(), onlineUserOnly };
  }

  /** Online recipients get it now; offline ones get it stored (one transaction), or not at all if `onlineUserOnly`. */
  private route(m: Outgoing, recipients: readonly string[]): void {
    const offline: NewMessage[] = [];
    for (const to of recipients) {
      const session = this.sessions.get(to);
      if (session?.conn) {
        this.deliver(session, m, null);
        this.counters.relayed++;
      } else if (m.onlineUserOnly) {
        this.counters.droppedOffline++;
      } else {
        offline.push({ ...toStored(m, to), expiresAt: m.sentAt + this.options.offlineTtlMs });
      }
    }
    if (offline.length > 0) {
      this.store.storeMessages(offline);
      this.counters.stored += offline.length;
    }
  }
}

function toStored(m: Outgoing | Inflight, to: string): Omit<NewMessage, 'expiresAt'> {
  return { id: m.id, to, from: m.from, groupID: m.groupID, payload: m.payload, sentAt: m.sentAt };
}
