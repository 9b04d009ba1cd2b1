/**
 * One client's WebSocket to the embedded server, shared by its IM port and its room port.
 *
 * ```
 *  idle ──login()──► connecting ──open──► authenticating ──loggedIn──► ready
 *   ▲                                          │ refused                 │ socket lost / keepalive or logout unanswered
 *   │◄─────────────────────────────────────────┘                         ▼
 *   │◄── logout(), kicked, policy gives up ─────────────────────── reconnecting ──(policy delay)──► connecting
 * ```
 *
 * Requests get a `rid` and resolve with the server's answer or reject with an `ImPortError`:
 * none is dropped silently. A request made while reconnecting waits; after re-authentication
 * (resuming the server-side session, so a resent request is answered, not redone) every
 * unanswered request is sent again. A request unanswered after `requestTimeoutMs` rejects.
 * Received messages are confirmed (`received`) so the server keeps unconfirmed ones for the next
 * connection; a message seen twice (redelivered after a drop) is passed on once. What a login is handed
 * from the store is held until the server marks its end, and what settled meanwhile is not told (`backlog.ts`).
 * What the server says of its clock and of TURN servers, in `loggedIn` and `pong`, the keepalive learns.
 */
import type { UserID } from '../../machines/types';
import { type Clock, type TimerId, realClock } from '../clock';
import type { ConnectionState, Unsubscribe } from '../ImPort';
import { fromServer, loginRefusal, NO_NETWORK, NOT_LOGGED_IN, UNKNOWN, WsPortError } from './errors';
import { Listeners } from './listeners';
import { CLOSE, PROTOCOL_VERSION, parseServerFrame, type ClientRequest, type PushFrame, type ReplyFrame, type ServerFrameOf } from './protocol';
import { Inbox, type ReceiptTimer } from './inbox';
import { Keepalive } from './keepalive';
import { encodeRequest, type Pending, PendingRequests } from './requests';
import { DefaultReconnectPolicy, letGo, OPEN, retryDelay, type ReconnectPolicy, type WebSocketConstructor, type WebSocketLike } from './socket';
import { deviceOf, urlsOf, type Reconnection, type WsConnectionOptions } from './connectionOptions';
import { Backlog } from './backlog';
import { OutRate, counted } from './outRate';
import { Delivery } from './delivery';

export type { Reconnection, WsConnectionOptions } from './connectionOptions';

type Phase = 'idle' | 'connecting' | 'authenticating' | 'ready' | 'reconnecting';

/** How long a logout waits for the server's answer before its socket is taken for dead. */
const LOGOUT_WAIT_MS = 5_000;

/** A client's connection to the embedded server. */
export class WsConnection {
  /** The logged-in user, or `null`. */
  userID: UserID | null = null;
  /** The server holds a relay to an invited user until that user enters (its last `loggedIn` said `heldRelays`). */
  relaysHeld = false;
  /** The server takes receipts that keep some messages unconfirmed (`except`): a backlog's invitations wait for its end (`backlog.ts`). */
  private partialReceipts = false;
  /** The server tells each invitation's copy the room it granted (`callGrants`); older servers do not. */
  callGrants = false;
  private phase: Phase = 'idle';
  private socket: WebSocketLike | null = null;
  private credentials: { readonly userID: UserID; readonly userSig: string } | null = null;
  private session: string | null = null;
  private nextRid = 1;
  /** Many devices: the `device` field of our logins (empty when off). */
  private readonly device: { readonly device?: string };
  private loginRid = -1;
  private login$: { resolve: () => void; reject: (error: Error) => void } | null = null;
  private loggingOut: Promise<void> | null = null;
  private logoutDeadline: TimerId = null; // the logout's socket was lost: when it is done here (see `lost`)
  /** How many times logout() was called: a login() waiting for one gives up if another is asked for. */
  private logouts = 0;
  private readonly pending: PendingRequests;
  private outage: { start: number; retries: number; reason: string; timer: TimerId } | null = null;
  private readonly keepalive: Keepalive;
  /** When the login went out (its answer tells the server's clock). */
  private loginSentAt = 0;
  // Once `logout` is written the server takes no receipt (it would count a refusal): what comes
  // after it stays unconfirmed, and the server delivers it again at the next login.
  private readonly inbox = new Inbox((upTo, except) => {
    if (this.phase !== 'ready' || this.loggingOut !== null || this.socket?.readyState !== OPEN) return false;
    this.socket.send(JSON.stringify({ type: 'received', upTo, ...(except.length > 0 ? { except } : {}) }));
    return true;
  });
  /** The messages of a login's backlog, held until its end (`backlog.ts`). */
  private readonly backlog = new Backlog<ServerFrameOf<'message'>>();
  private readonly clock: Clock;
  private readonly WS: WebSocketConstructor;
  readonly rate: OutRate; // the server's rate and limits, as every frame written spends it
  /** The spacing of folded receipts, on the connection's clock (`inbox.ts`). */
  private readonly receiptTimer: ReceiptTimer = (fn, ms) => this.clock.clearTimeout.bind(this.clock, this.clock.setTimeout(fn, ms));
  private readonly policy: ReconnectPolicy;
  private readonly onListenerError: (error: unknown) => void;

