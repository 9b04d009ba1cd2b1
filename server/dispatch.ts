/**
 * Frame intake for one connection, cheapest check first: the rate (frames and bytes, per
 * connection and per user), the size, the nesting depth, JSON, the schema, authentication, then
 * the handler. Nothing recursive runs before the depth is known to be small. A refused frame
 * gets an `error` frame (with its `rid` when one was readable), is counted and logged (one short
 * line, rate-limited), and a client fault costs a strike; a connection out of strikes is closed
 * with 1008. Nothing from a connection that has not logged in ever reaches another user: before
 * login only `login` and `ping` are handled.
 */
import {
  CLIENT_FAULT_CODES,
  parseClientFrame,
  peekRid,
  type AnswerMeta,
  type CallMeta,
  type ClientFrame,
  type ErrorCode,
  type ServerFrame,
} from '../adapters/ws/protocol';
import type { TurnCommit } from './commit';
import { CONN_BYTES, CONN_FRAMES, type Conn, flatJson, type Settling } from './conn';
import type { Deadlines } from './deadlines';
import { frameUnits } from './fanout';
import type { Hub } from './hub';
import type { ThrottledLog } from './log';
import type { ResolvedOptions } from './options';
import { type Refusal, isDeferral, isRefusal, refuse } from './refusal';
import type { Presence } from './presence';
import { RelayOut } from './rooms';
import type { Session } from './session';
import { turnGrant } from './turn';

/** Refusals that say the client misbehaved (as opposed to an ordinary "no such group"). */
const STRIKES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([...CLIENT_FAULT_CODES, 'internal']);

/** Requests whose answer holds only once the turn's writes are committed. */
const DURABLE: ReadonlySet<ClientFrame['type']> = new Set<ClientFrame['type']>(['sendC2C', 'sendGroup', 'roomClaim']);

/**
 * Requests that change nothing: doing one again costs what remembering its answer would, and
 * its answer may be long (a member list), so it is not remembered.
 */
const READ_ONLY: ReadonlySet<ClientFrame['type']> = new Set<ClientFrame['type']>(['groupMembers', 'roomMembers']);

/**
 * Refusals that a change made on another node and not heard here yet may undo: a cluster decides them again
 * once its node has heard every change Redis had (an invitee's enter before its room's grant, say).
 */
const UNHEARD: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['notInvited', 'noSuchGroup', 'notGroupMember']);

/**
 * A cluster's second look at a refusal in {@link UNHEARD}, or at a {@link Deferral} once its `wait` settles: the
 * frame is handled again, later, the connection's next frames behind it.
 */
export type Recheck = (conn: Conn, data: Buffer, isBinary: boolean, wait?: Promise<void>) => void;

/** The fields a request may carry before its own, in this order (protocol.ts): no part of its identity. */
const FOLDED_FIELDS = [Buffer.from('"received":'), Buffer.from('"answered":')];

/**
 * The resend key of a request: its length and a 32-bit FNV-1a hash of its bytes, leaving out the
 * folded fields it starts with (`{"received":7,"answered":12,`: not part of the request). A
 * request resent after a reconnect is the same bytes under the same `rid`; the key tells a
 * client that reused a `rid` for another request (its own bug, which only ever hurts itself) in
 * all but 1 in 2^32 cases, for a tenth of a SHA-1 and no allocation.
 */
export function resendKey(data: Buffer): number {
  // `start` is where the request's own fields begin, less one (its `{` or the comma before them).
  let start = 0;
  for (const field of FOLDED_FIELDS) {
    const at = start + 1;
    if (data.length <= at + field.length || data.compare(field, 0, field.length, at, at + field.length) !== 0) continue;
    let i = at + field.length;
    while (i < data.length && (data[i] as number) >= 0x30 && (data[i] as number) <= 0x39) i++;
    if (data[i] !== 0x2c) break;
    start = i;
  }
  // Hashed as if the frame began `{` right there: the same as without the folded fields.
  let h = Math.imul(0x811c9dc5 ^ 0x7b, 0x01000193);
  for (let i = start + 1; i < data.length; i++) h = Math.imul(h ^ (data[i] as number), 0x01000193);
  return (data.length - start) * 0x1_0000_0000 + (h >>> 0);
}

