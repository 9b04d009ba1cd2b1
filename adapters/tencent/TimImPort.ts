/**
 * `TimImPort`: the {@link ImPort} over Tencent IM (tim-js-sdk v2), sending and receiving the
 * signals as TSignaling does (spec/wire-protocol.md section 1): one TIM custom message per
 * signal, `payload.data` = the envelope our codec wrote, high priority, C2C or group
 * conversation, TSignaling's `sendMessage` options, and its offline replay after login.
 */
import type { Clock } from '../clock';
import { realClock } from '../clock';
import {
  ImPortError,
  type ConnectionState,
  type ImMessage,
  type ImPort,
  type SendOptions,
  type Unsubscribe,
} from '../ImPort';
import type { UserID } from '../../machines/types';
import { CredentialStore } from './credentials';
import { TIM_EVENT, TIM_TYPES, loadTim, type TimInstance, type TimModule } from './sdk';
import {
  customMessages,
  eventData,
  isRepeatLogin,
  kickedOutType,
  netState,
  replayableConversations,
  replayableMessages,
  timErrorCode,
  timErrorMessage,
  toImMessage,
  replayable,
  ServerTime,
  type TimCustomMessage,
} from './timMessages';
import { c2cCopyFor, timSendOptions, type OfflinePushOptions } from './timWire';

/** Options of {@link TimImPort}. */
export interface TimImPortOptions {
  /** The IM application's SDKAppID (used to create a TIM instance when none is given). */
  readonly SDKAppID: number;
  /** An existing TIM instance (`TIM.create(...)`); without one, tim-js-sdk is loaded and one is created. */
  readonly tim?: TimInstance;
  /** Where the tim-js-sdk module comes from when no instance is given (default: a dynamic import). */
  readonly loadTim?: () => Promise<TimModule>;
  /** Dates the offline push info; default real time. */
  readonly clock?: Pick<Clock, 'now'>;
  /** Where a successful login is recorded for the room port. */
  readonly credentials?: CredentialStore;
  /** Offline push texts for invitations. */
  readonly offlinePush?: OfflinePushOptions;
  /** How old a message may be and still be replayed after login, in ms (TSignaling: 30 s); an invitation is replayed while its own timeout runs (up to 300 s). */
  readonly offlineReplayWindowMs?: number;
  /** Where a listener's exception goes (default `console.error`); it never reaches TIM. */
  readonly onListenerError?: (error: unknown) => void;
}

/** Not logged in (spec 3.4 `USER_NOT_LOGGED_IN`). */
const NOT_LOGGED_IN = 2024;
/** TSignaling replays at most 20 conversations, 15 messages each (spec 1.7). */
const REPLAY_CONVERSATIONS = 20;
const REPLAY_MESSAGES = 15;
/**
 * How far back the replay reads for invitations, in ms: one rings for its own timeout, which
 * TUICallEngine lets the caller set (`call({ timeout })`). The Chat SDK's own replay reads 300 s.
 */
const REPLAY_INVITE_HORIZON_MS = 300_000;
/** How many delivered message IDs are remembered to drop a second copy (push and replay). */
const SEEN_LIMIT = 512;

interface Channels {
  message: ImMessage;
  kicked: string;
  connection: ConnectionState;
}

