/**
 * What `require("@tencentcloud/chat")` returns inside a TUICallEngine party's page: the Chat SDK
 * v3 (3.6.6, the version npm installs for the engine's `"latest"`) as TUICallEngine 3.1.7 uses it,
 * over the shared {@link FakeTimCloud}: one IM service for every kind of party.
 *
 * Its built-in signaling is **not re-implemented**: the Chat SDK ships it as a separate file,
 * `@tencentcloud/chat/modules/signaling-module.js` (the same code its `index.js` bundles), and that
 * file runs here unmodified, compiled in the party's page, over a stand-in for the SDK's
 * internal module manager (`_m`) backed by a {@link FakeTim}. So the envelopes, the timers (a
 * 1 s interval; the caller's fires at timeout + 5 s, the callee's at timeout), the invite map,
 * the "handling" lock, `modifyInvitation` and the `sendMessage` options are Tencent's own. The only
 * change to the file is its last statement: `export { Pt as default }` becomes `return Pt` (a
 * CommonJS loader cannot run ESM syntax; what is exported is the same).
 *
 * The stand-in maps the module's calls (read from the file: `get(2)` messages, `get(6)` C2C unread
 * store, `get(11)` conversations, `get(12)` login, `get(23)` cloud config, `getOEmitInst()` the
 * public emitter, `getIEmitInst()` the internal one) onto the fake TIM:
 * `createCustomMessage` and `sendMessageInstance` are the TIM instance's `createCustomMessage`
 * and `sendMessage`; `modifyRemoteMessage` is TIM's `modifyMessage`. The SDK hands its signaling
 * each received batch (`onNewMessageList`) and each modification (`onMessageModified`) as it emits
 * its public events, and its public emitter calls a handler with `{ name, data }` (read from the
 * Chat SDK 3.6.6's index.js, `getOEmitInst`: once a signaling listener is added; the engine adds
 * its own at `init`). Unlike the SDK, the fake does not wrap the engine's listeners in a
 * try/catch (`_safetyCallbackFactory`): one that throws fails the test instead. The SDK
 * owns its message objects, so the signaling module gets its own copies (it edits the stored
 * invite in place when it modifies it).
 *
 * History replay: the module's own `getHistorySignaling`, run when the SDK's sync is done (read
 * from the file: `onReady`, once `onC2CUnreadHandleCompleted`, `onConvSyncCompleted` and
 * `onCloudConfig` have all been called, and only if a listener of `newInvitationReceived` is
 * there), rings what the user missed while offline. What it reads is backed by the
 * {@link FakeTimCloud}'s stored history: `get(11).getLocalConvList()` is the cloud's conversation
 * list (`conversationID`, `type`, `unreadCount`, `lastMessage.lastTime`: all it reads; if empty it
 * replays nothing, C2C included); `get(6).getMessageListFromUnreadDB()` is the C2C messages this
 * login's sync brought (the SDK's C2C module keeps those its sync at login hands it, not as
 * received, in `_msgFromUnreadDBMap`, cleared on logout; here the cloud's `syncOffline`: what was
 * kept for the user while it had no terminal online, each message to one login *(inferred: the
 * sync's server side is not in the SDK)*); `get(11).getMessageList({ conversationID,
 * nextReqMessageID, count })` is one page of a group conversation's history, the SDK's shape
 * (`{ code: 0, data: { messageList, nextReqMessageID, isCompleted } }`, at most 15, oldest first,
 * read from its conversation module; it names a group's next page by a sequence, the fake by a
 * message ID: the module only hands it back), both directions as the cloud keeps it. The module takes C2C
 * from the sync, then groups whose unread count is not 0 and whose last message is under 5 min old
 * (its default `history_s_time`; the cloud config here has none), from their history, in that
 * order: a C2C withdrawal of an invitation to a group is read before the invitation, and misses it. The SDK runs
 * its sync after its login, so here the three calls come a latency after `SDK_READY` *(inferred:
 * the SDK emits `SDK_READY` when its login module is ready, and these as the conversation list's
 * paging and the C2C sync end)*.
 *
 * What the engine asks the SDK besides signaling: `callExperimentalAPI("isCommercialAbilityEnabled",
 * tier)` (its package check, answered "enabled" as for an app that bought the package) and
 * `callExperimentalAPI("sendTRTCCustomData", ...)` (its call-record reports and heartbeats to
 * Tencent's server, answered `code: 0`; call-engine-js 3.3.4 names it `sendRoomCustomData`, and
 * asks `getServerConfig("room_server_config")`, answered as the SDK does when its cloud config has
 * no such key: `""`). All are recorded in {@link FakeChatModule.experimental}.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { compileFunction } from 'node:vm';
import type { Message } from 'tim-js-sdk';
import { TIM_EVENT, TIM_TYPES } from '../../../adapters/tencent/sdk';
import type { FakeTim, FakeTimCloud } from '../../tencent/fakes/fakeTim';

const nodeRequire = createRequire(import.meta.url);
const SIGNALING_FILE = join(dirname(nodeRequire.resolve('@tencentcloud/chat')), 'modules', 'signaling-module.js');
let signalingSource: string | undefined;

/** The Chat SDK's signaling events (`TencentCloudChat.TSignaling`, read from its index.js). */
export const CHAT_TSIGNALING = {
  NEW_INVITATION_RECEIVED: 'newInvitationReceived',
  INVITEE_ACCEPTED: 'ts_invitee_accepted',
  INVITEE_REJECTED: 'ts_invitee_rejected',
  INVITATION_CANCELLED: 'ts_invitation_cancelled',
  INVITATION_TIMEOUT: 'ts_invitation_timeout',
  INVITATION_MODIFIED: 'ts_invitation_modified',
} as const;