type Request = Exclude<ClientFrame, { type: 'login' | 'ping' | 'received' }>;

/** The `rid` of a raw frame, read from its two ends only. */
export function ridOfRaw(data: Buffer): number | undefined {
  if (data.length <= 144) return peekRid(data.toString('utf8'));
  return peekRid(`${data.subarray(0, 96).toString('utf8')}\n${data.subarray(data.length - 48).toString('utf8')}`);
}

/** Turns raw frames into handler calls for the connections of one server. */
export class Dispatcher {
  constructor(
    private readonly hub: Hub,
    private readonly options: ResolvedOptions,
    private readonly log: ThrottledLog,
    private readonly presence: Presence,
    private readonly commit: TurnCommit,
    /** The connection's deadlines: a logout starts its login deadline anew. */
    private readonly deadlines: Pick<Deadlines, 'loggedOut'>,
    private readonly recheck?: Recheck,
  ) {}

  /**
   * Handles one frame as received from the socket; `admitted` when {@link admit} took its rate already
   * (a cluster's login gate checks it before it looks a login up in Redis); `rechecked` when a cluster
   * handles it again after a refusal ({@link UNHEARD}): this time the refusal is answered.
   */
  handle(conn: Conn, data: Buffer, isBinary: boolean, admitted = false, rechecked = false): void {
    if (conn.closed || (!admitted && !this.admit(conn, data, isBinary))) return;
    const { clock, limits } = this.options;
    const now = clock.now();
    if (data.length > limits.maxFrameBytes) return this.refuse(conn, 'tooLarge', `a frame is at most ${limits.maxFrameBytes} bytes`, undefined, 'maxFrameBytes');
    if (isBinary) return this.refuse(conn, 'badFrame', 'frames are JSON text');
    const read = parseClientFrame(data.toString('utf8'));
    if (!read.ok) return this.refuse(conn, read.code, read.message, read.rid);
    const frame = read.frame;
    if (frame.type === 'login') {
      const refusal = this.hub.login(conn, frame);
      if (refusal) this.refuse(conn, refusal.refused, refusal.message, frame.rid, refusal.limit);
      return;
    }
    const session = conn.session;
    if (session && frame.type !== 'received') {
      // Folded into a request: a receipt, confirmed first as if it came in a frame of its own;
      // the answers the client holds, no longer remembered for a resend.
      if (frame.answered !== undefined) session.forgetUpTo(frame.answered);
      if (frame.received !== undefined) {
        const refusal = this.hub.mailer.receipt(session, frame.received);
        if (refusal) return this.refuse(conn, refusal.refused, refusal.message, frame.rid);
      }
    }
    // A keepalive answer need not wait for a held ack (it would hold the client's clock offset too).
    if (frame.type === 'ping') {
      const turn = frame.turn && session && this.options.turn ? { turn: turnGrant(this.options.turn, session.userID, now, session.expiresAt) } : {};
      return conn.sendBeside({ type: 'pong', rid: frame.rid, serverTime: now, ...turn });
    }
    if (!session) return this.refuse(conn, 'notLoggedIn', 'log in first', 'rid' in frame ? frame.rid : undefined);
    if (frame.type === 'received') {
      const refusal = this.hub.mailer.receipt(session, frame.upTo, frame.except);
      if (refusal) this.refuse(conn, refusal.refused, refusal.message);
      return;
    }
    if (READ_ONLY.has(frame.type)) {
      const reply = this.request(conn, session, frame);
      if (isRefusal(reply) && this.decidedLater(reply, rechecked, conn, data, isBinary)) return;
      if (isRefusal(reply)) return this.refuse(conn, reply.refused, reply.message, frame.rid, reply.limit);
      return conn.send(reply);
    }
    // A request resent after a reconnect is answered as it was the first time, not redone.
    const key = resendKey(data);
    const earlier = session.replyTo(frame.rid, key);
    if (earlier) {
      // Its commit may still be under way: then the resend hears what the commit decides.
      if (earlier.committed) return conn.sendText(earlier.text);
      if (earlier.settling) return conn.sendSettled(earlier.text, earlier.settling, unavailable(frame.rid));
      return conn.sendDurableText(earlier.text, unavailable(frame.rid));
    }
    const [reply, pending] = this.hub.routing(() => this.request(conn, session, frame, key));
    if (isRefusal(reply)) {
      if (this.decidedLater(reply, rechecked, conn, data, isBinary)) return;
      session.remember(frame.rid, key, flatJson(errorFrame(reply, frame.rid)), true);
      return this.refuse(conn, reply.refused, reply.message, frame.rid, reply.limit);
    }
    const text = flatJson(reply);
    const rid = frame.rid;
    // A message handed before it was stored: the ack waits until it is stored or confirmed (mail.ts).
    // Cluster: a message waits for its moves to users elsewhere, a logout for Redis to take the session's end (hub.ts);
    // a held one for both (written as its window ended, a move still under way could be overtaken: cluster/outbox.ts).
    const moves = pending.length > 0 ? this.afterCommit(Promise.all(pending)) : undefined;
    const heldBack = this.hub.mailer.heldFor(reply);
    const held = heldBack && moves ? both(heldBack, moves) : (heldBack ?? moves);
    if (held) {
      session.rememberSettling(rid, key, text, held);
      return conn.sendSettled(text, held, unavailable(rid));
    }
    if (!DURABLE.has(frame.type) || !this.commit.pending) {
      session.remember(frame.rid, key, text, true);
      return conn.sendText(text);
    }
    const remembered = session.remember(frame.rid, key, text, false);
    this.commit.after(
      () => {
        remembered.committed = true;
      },
      () => {
        if (session.replyTo(rid, key) === remembered) session.forget(rid);
      },
    );
    conn.sendDurableText(text, unavailable(rid));
  }