/** The IM port over one TIM instance. */
export class TimImPort implements ImPort {
  readonly credentials: CredentialStore;
  readonly #options: TimImPortOptions;
  readonly #clock: Pick<Clock, 'now'>;
  #tim: TimInstance | null;
  #loading: Promise<TimInstance> | null = null;
  #subscribed: TimInstance | null = null;
  /** The user whose login is in progress or done; messages are delivered once `#ready`. */
  #userID: UserID | null = null;
  #userSig = '';
  #ready = false;
  #pending: { resolve: () => void; reject: (error: ImPortError) => void } | null = null;
  /** The `login()` under way, joined by another of the same user and userSig. */
  #joinable: { userID: UserID; userSig: string; done: Promise<void> } | null = null;
  /** The current `login()` (none once logged out): one superseded by another is not TIM's to ask. */
  #attempt: object | null = null;
  /**
   * TIM's session, one step at a time: tim-js-sdk refuses a login while another's request is on
   * its way (REPEAT_LOGIN, 2025) and a logout before a login was answered (USER_NOT_LOGGED_IN,
   * 2024), and a login once one was answered resolves as a repeated login, whatever its userID.
   */
  #session: Promise<unknown> = Promise.resolve();
  /** The user this port's last `tim.login` signs TIM in as, until TIM is logged out or kicked. */
  #timUser: UserID | null = null;
  /** This port is logging TIM out itself: the SDK_NOT_READY that follows fails no login. */
  #timLoggingOut = false;
  readonly #seen: string[] = [];
  readonly #serverTime = new ServerTime();
  /** Per replay under way, what was pushed live since it began (it may settle a replayed invite). */
  readonly #replayWatchers = new Set<TimCustomMessage[]>();
  readonly #listeners: { [K in keyof Channels]: Set<(value: Channels[K]) => void> } = {
    message: new Set(),
    kicked: new Set(),
    connection: new Set(),
  };
  readonly #handlers = {
    ready: () => this.#onReady(),
    notReady: () => this.#onNotReady(),
    message: (event: unknown) => {
      const messages = customMessages(eventData(event));
      for (const watcher of this.#replayWatchers) watcher.push(...messages);
      this.#deliver(messages, 'live');
    },
    kicked: (event: unknown) => this.#onKicked(kickedOutType(event)),
    net: (event: unknown) => {
      const state = netState(event);
      if (state !== undefined) this.#emit('connection', state);
    },
  };

  constructor(options: TimImPortOptions) {
    this.#options = options;
    this.#tim = options.tim ?? null;
    this.#clock = options.clock ?? realClock;
    this.credentials = options.credentials ?? new CredentialStore(options.SDKAppID);
  }

  /**
   * Logs in to TIM; resolves once TIM is ready (`SDK_READY`), rejects with TIM's error code. A
   * login of the same user while one is under way joins it; another user's supersedes it, and
   * TIM is asked once it has answered the first, after logging TIM out of the user before.
   */
  login(userID: UserID, userSig: string): Promise<void> {
    const joinable = this.#joinable;
    if (joinable && joinable.userID === userID && joinable.userSig === userSig) return joinable.done;
    const done = this.#login(userID, userSig);
    const mine = { userID, userSig, done };
    this.#joinable = mine;
    const settled = () => {
      if (this.#joinable === mine) this.#joinable = null;
    };
    done.then(settled, settled);
    return done;
  }

  async #login(userID: UserID, userSig: string): Promise<void> {
    const tim = await this.#instance();
    this.#subscribe(tim);
    this.#pending?.reject(new ImPortError(NOT_LOGGED_IN, 'superseded by another login'));
    const attempt = {};
    this.#attempt = attempt;
    this.#userID = userID;
    this.#userSig = userSig;
    this.#ready = false;
    const ready = new Promise<void>((resolve, reject) => {
      this.#pending = { resolve, reject };
    });
    // It may be refused (SDK_NOT_READY, logout) before `tim.login` returns and it is awaited.
    ready.catch(() => undefined);
    let result: unknown;
    try {
      result = await this.#step(async () => {
        // Superseded (another login, a logout) while TIM answered the one before: `ready` has failed.
        if (this.#attempt !== attempt) return undefined;
        // TIM would stay signed in as the user before (repeatLogin): log it out first.
        if (this.#timUser !== null && this.#timUser !== userID) await this.#timLogout(tim);
        this.#timUser = userID;
        return tim.login({ userID, userSig }).catch((error: unknown) => {
          this.#timUser = null;
          throw error;
        });
      });
    } catch (error) {
      if (this.#attempt === attempt) {
        this.#attempt = null;
        this.#pending = null;
        this.#userID = null;
      }
      throw new ImPortError(timErrorCode(error, 70001), timErrorMessage(error), { cause: error });
    }
    // TIM was already logged in as this user (an app's own instance): no SDK_READY follows.
    if (this.#attempt === attempt && isRepeatLogin(result)) this.#onReady();
    await ready;
    void this.#replay(tim);
  }

  /** Logs TIM out, once what TIM's session is doing (a login not answered yet) is done. */
  async logout(): Promise<void> {
    const tim = this.#tim;
    this.#forget();
    if (!tim) return;
    await this.#step(async () => {
      // Another login took over meanwhile, or TIM is signed in by no login of this port.
      if (this.#attempt === null && this.#timUser !== null) await this.#timLogout(tim);
    });
  }

  sendToUser(to: UserID, payload: string, options: SendOptions): Promise<void> {
    return this.#send(to, TIM_TYPES.CONV_C2C, c2cCopyFor(payload, to), options);
  }

  sendToGroup(groupID: string, payload: string, options: SendOptions): Promise<void> {
    return this.#send(groupID, TIM_TYPES.CONV_GROUP, payload, options);
  }

  onMessage(listener: (message: ImMessage) => void): Unsubscribe {
    return this.#on('message', listener);
  }

  onKickedOut(listener: (reason: string) => void): Unsubscribe {
    return this.#on('kicked', listener);
  }

  onConnectionChange(listener: (state: ConnectionState) => void): Unsubscribe {
    return this.#on('connection', listener);
  }

  /** Stops listening to TIM (the instance itself is left as it is: it may be the app's). */
  dispose(): void {
    const tim = this.#subscribed;
    if (!tim) return;
    tim.off(TIM_EVENT.SDK_READY, this.#handlers.ready);
    tim.off(TIM_EVENT.SDK_NOT_READY, this.#handlers.notReady);
    tim.off(TIM_EVENT.MESSAGE_RECEIVED, this.#handlers.message);
    tim.off(TIM_EVENT.KICKED_OUT, this.#handlers.kicked);
    tim.off(TIM_EVENT.NET_STATE_CHANGE, this.#handlers.net);
    this.#subscribed = null;
  }

  async #instance(): Promise<TimInstance> {
    if (this.#tim) return this.#tim;
    this.#loading ??= (this.#options.loadTim ?? loadTim)().then((TIM) => {
      const tim = TIM.create({ SDKAppID: this.#options.SDKAppID });
      this.#tim = tim;
      return tim;
    });
    return this.#loading;
  }

  /** Listeners go on before the first login, so no TIM event is missed. */
  #subscribe(tim: TimInstance): void {
    if (this.#subscribed === tim) return;
    tim.on(TIM_EVENT.SDK_READY, this.#handlers.ready);
    tim.on(TIM_EVENT.SDK_NOT_READY, this.#handlers.notReady);
    tim.on(TIM_EVENT.MESSAGE_RECEIVED, this.#handlers.message);
    tim.on(TIM_EVENT.KICKED_OUT, this.#handlers.kicked);
    tim.on(TIM_EVENT.NET_STATE_CHANGE, this.#handlers.net);
    this.#subscribed = tim;
  }

  /** A step of TIM's session, after the steps before it (see `#session`). */
  #step<T>(op: () => Promise<T>): Promise<T> {
    const run = this.#session.then(op);
    this.#session = run.catch(() => undefined);
    return run;
  }

  async #timLogout(tim: TimInstance): Promise<void> {
    this.#timUser = null;
    this.#timLoggingOut = true;
    try {
      await tim.logout();
    } catch {
      // Not signed in after all (kicked out meanwhile): nothing to end.
    } finally {
      this.#timLoggingOut = false;
    }
  }

  #onReady(): void {
    // The SDK_READY of a login superseded by another user's (which logs TIM out first) is not hers.
    if (this.#userID === null || this.#timUser !== this.#userID) return;
    this.#ready = true;
    this.credentials.set(this.#userID, this.#userSig);
    const pending = this.#pending;
    this.#pending = null;
    pending?.resolve();
  }

  #onNotReady(): void {
    if (this.#timLoggingOut) return;
    this.#ready = false;
    const pending = this.#pending;
    this.#pending = null;
    pending?.reject(new ImPortError(NOT_LOGGED_IN, 'TIM is not ready'));
  }

  #onKicked(type: string): void {
    this.#timUser = null;
    if (this.#userID === null) return;
    this.#forget();
    this.#emit('kicked', type);
  }

  #forget(): void {
    this.#pending?.reject(new ImPortError(NOT_LOGGED_IN, 'logged out'));
    this.#attempt = null;
    this.#pending = null;
    this.#userID = null;
    this.#ready = false;
    this.credentials.clear();
  }

  async #send(to: string, conversationType: typeof TIM_TYPES.CONV_C2C | typeof TIM_TYPES.CONV_GROUP, data: string, options: SendOptions): Promise<void> {
    const tim = this.#tim;
    if (!tim || this.#userID === null || !this.#ready) throw new ImPortError(NOT_LOGGED_IN, 'not logged in');
    const push = { ...this.#options.offlinePush, ...options.offlinePush };
    try {
      const message = tim.createCustomMessage({ to, conversationType, priority: TIM_TYPES.MSG_PRIORITY_HIGH, payload: { data } });
      await tim.sendMessage(message, timSendOptions(data, { onlineUserOnly: options.onlineUserOnly, nowMs: this.#clock.now(), push }));
    } catch (error) {
      throw new ImPortError(timErrorCode(error, 65535), timErrorMessage(error), { cause: error });
    }
  }

  /**
   * TSignaling's offline replay (spec 1.7): recent custom messages, as if just received. Read from
   * the last page of each conversation, not only those TIM counts unread: TUICallEngine's invites
   * are counted nowhere (see `replayableConversations`). The pages are asked for at once (one
   * round trip, not one per conversation, as the Chat SDK's own replay does), and a page TIM
   * refuses (a group since dismissed) leaves out only its conversation. What was pushed live
   * meanwhile settles invitations too: a cancel that came while the pages were on their way
   * must not leave its invitation to ring.
   */
  async #replay(tim: TimInstance): Promise<void> {
    const now = this.#clock.now();
    const window = this.#options.offlineReplayWindowMs ?? 30_000;
    const horizon = now - Math.max(window, REPLAY_INVITE_HORIZON_MS);
    const self = this.#userID;
    const live: TimCustomMessage[] = [];
    this.#replayWatchers.add(live);
    try {
      const conversations = replayableConversations(await tim.getConversationList(), REPLAY_CONVERSATIONS);
      const pages = await Promise.allSettled(conversations.map(async (c) => tim.getMessageList({ conversationID: c.conversationID })));
      const batch = pages.flatMap((p) => (p.status === 'fulfilled' ? replayableMessages(p.value, horizon, REPLAY_MESSAGES) : []));
      // Stable by server time: conversations interleave as they were sent.
      const all = [...batch, ...live.filter((m) => !batch.some((b) => b.ID === m.ID))].sort((a, b) => a.time - b.time);
      // What was pushed live is seen already (`#deliver` skips it); a replay outlived by its login
      // (a logout, another user's login) delivers nothing.
      if (self !== null && this.#userID === self) this.#deliver(replayable(all, self, { nowMs: now, sinceMs: now - window }), 'replay');
    } catch {
      // The replay is best effort: a failed query only means nothing is replayed.
    } finally {
      this.#replayWatchers.delete(live);
    }
  }

  /**
   * Messages our own userID sent from another terminal (TIM's multi-terminal sync, `flow: 'out'`)
   * are delivered like any other: the core reads an answer of ours as answered elsewhere and
   * ignores the rest.
   */
  #deliver(messages: readonly TimCustomMessage[], how: 'live' | 'replay'): void {
    for (const message of messages) {
      if (this.#userID === null || !this.#ready || this.#seen.includes(message.ID)) continue;
      this.#seen.push(message.ID);
      if (this.#seen.length > SEEN_LIMIT) this.#seen.shift();
      const now = this.#clock.now();
      const sentAt = how === 'live' ? this.#serverTime.live(message.time, now) : this.#serverTime.sentAt(message.time, now);
      this.#emit('message', toImMessage(message, sentAt));
    }
  }

  #on<K extends keyof Channels>(channel: K, listener: (value: Channels[K]) => void): Unsubscribe {
    this.#listeners[channel].add(listener);
    return () => {
      this.#listeners[channel].delete(listener);
    };
  }

  #emit<K extends keyof Channels>(channel: K, value: Channels[K]): void {
    for (const listener of [...this.#listeners[channel]]) {
      try {
        listener(value);
      } catch (error) {
        (this.#options.onListenerError ?? console.error)(error);
      }
    }
  }
}
