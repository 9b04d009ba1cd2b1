/**
 * Frame intake for one connection: size, rate, JSON, schema, authentication, then the handler.
 * A refused frame gets an `error` frame (with its `rid` when one was readable) and costs a
 * strike; a connection out of strikes is closed with 1008. Nothing from a connection that has
 * not logged in ever reaches another user: before login only `login` and `ping` are handled.
 */
import { createHash } from 'node:crypto';
import {
  CLIENT_FAULT_CODES,
  MAX_FRAME_BYTES,
  parseClientFrame,
  type ClientFrame,
  type ErrorCode,
  type ServerFrame,
} from '../adapters/ws/protocol';
import type { Conn, Session } from './conn';
import type { Hub, Refusal } from './hub';
import type { ResolvedOptions } from './options';
import type { Presence } from './presence';

/** Refusals that say the client misbehaved (as opposed to an ordinary "no such group"). */
const STRIKES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(CLIENT_FAULT_CODES);

/** Turns raw frames into handler calls for the connections of one server. */
export class Dispatcher {
  constructor(
    private readonly hub: Hub,
    private readonly options: ResolvedOptions,
    private readonly presence: Presence,
  ) {}

  /** Handles one frame as received from the socket. */
  handle(conn: Conn, data: Buffer, isBinary: boolean): void {
    if (conn.closed) return;
    const { clock } = this.options;
    const now = clock.now();
    conn.lastSeen = now;
    if (data.length > MAX_FRAME_BYTES) return this.refuse(conn, 'tooLarge', `a frame is at most ${MAX_FRAME_BYTES} bytes`);
    if (isBinary) return this.refuse(conn, 'badFrame', 'frames are JSON text');
    const read = parseClientFrame(data.toString('utf8'));
    // Receipts only confirm what the server itself sent, so they are bounded without the rate limit.
    const isReceipt = read.ok && read.frame.type === 'received';
    if (!isReceipt && !conn.rate.take(now)) {
      return this.refuse(conn, 'rateLimited', 'too many frames: slow down', read.ok ? ridOf(read.frame) : read.rid);
    }
    if (!read.ok) return this.refuse(conn, read.code, read.message, read.rid);
    const frame = read.frame;
    if (frame.type === 'login') {
      const refusal = this.hub.login(conn, frame);
      if (refusal) this.refuse(conn, refusal.refused, refusal.message, frame.rid);
      return;
    }
    if (frame.type === 'ping') return conn.send({ type: 'pong', rid: frame.rid, serverTime: now });
    const session = conn.session;
    if (!session) return this.refuse(conn, 'notLoggedIn', 'log in first', ridOf(frame));
    if (frame.type === 'received') {
      const refusal = this.hub.receipt(conn, frame.upTo);
      if (refusal) this.refuse(conn, refusal.refused, refusal.message);
      return;
    }
    // A request resent after a reconnect is answered as it was the first time, not redone.
    const digest = createHash('sha1').update(data).digest('base64');
    const earlier = session.replyTo(frame.rid, digest);
    if (earlier) return conn.send(earlier);
    const reply = this.request(conn, session, frame);
    const answer: ServerFrame = 'refused' in reply ? errorFrame(reply, frame.rid) : reply;
    session.remember(frame.rid, digest, answer);
    if ('refused' in reply) this.refuse(conn, reply.refused, reply.message, frame.rid);
    else conn.send(reply);
  }

  /** Requests of a logged-in session (everything but login, ping and receipts). */
  private request(conn: Conn, session: Session, frame: Exclude<ClientFrame, { type: 'login' | 'ping' | 'received' }>): ServerFrame | Refusal {
    const { hub } = this;
    const { rooms } = hub;
    switch (frame.type) {
      case 'logout':
        hub.logout(conn);
        return { type: 'ack', rid: frame.rid };
      case 'sendC2C':
        return hub.sendC2C(session, frame);
      case 'sendGroup':
        return hub.sendGroup(session, frame);
      case 'groupCreate':
        return hub.createGroup(frame.groupID, [session.userID, ...frame.members], frame.rid);
      case 'groupJoin':
        return hub.joinGroup(session, frame.groupID, frame.rid);
      case 'groupQuit':
        return hub.quitGroup(session, frame.groupID, frame.rid);
      case 'groupMembers':
        return hub.groupInfo(frame.groupID, frame.rid);
      case 'roomEnter': {
        const members = rooms.enter(session, frame.roomID, frame.audio, frame.video);
        if (!members) return { refused: 'alreadyInRoom', message: `already in room ${session.room}` };
        return { type: 'roomInfo', rid: frame.rid, roomID: frame.roomID, members };
      }
      case 'roomExit':
        if (!rooms.leave(session, frame.roomID)) return { refused: 'notInRoom', message: `not in room ${frame.roomID}` };
        return { type: 'ack', rid: frame.rid };
      case 'roomPublish':
        if (!rooms.publish(session, frame.roomID, frame.audio, frame.video)) return { refused: 'notInRoom', message: `not in room ${frame.roomID}` };
        return { type: 'ack', rid: frame.rid };
      case 'roomMembers':
        return { type: 'roomInfo', rid: frame.rid, roomID: frame.roomID, members: rooms.members(frame.roomID) };
      case 'relay':
        if (!rooms.relay(session, frame.roomID, frame.to, frame.data)) {
          return { refused: 'notInRoom', message: frame.to === undefined ? `not in room ${frame.roomID}` : `${frame.to} is not in room ${frame.roomID}` };
        }
        return { type: 'ack', rid: frame.rid };
      case 'presenceSubscribe':
        return this.presence.subscribe(conn, session.userID, frame.rid);
      case 'presenceUnsubscribe':
        return this.presence.unsubscribe(conn, frame.rid);
    }
  }

  /** Sends an error frame; a strike for misbehaviour, and the close once the strikes run out. */
  refuse(conn: Conn, code: ErrorCode, message: string, rid?: number): void {
    this.hub.counters.refuse(code);
    conn.send({ type: 'error', ...(rid === undefined ? {} : { rid }), code, message });
    if (!STRIKES.has(code) || conn.strikes.take(this.options.clock.now())) return;
    this.hub.counters.refuse('tooManyErrors');
    conn.send({ type: 'error', code: 'tooManyErrors', message: 'too many refused frames: closing' });
    this.options.logger.warn('closing a misbehaving connection', { conn: conn.id, user: conn.session?.userID, last: code });
    conn.close(1008, 'too many refused frames');
  }
}

function ridOf(frame: ClientFrame): number | undefined {
  return 'rid' in frame ? frame.rid : undefined;
}

function errorFrame(refusal: Refusal, rid: number): ServerFrame {
  return { type: 'error', rid, code: refusal.refused, message: refusal.message };
}