  /**
   * A cluster's refusal in {@link UNHEARD}, or a deferral (a room's claim ordered in Redis), not decided again yet:
   * handed to {@link Recheck} (true), not answered now.
   */
  private decidedLater(reply: Refusal, rechecked: boolean, conn: Conn, data: Buffer, isBinary: boolean): boolean {
    if (!this.recheck) return false;
    // A claim sent by this very handling is waited for even on a second look (its first, another refusal decided again).
    const later = isDeferral(reply) ? !rechecked || reply.fresh === true : !rechecked && UNHEARD.has(reply.refused);
    if (!later) return false;
    this.recheck(conn, data, isBinary, isDeferral(reply) ? reply.wait : undefined);
    return true;
  }

  /**
   * What an ack waits for: this turn's commit (frames queued for it go first), then `pending` (it settles
   * either way). Settled once: a resend of the request in a later turn hears the same outcome, not that
   * later turn's commit.
   */
  private afterCommit(pending: Promise<unknown>): Settling {
    const outcome = new Promise<boolean>((done) => this.commit.after(() => void pending.then(() => done(true)), () => done(false)));
    return { whenSettled: (fn) => void outcome.then(fn) };
  }

  /**
   * The first check of a frame, the cheapest: its rate (frames and bytes, per connection, then per user
   * once the connection logged in), taken from the budgets. False when it is refused (a strike), or the
   * connection is closed.
   */
  admit(conn: Conn, data: Buffer, isBinary: boolean): boolean {
    if (conn.closed) return false;
    const now = this.options.clock.now();
    conn.lastSeen = now;
    const overRate = this.overRate(conn, data.length, now);
    if (!overRate) return true;
    this.refuse(conn, 'rateLimited', 'too many frames or bytes: slow down', isBinary ? undefined : ridOfRaw(data), overRate);
    return false;
  }