type Handler = (event: { name: string; data?: unknown }) => void;

/** The SDK's emitters: handlers get `{ name, data }`, called on their context. */
class Emitter {
  readonly #handlers = new Map<string, { fn: Handler; ctx: unknown }[]>();
  on(name: string, fn: Handler, ctx?: unknown): void {
    this.#handlers.set(name, [...(this.#handlers.get(name) ?? []), { fn, ctx }]);
  }
  off(name: string, fn: Handler, ctx?: unknown): void {
    this.#handlers.set(name, (this.#handlers.get(name) ?? []).filter((h) => !(h.fn === fn && (ctx === undefined || h.ctx === ctx))));
    if (this.#handlers.get(name)?.length === 0) this.#handlers.delete(name);
  }
  emit(name: string, data?: unknown): void {
    for (const h of [...(this.#handlers.get(name) ?? [])]) h.fn.call(h.ctx, { name, data });
  }
  eventNames(): string[] {
    return [...this.#handlers.keys()];
  }
}

interface SignalingModule {
  onNewMessageList(messages: Message[]): void;
  onMessageModified(messages: Message[]): void;
  onC2CUnreadHandleCompleted(): void;
  onConvSyncCompleted(): void;
  onCloudConfig(): void;
  addSignalingListener(name: string, fn: Handler, ctx?: unknown): void;
  removeSignalingListener(name: string, fn: Handler, ctx?: unknown): void;
  invite(options: object): Promise<unknown>;
  inviteInGroup?(options: object): Promise<unknown>;
  accept(options: object): Promise<unknown>;
  reject(options: object): Promise<unknown>;
  cancel(options: object): Promise<unknown>;
  modifyInvitation(options: object): Promise<unknown>;
  getSignalingInfo(message: Message): unknown;
  reset(): void;
}
type SignalingModuleClass = new (manager: object) => SignalingModule;

/** The signaling module's class, compiled in `page` (its timers and clock are the page's). */
function loadSignalingModule(page: Record<string, unknown>): SignalingModuleClass {
  signalingSource ??= readFileSync(SIGNALING_FILE, 'utf8');
  const exported = /export\s*\{\s*([\w$]+)\s+as\s+default\s*\}\s*;?\s*$/;
  const match = exported.exec(signalingSource);
  if (!match) throw new Error(`${SIGNALING_FILE}: its default export is not where the loader expects it`);
  const code = `${signalingSource.slice(0, match.index)}return ${match[1]};`;
  // Mini-program globals the file probes with `typeof`: absent in a browser page.
  const free = { ...page, wx: undefined, qq: undefined, tt: undefined, swan: undefined, my: undefined, jd: undefined, uni: undefined };
  const names = Object.keys(free);
  const fn = compileFunction(code, names, { filename: SIGNALING_FILE });
  return fn(...names.map((n) => free[n as keyof typeof free])) as SignalingModuleClass;
}

/** The SDK owns its message objects: the signaling module gets its own copies. */
const copy = (messages: unknown): Message[] => structuredClone(messages as Message[]);

/** One `callExperimentalAPI` the engine made. */
export interface ExperimentalCall {
  readonly user: string;
  readonly api: string;
  readonly param: unknown;
}

/** A Chat instance (`TencentCloudChat.create`), the parts TUICallEngine 3.1.7 calls. */
export class FakeChat {
  readonly #tim: FakeTim;
  readonly #outer = new Emitter();
  readonly #signaling: SignalingModule;
  #ready = false;
  /** The C2C messages this login's sync brought (the SDK's `_msgFromUnreadDBMap`). */
  #synced: Message[] = [];

  constructor(
    cloud: FakeTimCloud,
    page: Record<string, unknown>,
    private readonly experimental: ExperimentalCall[],
  ) {
    const tim = cloud.create();
    this.#tim = tim;
    const inner = new Emitter();
    const modules: Record<number, object> = {
      2: {
        createCustomMessage: (options: Parameters<FakeTim['createCustomMessage']>[0]) => tim.createCustomMessage(options),
        sendMessageInstance: (message: Message, options: unknown) => tim.sendMessage(message, options),
        modifyRemoteMessage: (message: Message) => tim.modifyMessage(message),
      },
      6: { getMessageListFromUnreadDB: () => copy(this.#synced) },
      11: {
        getLocalConvList: () => (tim.userID === null ? [] : cloud.conversations(tim.userID)),
        getMessageList: async (options: { conversationID: string; nextReqMessageID?: string; count?: number }) => {
          if (tim.userID === null) return { code: 0, data: { messageList: [], nextReqMessageID: '', isCompleted: true } };
          const page = cloud.history(tim.userID, options.conversationID, options.count ?? 15, options.nextReqMessageID || undefined);
          return { code: 0, data: { ...page, messageList: copy(page.messageList) } };
        },
      },
      12: { getUserID: () => tim.userID ?? '', isLoggedIn: () => tim.ready },
      23: { getCloudConfig: () => undefined },
    };
    const manager = {
      get: (id: number) => {
        const m = modules[id];
        if (!m) throw new Error(`the Chat signaling module asked for SDK module ${id}, which the fake does not provide`);
        return m;
      },
      getOEmitInst: () => this.#outer,
      getIEmitInst: () => inner,
      getErrMsg: (code: number) => `Chat SDK error ${code}`,
    };
    const SignalingModule = loadSignalingModule(page);
    this.#signaling = new SignalingModule(manager);
    tim.on(TIM_EVENT.MESSAGE_RECEIVED, (e) => void this.#signaling.onNewMessageList(copy(e.data)));
    tim.on('onMessageModified', (e) => void this.#signaling.onMessageModified(copy(e.data)));
    tim.on(TIM_EVENT.SDK_READY, () => {
      this.#ready = true;
      const userID = tim.userID;
      // What the user missed, from now on pushed to it instead (it is online).
      this.#synced = userID === null ? [] : cloud.syncOffline(userID);
      this.#outer.emit(CHAT_EVENT.SDK_READY);
      // The SDK's sync is done: its signaling replays what rang while the user was offline (see above).
      cloud.loginStep(() => {
        if (tim.userID !== userID || !tim.ready) return;
        this.#signaling.onC2CUnreadHandleCompleted();
        this.#signaling.onConvSyncCompleted();
        this.#signaling.onCloudConfig();
      });
    });
    tim.on(TIM_EVENT.SDK_NOT_READY, () => {
      this.#ready = false;
      this.#synced = [];
      this.#outer.emit(CHAT_EVENT.SDK_NOT_READY);
    });
    tim.on(TIM_EVENT.KICKED_OUT, (e) => {
      this.#ready = false;
      this.#synced = [];
      this.#signaling.reset();
      this.#outer.emit(CHAT_EVENT.KICKED_OUT, e.data);
    });
    tim.on(TIM_EVENT.NET_STATE_CHANGE, (e) => this.#outer.emit(CHAT_EVENT.NET_STATE_CHANGE, e.data));
  }

  get userID(): string | null {
    return this.#tim.userID;
  }
  /** The signed-in user ('' before login): call-engine-js 3.3.4 checks its login with it. */
  getLoginUser(): string {
    return this.#tim.userID ?? '';
  }
  on(name: string, fn: Handler, ctx?: unknown): void {
    this.#outer.on(name, fn, ctx);
  }
  off(name: string, fn: Handler, ctx?: unknown): void {
    this.#outer.off(name, fn, ctx);
  }
  login(options: { userID: string; userSig: string }) {
    return this.#tim.login(options);
  }
  async logout() {
    this.#signaling.reset();
    await this.#tim.logout();
    return { code: 0, data: {} };
  }
  isReady(): boolean {
    return this.#ready;
  }
  setLogLevel(_level: number): void {}
  async destroy(): Promise<void> {
    await this.logout();
  }
  addSignalingListener(name: string, fn: Handler, ctx?: unknown): void {
    this.#signaling.addSignalingListener(name, fn, ctx);
  }
  removeSignalingListener(name: string, fn: Handler, ctx?: unknown): void {
    this.#signaling.removeSignalingListener(name, fn, ctx);
  }
  invite(options: object) {
    return this.#signaling.invite(options);
  }
  /** The module has no `inviteInGroup`: the SDK's is its `invite` with a `groupID` (index.js). */
  inviteInGroup(options: object) {
    return this.#signaling.invite(options);
  }
  accept(options: object) {
    return this.#signaling.accept(options);
  }
  reject(options: object) {
    return this.#signaling.reject(options);
  }
  cancel(options: object) {
    return this.#signaling.cancel(options);
  }
  modifyInvitation(options: object) {
    return this.#signaling.modifyInvitation(options);
  }
  getSignalingInfo(message: Message) {
    return this.#signaling.getSignalingInfo(message);
  }
  async callExperimentalAPI(api: string, param: unknown) {
    this.experimental.push({ user: this.#tim.userID ?? '', api, param });
    if (api === 'isCommercialAbilityEnabled') return { code: 0, data: { enabled: true } };
    // Call records and heartbeats to Tencent's server; call-engine-js 3.3.4 names it sendRoomCustomData (the same in the SDK).
    if (api === 'sendTRTCCustomData' || api === 'sendRoomCustomData') return { code: 0, data: {} };
    // call-engine-js 3.3.4 asks for its cloud config key `room_server_config`: the SDK's answer when the cloud sent none.
    if (api === 'getServerConfig') return { code: 0, data: '' };
    throw new Error(`the fake Chat SDK has no experimental API ${api}`);
  }
  async getGroupMemberProfile(options: { groupID: string; userIDList: string[] }) {
    return { code: 0, data: { memberList: this.#tim.cloud.groupMembers(options.groupID).filter((m) => options.userIDList.includes(m)).map((userID) => ({ userID })) } };
  }
  /** call-engine-js 3.3.4 reads the signed-in user's profile after login (no nick or avatar here). */
  async getMyProfile() {
    return { code: 0, data: { userID: this.#tim.userID ?? '', nick: '', avatar: '' } };
  }
    async updateMyProfile(_profile: object) {
    return { code: 0, data: {} };
  }
}

/** The Chat SDK's event names (`TencentCloudChat.EVENT`, the same values as tim-js-sdk's). */
export const CHAT_EVENT = {
  SDK_READY: TIM_EVENT.SDK_READY,
  SDK_NOT_READY: TIM_EVENT.SDK_NOT_READY,
  KICKED_OUT: TIM_EVENT.KICKED_OUT,
  NET_STATE_CHANGE: TIM_EVENT.NET_STATE_CHANGE,
  MESSAGE_RECEIVED: TIM_EVENT.MESSAGE_RECEIVED,
  MESSAGE_MODIFIED: 'onMessageModified',
  USER_STATUS_UPDATED: 'onUserStatusUpdated',
  // Subscribed by call-engine-js 3.3.4, never emitted here (values of the Chat SDK 3.6.6's index.js).
  ERROR: 'error',
  ROOM_CUSTOM_DATA_RECEIVED: 'onRoomCustomDataReceived',
  SERVER_CONFIG_UPDATED: 'onServerConfigUpdated',
} as const;

/** The Chat SDK's type values the engines read (`TencentCloudChat.TYPES`, values of its index.js). */
const CHAT_TYPES = {
  CONV_C2C: TIM_TYPES.CONV_C2C,
  CONV_GROUP: TIM_TYPES.CONV_GROUP,
  MSG_PRIORITY_HIGH: TIM_TYPES.MSG_PRIORITY_HIGH,
  MSG_CUSTOM: TIM_TYPES.MSG_CUSTOM,
  NET_STATE_CONNECTED: TIM_TYPES.NET_STATE_CONNECTED,
  NET_STATE_DISCONNECTED: TIM_TYPES.NET_STATE_DISCONNECTED,
  KICKED_OUT_MULT_ACCOUNT: 'multipleAccount',
  KICKED_OUT_MULT_DEVICE: 'multipleDevice',
  KICKED_OUT_REST_API: 'REST_API_Kick',
  KICKED_OUT_USERSIG_EXPIRED: 'userSigExpired',
} as const;

/** The version of the Chat SDK whose signaling module runs here. */
const CHAT_VERSION: string = (nodeRequire('@tencentcloud/chat/package.json') as { version: string }).version;

/** `require("@tencentcloud/chat")` for one page. */
export interface FakeChatModule {
  create(options: object): FakeChat;
  readonly EVENT: typeof CHAT_EVENT;
  readonly TSignaling: typeof CHAT_TSIGNALING;
  readonly TYPES: typeof CHAT_TYPES;
  /** `TencentCloudChat.VERSION`: call-engine-js 3.3.4 hands it to its engine at login. */
  readonly VERSION: string;
  /** What the engine asked through `callExperimentalAPI` (not a Chat SDK member: the test's record). */
  readonly experimental: ExperimentalCall[];
  /** The instances created, in order (the test's record). */
  readonly instances: FakeChat[];
}

export function fakeChatModule(cloud: FakeTimCloud, page: Record<string, unknown>): FakeChatModule {
  const experimental: ExperimentalCall[] = [];
  const instances: FakeChat[] = [];
  return {
    create: () => {
      const chat = new FakeChat(cloud, page, experimental);
      instances.push(chat);
      return chat;
    },
    EVENT: CHAT_EVENT,
    TSignaling: CHAT_TSIGNALING,
    TYPES: CHAT_TYPES,
    VERSION: CHAT_VERSION,
    experimental,
    instances,
  };
}