  /** Server pushes other than `message` and `kicked`: room notices and relays. */
  readonly pushes: Listeners<PushFrame>;
  /** IM messages, once each; a listener may take over the receipt (`defer`, see `ImMessage`). */
  readonly messages: Listeners<ServerFrameOf<'message'> & { readonly defer: () => () => void }>;
  readonly kicked: Listeners<string>;
  readonly states: Listeners<ConnectionState>;
  /** After a drop, once logged in again (before unanswered requests are resent). */
  readonly reconnections: Listeners<Reconnection>;
  /** The connection is gone for good (logout, kick, the policy gave up): rooms are lost; `error` is what pending requests failed with. */
  readonly ended: Listeners<{ readonly why: string; readonly error: Error }>;
  /** The messages told to the app and the requests written around them (`delivery.ts`). */
  private readonly delivery: Delivery;

  private readonly urls: readonly string[];
  /** The URL dialled last (an index into {@link WsConnection.urls}). */
  private urlIndex = 0;
  /** URLs that failed during the app's own login(), before any session: the next is tried at once. */
  private failedFirst = 0;

  constructor(private readonly options: WsConnectionOptions) {
    this.clock = options.clock ?? realClock;
    this.urls = urlsOf(options); // the options' TypeErrors first, also in Node 20 (no WebSocket)
    this.device = deviceOf(options);
    const WS = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!WS) throw new Error('no WebSocket implementation: pass { WebSocket } (e.g. from the ws package)');
    this.rate = new OutRate(this.clock);
    this.WS = counted(WS, this.rate);
    this.policy = options.reconnect ?? new DefaultReconnectPolicy();
    this.onListenerError = options.onListenerError ?? ((error) => console.error(error));
    this.pending = new PendingRequests(this.clock, (entry) => this.timedOut(entry));
    const ping = (timeoutMs: number, turn: boolean) =>
      this.phase !== 'ready' ? null : this.request({ type: 'ping', ...(turn ? { turn } : {}) }, { replay: false, timeoutMs }).then((reply) => (reply.type === 'pong' ? reply : null));
    this.keepalive = new Keepalive(this.clock, this.options.keepalive, ping);
    const make = <T>() => new Listeners<T>(this.onListenerError);
    this.pushes = make();
    this.messages = make();
    this.kicked = make();
    this.states = make();
    this.reconnections = make();
    this.ended = make();
    this.delivery = new Delivery(this.messages, this.pending, this.inbox, () => this.socket, () => this.phase === 'ready' && this.loggingOut === null);
  }

  /** The URL dialled now (or last). */
  get url(): string {
    return this.urls[this.urlIndex] as string;
  }

  /** Logged in and connected now. */
  get ready(): boolean {
    return this.phase === 'ready';
  }

  /** Many devices: this client logs in as one device of its user. */
  get multiDevice(): boolean {
    return this.device.device !== undefined;
  }

  /** The server's clock minus this client's, in ms (0 until the first login). */
  get serverTimeOffset(): number {
    return this.keepalive.offset;
  }

  /** The TURN servers the server hands out (`--turn-urls`), with this user's credentials, renewed as they age; none without. */
  get iceServers(): ReadonlyArray<RTCIceServer> {
    return this.keepalive.turn;
  }

  /** A time stamped by the server (ms), on this client's clock. */
  toLocalTime(serverMs: number): number {
    return serverMs - this.keepalive.offset;
  }

  /** Connects (if needed) and authenticates; a different user logged in on it is logged out first. */
  async login(userID: UserID, userSig: string): Promise<void> {
    if (!userSig) throw new WsPortError(70001, 'userSig is empty', 'userSigMissing');
    // A logout under way (its frame waiting for a reconnect, say) ends its session first: sent after
    // this login, it would end the new one (TRTCCalling's logout() settles without waiting for it).
    // A logout() asked for meanwhile (destroy(), or logout() as this waits) abandons this login.
    const logouts = this.logouts;
    if (this.loggingOut !== null) await this.loggingOut;
    if (this.logouts !== logouts) throw new WsPortError(NOT_LOGGED_IN, 'logged out before the login went out');
    if (this.userID !== null && this.userID !== userID) await this.logout();
    this.login$?.reject(new WsPortError(UNKNOWN, 'superseded by a newer login()'));
    this.credentials = { userID, userSig };
    return new Promise<void>((resolve, reject) => {
      this.login$ = { resolve, reject };
      if (this.phase === 'ready' || this.phase === 'authenticating') this.sendLogin();
      else if (this.phase === 'idle') {
        this.failedFirst = 0;
        this.connect();
      }
      // connecting / reconnecting: the login goes out once the socket opens.
    });
  }

  /**
   * Logs out (after everything sent before it is answered) and closes the socket. The `logout`
   * frame is written before this returns; a second call while one is under way joins it. Unanswered in 5 s, its socket is
   * taken for dead; a lost socket's reconnections have 5 s to deliver it, then it is done here (see `lost`).
   */
  logout(): Promise<void> {
    this.logouts++;
    this.loggingOut ??= this.logoutNow().finally(() => void (this.loggingOut = null));
    return this.loggingOut;
  }

  private async logoutNow(): Promise<void> {
    if (this.phase === 'ready') {
      this.inbox.flush();
      // Unanswered in 5 s (a login() may wait for it), the socket is taken for dead: the reconnection sends what it held.
      const socket = this.socket;
      const probe = this.clock.setTimeout(() => this.dead(socket, 'logout unanswered'), LOGOUT_WAIT_MS);
      await this.request({ type: 'logout' }).catch(() => undefined);
      this.clock.clearTimeout(probe);
    }
    this.toIdle(new WsPortError(NOT_LOGGED_IN, 'logged out'), 'logout');
  }

  /** Sends a request; resolves with the server's answer, rejects with an `ImPortError`. */
  request(request: ClientRequest, options: { replay?: boolean; timeoutMs?: number } = {}): Promise<ReplyFrame> {
    if (this.phase === 'idle') return Promise.reject(new WsPortError(NOT_LOGGED_IN, 'not logged in'));
    const rid = this.nextRid++;
    let text: string;
    try {
      text = encodeRequest(request, rid);
    } catch (error) {
      return Promise.reject(error);
    }
    const timeoutMs = options.timeoutMs ?? this.options.requestTimeoutMs ?? 30_000;
    const noAnswer = () => new WsPortError(NO_NETWORK, 'no answer from the server in time');
    const { entry, answer } = this.pending.add(rid, text, options.replay ?? true, timeoutMs, noAnswer);
    if (this.phase === 'ready') this.delivery.transmit(entry);
    return answer;
  }

  // -------------------------------------------------------------------------------------------
  // Socket life

  private connect(): void {
    this.phase = 'connecting';
    let socket: WebSocketLike;
    try {
      socket = new this.WS(this.url);
    } catch (error) {
      this.clock.setTimeout(() => this.lost(`cannot open ${this.url}: ${String(error)}`, error), 0);
      return;
    }
    this.socket = socket;
    this.keepalive.watchLogin(this.options.loginTimeoutMs ?? 15_000, () => {
      letGo(socket, 4008, 'login timeout');
      this.lost('no answer to the login in time');
    });
    let failure: unknown; // the error event, if one came: Node's `ws` puts the ECONNREFUSED error in it
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.phase = 'authenticating';
      this.sendLogin();
    };
    socket.onmessage = (event) => {
      if (this.socket === socket) this.onFrame(event.data);
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (event.code === CLOSE.kicked) return this.kickedOut('multipleAccount');
      if (event.code === CLOSE.expired) return this.kickedOut('userSigExpired');
      if (event.code === 1008) return this.kickedOut('closedByServer');
      this.lost(`closed ${event.code} ${event.reason}`.trim(), failure ?? event);
    };
    socket.onerror = (event) => void (failure = event); // a close event follows
  }

  private sendLogin(): void {
    const credentials = this.credentials;
    if (!credentials || !this.socket || this.socket.readyState !== OPEN) return;
    this.loginRid = this.nextRid++;
    this.loginSentAt = this.clock.now();
    const resume = this.session === null ? {} : { resume: this.session };
    this.socket.send(JSON.stringify({ type: 'login', rid: this.loginRid, ...credentials, ...resume, protocol: PROTOCOL_VERSION, ...this.device, backlog: true }));
  }

  private onLoggedIn(frame: ServerFrameOf<'loggedIn'>): void {
    const wasReconnect = this.outage !== null;
    if (this.outage) this.clock.clearTimeout(this.outage.timer);
    this.outage = null;
    if (this.session !== frame.session) {
      this.inbox.newSession();
      this.delivery.toldAnswered = 0;
    } else this.inbox.resumed();
    this.inbox.forUser(frame.userID);
    this.inbox.fold(frame.foldedReceipts === true ? this.receiptTimer : null, frame.multiDevice === true, this.rate.learn(frame.limits));
    this.session = frame.session;
    this.userID = frame.userID;
    this.relaysHeld = frame.heldRelays === true;
    this.partialReceipts = frame.partialReceipts === true;
    this.callGrants = frame.callGrants === true;
    this.keepalive.learn(frame.serverTime, this.loginSentAt, frame.turn ?? null);
    this.phase = 'ready';
    if (frame.backlog === true) this.backlog.start();
    else this.endBacklog(false); // a server that marks none (what a lost connection held goes now)
    this.login$?.resolve();
    this.login$ = null;
    this.states.emit('connected');
    if (wasReconnect) this.reconnections.emit({ resumed: frame.resumed, room: frame.room });
    for (const entry of this.pending.all()) this.delivery.transmit(entry);
    this.inbox.flush(); // what was taken before it was in (no request carried it)
    this.keepalive.arm();
  }

  private onLoginRefused(frame: ServerFrameOf<'error'>): void {
    const error = fromServer(frame.code, frame.message);
    const verdict = loginRefusal(frame.code, this.outage !== null, this.session === null && this.failedFirst + 1 < this.urls.length);
    if (verdict === 'kicked') return this.kickedOut(frame.code === 'sessionSuperseded' ? 'multipleAccount' : frame.code);
    if (verdict === 'drop') {
      letGo(this.socket, 1000, 'login refused');
      return this.lost(`login refused: ${frame.code}`, error);
    }
    this.login$?.reject(error);
    this.login$ = null;
    this.credentials = null;
    this.toIdle(new WsPortError(NOT_LOGGED_IN, 'not logged in'), 'login refused');
  }

  /** The socket is gone without a verdict: retry per policy, unless nothing is logged in. A 2805 it makes has `cause` as its own. */
  private lost(reason: string, cause?: unknown): void {
    const noNetwork = (message: string) => new WsPortError(NO_NETWORK, message, undefined, { cause });
    this.socket = null;
    this.keepalive.disarm();
    if (this.phase === 'idle') return;
    if (this.session === null && ++this.failedFirst < this.urls.length) {
      // Never got in, and a cluster has other nodes: the next one, at once (each is tried once).
      this.urlIndex = (this.urlIndex + 1) % this.urls.length;
      this.connect();
      return;
    }
    if (this.session === null) {
      // Never got in anywhere: the app's login() fails, no retry.
      this.login$?.reject(noNetwork(`cannot reach ${this.url} (${reason})`));
      this.login$ = null;
      this.toIdle(noNetwork('no connection'), reason);
      return;
    }
    // A logout whose socket is lost has LOGOUT_WAIT_MS for the policy's reconnections to deliver it (with what its socket held, a
    // hang-up's CANCEL); then it is done here: a login() waits for it, and the server ends the session by its own grace.
    const logout = this.loggingOut;
    const undelivered = () => this.loggingOut === logout && this.toIdle(noNetwork('logout unanswered'), 'logout unanswered');
    if (logout !== null && this.logoutDeadline === null) this.logoutDeadline = this.clock.setTimeout(undelivered, LOGOUT_WAIT_MS);
    if (this.outage === null) {
      this.outage = { start: this.clock.now(), retries: 0, reason, timer: null };
      this.states.emit('connecting');
    }
    this.outage.reason = reason;
    this.phase = 'reconnecting';
    this.pending.unsend(noNetwork('connection lost'));
    const outage = this.outage;
    const delay = retryDelay(this.policy, { retryCount: outage.retries, elapsedMs: this.clock.now() - outage.start, reason }, this.onListenerError);
    if (delay === null) {
      this.toIdle(noNetwork(`connection lost: ${reason}`), `gave up reconnecting: ${reason}`);
      return;
    }
    // A cluster: the next node (the one just lost may be gone for good).
    this.urlIndex = (this.urlIndex + 1) % this.urls.length;
    outage.timer = this.clock.setTimeout(() => {
      if (this.outage !== outage || this.phase !== 'reconnecting') return;
      outage.retries++;
      this.connect();
    }, Math.max(0, delay));
  }

  private kickedOut(reason: string): void {
    if (this.phase === 'idle') return;
    // The IM hears it before the room loses its place, so a call ends as kicked out, not as failed.
    this.kicked.emit(reason);
    this.toIdle(new WsPortError(NOT_LOGGED_IN, `kicked out (${reason})`), `kicked: ${reason}`);
  }

  /** Back to no connection: everything pending fails with `error`. */
  private toIdle(error: Error, why: string): void {
    const wasIn = this.phase !== 'idle' && this.session !== null;
    this.phase = 'idle';
    this.keepalive.disarm();
    this.keepalive.turn = []; // the user's own: the next login brings its own, or none
    if (this.outage) this.clock.clearTimeout(this.outage.timer);
    this.outage = null;
    this.clock.clearTimeout(this.logoutDeadline);
    this.logoutDeadline = null;
    letGo(this.socket, 1000, 'client done');
    this.socket = null;
    this.login$?.reject(error);
    this.login$ = null;
    this.pending.failAll(error);
    this.userID = null;
    this.session = null;
    this.inbox.newSession();
    this.backlog.discard(this.inbox, (frame) => frame.id);
    if (wasIn) {
      this.states.emit('disconnected');
      this.ended.emit({ why, error });
    }
  }

  // -------------------------------------------------------------------------------------------
  // Frames

  private onFrame(data: unknown): void {
    const read = typeof data === 'string' ? parseServerFrame(data) : null;
    if (!read?.ok) {
      this.onListenerError(new Error(`ignored a frame the server should not send: ${read ? read.message : 'binary'}`));
      return;
    }
    const frame = read.frame;
    switch (frame.type) {
      case 'loggedIn':
        if (frame.rid === this.loginRid) this.onLoggedIn(frame);
        // An earlier login() on this socket, answered while a newer one is out: the messages that come
        // now are that session's, which the newer login keeps (their receipts go once it is in).
        else if (this.phase === 'authenticating' && this.session === null && frame.userID === this.credentials?.userID) this.session = frame.session;
        return;
      case 'error':
        if (frame.rid !== undefined && frame.rid === this.loginRid) return this.onLoginRefused(frame);
        if (frame.rid !== undefined) return this.pending.fail(frame.rid, fromServer(frame.code, frame.message));
        this.onListenerError(new WsPortError(UNKNOWN, `server: ${frame.message}`, frame.code));
        return;
      case 'ack':
      case 'pong':
      case 'groupInfo':
      case 'roomInfo':
        return this.pending.answer(frame.rid, frame);
      case 'message':
        return this.onMessage(frame);
      case 'backlog':
        return this.endBacklog(frame.more);
      case 'kicked':
        return this.kickedOut(frame.reason);
      default:
        this.pushes.emit(frame);
    }
  }

  private onMessage(frame: ServerFrameOf<'message'>): void {
    // Logging out (a session resumed to send it gets them again): neither the app's nor confirmed, kept for the user.
    if (this.loggingOut !== null) return;
    const taken = this.inbox.accept(frame.id, frame.seq); // null: a redelivery, passed on before
    if (taken && !this.backlog.hold(frame, taken)) this.delivery.deliver(frame, taken);
  }

  /** The backlog's end (`more`: as far as the window goes): what it held is told, but what settled while away. Logging out: kept (see `onMessage`). */
  private endBacklog(more: boolean): void {
    if (this.loggingOut !== null) return;
    const setAside = this.partialReceipts ? (frame: ServerFrameOf<'message'>) => this.inbox.setAside(frame.id, frame.seq) : undefined;
    this.backlog.release(this.userID ?? '', more, (frame, taken) => this.delivery.deliver(frame, taken), setAside);
  }

  /** An unanswered keepalive means the socket is dead even if it has not said so. */
  private timedOut(entry: Pending): void {
    if (!entry.replay && entry.sent) this.dead(this.socket, 'keepalive timeout');
  }

  /** `socket`, still this connection's and logged in, is taken for dead (gone half-open, it says nothing). */
  private dead(socket: WebSocketLike | null, why: string): void {
    if (this.socket !== socket || this.phase !== 'ready' || !socket) return;
    letGo(socket, 4008, why);
    this.lost(why);
  }

  /** Subscribes to the connection state (`connected`, `connecting` while reconnecting, `disconnected`). */
  onState(listener: (state: ConnectionState) => void): Unsubscribe {
    return this.states.add(listener);
  }
}