  /** Sends an error frame; a strike for misbehaviour, and the close once the strikes run out. */
  refuse(conn: Conn, code: ErrorCode, message: string, rid?: number, limit?: string): void {
    const { counters } = this.hub;
    counters.refuse(code);
    if (limit !== undefined) counters.limit(limit);
    this.log.warn('refused a frame', { conn: conn.id, user: conn.session?.userID, code, limit, message });
    conn.send({ type: 'error', ...(rid === undefined ? {} : { rid }), code, message });
    if (!STRIKES.has(code) || conn.strike(this.options.clock.now())) return;
    counters.refuse('tooManyErrors');
    counters.limit('maxStrikes');
    conn.send({ type: 'error', code: 'tooManyErrors', message: 'too many refused frames: closing' });
    this.log.warn('closing a misbehaving connection', { conn: conn.id, user: conn.session?.userID, last: code });
    conn.close(1008, 'too many refused frames');
  }

  /** Which budget a frame of `bytes` would overdraw, if any (per connection, then per user). */
  private overRate(conn: Conn, bytes: number, now: number): string | null {
    if (!conn.budget.take(CONN_FRAMES, now)) return 'connRate';
    if (!conn.budget.take(CONN_BYTES, now, bytes)) return 'connBytes';
    const user = conn.session?.userID;
    if (user === undefined) return null;
    if (!this.hub.budgets.take(user, 'frames', 1, now)) return 'userRate';
    if (!this.hub.budgets.take(user, 'bytes', bytes, now)) return 'userBytes';
    return null;
  }

  /** Spends `frames` frames and `bytes` bytes of the user's budgets; false when it cannot (frames already taken stay spent). */
  private afford(user: string, frames: number, bytes: number, now: number): boolean {
    const { budgets } = this.hub;
    if (!budgets.take(user, 'frames', frames, now)) return false;
    return budgets.take(user, 'bytes', bytes, now);
  }

  /** Spends the `fanout` budget for `notices` room notices (a full budget past its burst, never refused for ever). */
  private affordNotices(user: string, notices: number, now: number): boolean {
    return notices === 0 || this.hub.budgets.take(user, 'fanout', Math.min(notices, this.options.limits.fanout.burst), now);
  }

  /**
   * A cluster: an invitation carrying a room ID its node holds no grant of claims the room first, in Redis's
   * order, as `roomClaim` does (`server/cluster/grants.ts`); null, the invitation goes on (the room is its
   * sender's, or held here, or decided here).
   */
  private claimedFirst(user: string, frame: { readonly call?: { readonly roomID: number } }, now: number): Refusal | null {
    const ordered = frame.call ? (this.hub.grants.inOrder?.(user, frame.call.roomID, now) ?? null) : null;
    return ordered === 'won' ? null : ordered;
  }

