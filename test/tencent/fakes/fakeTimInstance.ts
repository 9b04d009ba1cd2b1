/**
 * The fake TIM instance (tim-js-sdk v2 `ChatSDK`, the methods the IM port uses), against the
 * fake IM server of fakeTim.ts.
 */
import type TIM from 'tim-js-sdk';
import type { Message } from 'tim-js-sdk';
import * as v from 'valibot';
import { TIM_EVENT, TIM_TYPES, type TimInstance, type TimMessageOptions } from '../../../adapters/tencent/sdk';
import type { FakeTimCloud } from './fakeTim';

/** A TIM-style error: an `Error` with a numeric `code`. */
export class TimError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

type Handler = (event: { name: string; data?: unknown }) => void;

/** One TIM instance. */
export class FakeTim implements TimInstance {
  userID: string | null = null;
  ready = false;
  /** A login's request is on its way (tim-js-sdk's `_lastLoginTs`). */
  #loggingIn = false;
  readonly #handlers = new Map<string, Set<Handler>>();

  constructor(readonly cloud: FakeTimCloud) {}

  on(eventName: string, handler: Handler): void {
    const set = this.#handlers.get(eventName) ?? new Set<Handler>();
    set.add(handler);
    this.#handlers.set(eventName, set);
  }

  off(eventName: string, handler: Handler): void {
    this.#handlers.get(eventName)?.delete(handler);
  }

  /** How many handlers are registered for an event (for leak checks). */
  listenerCount(eventName: string): number {
    return this.#handlers.get(eventName)?.size ?? 0;
  }

  /**
   * As tim-js-sdk 2.27.6's `SignModule.login`: a login made while another one's request is on its
   * way (sent, not yet answered: `_lastLoginTs`, within 15 s) is refused, `REPEAT_LOGIN` (2025);
   * one made once a login was answered (`isLoggedIn()`, before `SDK_READY` too) resolves as a
   * repeated login, whatever its userID: TIM stays signed in as it was.
   */
  async login(options: { userID: string; userSig: string }): Promise<{ code: number; data: { repeatLogin: boolean } }> {
    const { userID, userSig } = options;
    if (this.userID !== null) return { code: 0, data: { repeatLogin: true } };
    if (this.#loggingIn) throw new TimError(2025, 'repeat login: a login is in progress');
    if (!userID || !userSig) throw new TimError(70001, 'userSig is invalid');
    this.#loggingIn = true;
    await new Promise<void>((resolve) => this.cloud.loginStep(resolve));
    this.#loggingIn = false;
    this.userID = userID;
    this.cloud.signIn(this, userID);
    this.cloud.loginStep(() => {
      if (this.userID !== userID) return;
      this.ready = true;
      this.#emit(TIM_EVENT.NET_STATE_CHANGE, { state: TIM_TYPES.NET_STATE_CONNECTED });
      this.#emit(TIM_EVENT.SDK_READY);
    });
    return { code: 0, data: { repeatLogin: false } };
  }

  /** The network under this instance changes, as TIM reports it (`NET_STATE_CHANGE`): a test's knob. */
  netState(state: 'connected' | 'connecting' | 'disconnected'): void {
    const value = { connected: TIM_TYPES.NET_STATE_CONNECTED, connecting: TIM_TYPES.NET_STATE_CONNECTING, disconnected: TIM_TYPES.NET_STATE_DISCONNECTED }[state];
    this.#emit(TIM_EVENT.NET_STATE_CHANGE, { state: value });
  }

  /** As tim-js-sdk's `SignModule.logout`: refused when not logged in (`USER_NOT_LOGGED_IN`, 2024). */
  async logout(): Promise<void> {
    if (this.userID === null) throw new TimError(2024, 'user not logged in');
    this.cloud.signOut(this, this.userID);
    this.userID = null;
    this.ready = false;
    this.#emit(TIM_EVENT.SDK_NOT_READY);
  }

  createCustomMessage(options: TimMessageOptions): Message {
    if (!options.to) throw new TimError(2003, 'to is empty');
    if (options.conversationType !== TIM_TYPES.CONV_C2C && options.conversationType !== TIM_TYPES.CONV_GROUP) {
      throw new TimError(2002, 'invalid conversationType');
    }
    const payload = v.parse(v.object({ data: v.string() }), options.payload);
    return {
      ID: this.cloud.newID(),
      type: TIM_TYPES.MSG_CUSTOM,
      payload,
      conversationID: `${options.conversationType}${options.to}`,
      conversationType: options.conversationType,
      to: options.to,
      from: this.userID ?? '',
      flow: 'out',
      time: Math.floor(this.cloud.clock.now() / 1000),
      status: 'unSend',
      isRevoked: false,
      priority: options.priority ?? timEnum<TIM.TYPES.MSG_PRIORITY_NORMAL>('Normal'),
      nick: '',
      avatar: '',
      isPeerRead: false,
      nameCard: '',
      atUserList: [],
      cloudCustomData: options.cloudCustomData ?? '',
      isDeleted: false,
      isModified: false,
      needReadReceipt: options.needReadReceipt ?? false,
      readReceiptInfo: {},
      isBroadcastMessage: false,
    } satisfies Message;
  }

  async sendMessage(message: Message, options?: unknown): Promise<{ code: number; data: { message: Message } }> {
    if (this.userID === null || !this.ready) throw new TimError(6014, 'SDK is not ready');
    this.cloud.route(this.userID, message, options, this);
    return { code: 0, data: { message: { ...message, status: 'success' } } };
  }

  /** tim-js-sdk's `modifyMessage`: the message's new payload reaches every copy (fakeTim.ts `modify`). */
  async modifyMessage(message: Message): Promise<{ code: number; data: { message: Message } }> {
    if (this.userID === null || !this.ready) throw new TimError(6014, 'SDK is not ready');
    return { code: 0, data: { message: this.cloud.modify(this.userID, message, this) } };
  }

  async getConversationList(): Promise<{ code: number; data: { conversationList: unknown[] } }> {
    if (this.userID === null) throw new TimError(6014, 'SDK is not ready');
    return { code: 0, data: { conversationList: this.cloud.conversations(this.userID) } };
  }

  /** The last `count` messages (at most 15, TIM's default and maximum) of a conversation. */
  async getMessageList(options: { conversationID: string; count?: number }): Promise<{ code: number; data: { messageList: Message[]; nextReqMessageID: string; isCompleted: boolean } }> {
    if (this.userID === null) throw new TimError(6014, 'SDK is not ready');
    const messageList = this.cloud.page(this.userID, options.conversationID).slice(-Math.min(15, Math.max(1, options.count ?? 15)));
    return { code: 0, data: { messageList, nextReqMessageID: '', isCompleted: true } };
  }

  /** Fires a TIM event at this instance's handlers, as TIM would (`{ name, data }`). */
  fire(name: string, data?: unknown): void {
    this.#emit(name, data);
  }

  /** @internal */ receive(messages: Message[]): void {
    if (this.ready) this.#emit(TIM_EVENT.MESSAGE_RECEIVED, messages);
  }

  /** @internal Another login of this user took over. */
  kick(type: string): void {
    this.userID = null;
    this.ready = false;
    this.#emit(TIM_EVENT.KICKED_OUT, { type });
  }

  #emit(name: string, data?: unknown): void {
    for (const handler of [...(this.#handlers.get(name) ?? [])]) handler(data === undefined ? { name } : { name, data });
  }
}

/** A TIM enum member from its literal (the enum objects live in the SDK module we never load). */
function timEnum<E extends TIM.TYPES>(value: `${E}`): E {
  return value as E;
}