  /** Requests of a logged-in session (everything but login, ping and receipts). */
  private request(conn: Conn, session: Session, frame: Request, key = 0): ServerFrame | Refusal {
    const { hub } = this;
    const { rooms, groups, grants, mailer } = hub;
    const user = session.userID;
    const now = this.options.clock.now();
    const notInvited = (roomID: number) => refuse('notInvited', `no invitation to room ${roomID} names ${user}`);
    switch (frame.type) {
      case 'logout':
        hub.logout(conn);
        this.deadlines.loggedOut(conn);
        return { type: 'ack', rid: frame.rid };
      case 'sendC2C':
        return (
          this.claimedFirst(user, frame, now) ??
          mailer.send(session, { groupID: null, payload: frame.payload, onlineUserOnly: frame.onlineUserOnly, ...call(frame, frame.to) }, [frame.to], frame.rid, key)
        );
      case 'sendGroup': {
        const recipients = groups.recipients(user, frame.groupID);
        if (isRefusal(recipients)) return recipients;
        const claimed = this.claimedFirst(user, frame, now);
        if (claimed) return claimed;
        // An invitation's grant names the group as it is now (another read of it: invitations only).
        const group = { groupID: frame.groupID, groupKey: frame.call ? groups.keyOf(frame.groupID) : undefined };
        return mailer.send(session, { ...group, payload: frame.payload, onlineUserOnly: frame.onlineUserOnly, ...call(frame) }, recipients, frame.rid, key);
      }
      case 'groupCreate':
        // Spent once nothing else refuses it (its ID taken, its owner's groups at their cap): those make nothing.
        return groups.create(user, frame.groupID, frame.members, frame.joinRule ?? 'invite', frame.rid, now, () =>
          hub.budgets.take(user, 'groups', 1, now) ? null : refuse('quotaExceeded', `a user creates at most ${this.options.limits.groupCreatesPerHour} groups an hour`, 'groupCreatesPerHour'),
        );
      case 'groupInvite':
        return groups.invite(user, frame.groupID, frame.members, frame.rid);
      case 'groupRemove':
        return groups.remove(user, frame.groupID, frame.members, frame.rid);
      case 'groupDelete':
        return groups.delete(user, frame.groupID, frame.rid);
      case 'groupJoin':
        return groups.join(user, frame.groupID, frame.rid);
      case 'groupQuit':
        return groups.quit(user, frame.groupID, frame.rid);
      case 'groupMembers':
        return groups.info(user, frame.groupID, frame.rid);
      case 'roomClaim': {
        // A cluster orders a room's first claim in Redis (`server/cluster/grants.ts`).
        const ordered = grants.inOrder?.(user, frame.roomID, now) ?? null;
        if (ordered === 'won') return { type: 'ack', rid: frame.rid };
        return ordered ?? grants.claim(user, frame.roomID, now) ?? { type: 'ack', rid: frame.rid };
      }
      case 'roomEnter': {
        if (session.room !== null && session.room !== frame.roomID) return refuse('alreadyInRoom', `already in room ${session.room}`);
        const entering = session.room !== frame.roomID;
        const viaGroup = frame.groupID === undefined ? undefined : groups.keyOf(frame.groupID);
        if (entering && !grants.allows(frame.roomID, user, now, viaGroup)) return notInvited(frame.roomID);
        // Many devices: one device of a user in a room; another answered there first.
        if (entering && hub.devicesOf(user).some((s) => s !== session && s.room === frame.roomID)) {
          return refuse('deviceInRoom', `another device of ${user} is in room ${frame.roomID}`);
        }
        const overQuota = entering ? grants.mayOccupy(frame.roomID, user, now) : null;
        if (overQuota) return overQuota;
        if (entering && !mailer.mayEnter(session, frame.roomID, false)) {
          return refuse('deviceInRoom', `another device of ${user} answered the call of room ${frame.roomID}`);
        }
        // Paid once nothing else refuses it, and before the answer is recorded for this device.
        if (!this.affordNotices(user, rooms.noticesOf(session, frame.roomID, frame.audio, frame.video), now)) return noticesRefused();
        if (entering) mailer.mayEnter(session, frame.roomID);
        const members = rooms.enter(session, frame.roomID, frame.audio, frame.video);
        if (!members) return refuse('alreadyInRoom', `already in room ${session.room}`);
        return { type: 'roomInfo', rid: frame.rid, roomID: frame.roomID, members };
      }
      case 'roomExit':
        if (!rooms.leave(session, frame.roomID, true)) return refuse('notInRoom', `not in room ${frame.roomID}`);
        return { type: 'ack', rid: frame.rid };
      case 'roomPublish':
        // Not in the room: refused before any charge (which would tell how many are in it).
        if (session.room === frame.roomID && !this.affordNotices(user, rooms.noticesOf(session, frame.roomID, frame.audio, frame.video), now)) return noticesRefused();
        if (!rooms.publish(session, frame.roomID, frame.audio, frame.video)) return refuse('notInRoom', `not in room ${frame.roomID}`);
        return { type: 'ack', rid: frame.rid };
      case 'roomMembers':
        if (session.room !== frame.roomID && !grants.allows(frame.roomID, user, now)) return notInvited(frame.roomID);
        return { type: 'roomInfo', rid: frame.rid, roomID: frame.roomID, members: rooms.members(frame.roomID) };
      case 'relay': {
        const { maxRelayBytes } = this.options.limits;
        if (frame.data.length > maxRelayBytes) return refuse('tooLarge', `relay data is at most ${maxRelayBytes} characters`, 'maxRelayBytes');
        // A relay to the whole room is a copy per member: every copy beyond the first (which the frame paid for) is
        // paid from the sender's budgets before any goes out, in the bytes of the frame it is written as (written once).
        const copies = frame.to === undefined && session.room === frame.roomID ? rooms.memberCount(frame.roomID) - 1 : 1;
        const out = new RelayOut(user, frame.roomID, frame.data);
        if (copies > 1 && !this.afford(user, copies - 1, (copies - 1) * Buffer.byteLength(out.text), now)) {
          return refuse('rateLimited', `relaying to ${copies} members: too many copies, slow down`, 'relayFanout');
        }
        // Many devices: a relay held for a ringing invitee goes early to each of its devices; those beyond the first pay
        // the fan-out budget, as a C2C message's copies to them do (`server/fanout.ts`), in the frame each is written
        // as (marked `held` and `early`): the relay counts them, before it holds or sends anything.
        const payEarly = (early: number, text: string) =>
          early <= 1 || hub.budgets.takeOwing(user, 'fanout', (early - 1) * frameUnits(text), now)
            ? null
            : refuse('rateLimited', `relaying early to ${early} devices of ${frame.to}: too many copies, slow down`, 'earlyRelays');
        const relayed = rooms.relay(session, frame.roomID, frame.to, out, payEarly);
        if (isRefusal(relayed)) return relayed;
        if (!relayed) return refuse('notInRoom', frame.to === undefined ? `not in room ${frame.roomID}` : `${frame.to} is not in room ${frame.roomID}`);
        return { type: 'ack', rid: frame.rid };
      }
      case 'presenceSubscribe':
        return this.presence.subscribe(conn, session.userID, frame.rid);
      case 'presenceUnsubscribe':
        return this.presence.unsubscribe(conn, frame.rid);
    }
  }
}

/**
 * The `call` and `answer` fields of a send, to spread into an outgoing message. An answer that does
 * not name its inviter (a client before it did) answers the user it goes to, when C2C (`to`).
 */
function call(frame: { readonly call?: CallMeta | undefined; readonly answer?: AnswerMeta | undefined }, to?: string): { call?: CallMeta; answer?: AnswerMeta } {
  const answer = frame.answer === undefined || frame.answer.inviter !== undefined || to === undefined ? frame.answer : { ...frame.answer, inviter: to };
  return { ...(frame.call === undefined ? {} : { call: frame.call }), ...(answer === undefined ? {} : { answer }) };
}

function noticesRefused(): Refusal {
  return refuse('rateLimited', 'room notices: too many members told too often, slow down', 'roomNotices');
}

function errorFrame(refusal: Refusal, rid: number): ServerFrame {
  return { type: 'error', rid, code: refusal.refused, message: refusal.message };
}

/** The answer to a durable request whose commit failed. */
function unavailableText(rid: number): string {
  return JSON.stringify(errorFrame(refuse('unavailable', 'the server could not store this: try again'), rid));
}

/**
 * What a request's answer says instead when what it waits for fails, made outside the handler: an arrow written inside
 * `Dispatcher.handle` shares the context of every closure there, the parsed request among them, and a held ack keeps
 * it for as long as it waits (60-250 ms, past a young collection or two: copied, then promoted). This one keeps `rid`.
 */
function unavailable(rid: number): () => string {
  return () => unavailableText(rid);
}

/** Settled once both are: true when both hold (once: a resend of the request hears the same). */
function both(first: Settling, second: Settling): Settling {
  const outcome = new Promise<boolean>((done) => first.whenSettled((ok) => second.whenSettled((also) => done(ok && also))));
  return { whenSettled: (fn) => void outcome.then(fn) };
}
