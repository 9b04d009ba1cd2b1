/**
 * A fake Tencent IM for tests: one in-process "cloud" (`FakeTimCloud`) and TIM instances
 * (`FakeTim`) that implement the tim-js-sdk v2 `ChatSDK` methods the IM port uses, typed by
 * tim-js-sdk's own definitions (`implements TimInstance`, messages `satisfies Message`).
 *
 * Behaviour follows TIM where the port depends on it: `login` resolves, then `SDK_READY` and
 * `NET_STATE_CHANGE` fire; a login while another's request is on its way is refused (2025), and a
 * logout while not logged in (2024), as tim-js-sdk 2.27.6 refuses them, and a login once one was
 * answered resolves as `repeatLogin`, whatever its userID (TIM stays signed in as it was); a second login of a user kicks the first (`KICKED_OUT`,
 * `multipleAccount`), unless the cloud allows multi-terminal login (`multiTerminal`): then every
 * terminal of a user gets what is sent to it, and what a terminal sends reaches its user's other
 * terminals too (`MESSAGE_RECEIVED`, `flow: 'out'`, TIM's sync of sent messages); messages to online users arrive as `MESSAGE_RECEIVED` batches with
 * `time` in server seconds; messages to offline users are kept (unless `onlineUserOnly`) and
 * found through `getConversationList` / `getMessageList`, never pushed (what TSignaling's replay
 * is for), and a C2C one is also handed once to the next login that syncs (`syncOffline`: the
 * Chat SDK's sync at login, see fakeChat.ts); a message sent `excludedFromUnreadCount` / `excludedFromLastMessage` counts as unread /
 * shows as the conversation's last message for nobody. A conversation's history holds both directions (what the user sent too), its unread
 * count only what it received. Every `sendMessage` is logged with its exact options.
 */
import type TIM from 'tim-js-sdk';
import type { Message } from 'tim-js-sdk';
import * as v from 'valibot';
import type { Clock } from '../../../adapters/clock';
import { TIM_TYPES } from '../../../adapters/tencent/sdk';
import { FakeTim, TimError } from './fakeTimInstance';

export { FakeTim, TimError } from './fakeTimInstance';

/** One `sendMessage` as the cloud accepted it. */
export interface TimSent {
  readonly at: number;
  readonly from: string;
  readonly to: string;
  readonly conversationType: TIM.TYPES;
  readonly priority: TIM.TYPES;
  readonly payload: { readonly data: string };
  /** The `options` argument exactly as given. */
  readonly options: unknown;
  /** Who it was delivered to now, stored for, or dropped for (`onlineUserOnly`). */
  readonly recipients: readonly { readonly userID: string; readonly online: boolean }[];
}

/** A delivery as {@link FakeTimCloud.hold} sees it: sender, recipient, the custom element's `data`. */
export interface HeldMessage {
  readonly from: string;
  readonly to: string;
  readonly data: string;
}

/**
 * The offline push info TUICallEngine 3.1.7 hands to the Chat SDK's signaling (its
 * `_convertOfflinePushParams`), which passes it to `sendMessage` as given: `{}` when the app gave
 * none, else this shape (the Chat v3 `offlinePushInfo`). Strict as well.
 */
const ChatPushSchema = v.union([
  v.strictObject({}),
  v.strictObject({
    title: v.string(),
    description: v.string(),
    extension: v.string(),
    disablePush: v.boolean(),
    androidInfo: v.strictObject({
      sound: v.optional(v.string()),
      XiaoMiChannelID: v.optional(v.string()),
      OPPOChannelID: v.optional(v.string()),
      FCMChannelID: v.optional(v.string()),
      VIVOClassification: v.optional(v.number()),
      HuaWeiCategory: v.optional(v.string()),
    }),
    apnsInfo: v.strictObject({ sound: v.optional(v.string()), ignoreIOSBadge: v.boolean(), disableVoipPush: v.boolean() }),
  }),
  // call-engine-js 3.3.4's (its WebAssembly engine fills every key; `disableVoipPush` a number).
  v.strictObject({
    title: v.string(),
    description: v.string(),
    extension: v.string(),
    disablePush: v.boolean(),
    androidInfo: v.strictObject({
      sound: v.string(),
      XiaoMiChannelID: v.string(),
      OPPOChannelID: v.string(),
      OPPOCategory: v.string(),
      FCMChannelID: v.string(),
      VIVOClassification: v.number(),
      VIVOCategory: v.string(),
      HuaWeiCategory: v.string(),
      HuaWeiImage: v.string(),
      HonorImage: v.string(),
      HonorImportance: v.string(),
      GoogleImage: v.string(),
    }),
    apnsInfo: v.strictObject({ sound: v.string(), image: v.string(), ignoreIOSBadge: v.boolean(), disableVoipPush: v.number() }),
  }),
]);

/**
 * `sendMessage` options: TSignaling's (spec 1.4), or the Chat SDK 3.6.6 signaling module's
 * (`_genMsgCtrlInfo`: the same keys, its push info as TUICallEngine gave it). Checked strictly,
 * so a stray key fails a test.
 */
const SendOptionsSchema = v.strictObject({
  offlinePushInfo: v.optional(
    v.union([v.strictObject({ title: v.string(), description: v.string(), androidOPPOChannelID: v.string(), extension: v.string() }), ChatPushSchema]),
  ),
  onlineUserOnly: v.boolean(),
  messageControlInfo: v.strictObject({
    excludedFromContentModeration: v.boolean(),
    excludedFromUnreadCount: v.boolean(),
    excludedFromLastMessage: v.boolean(),
  }),
});

/** tim-js-sdk's `TIM.EVENT.MESSAGE_MODIFIED`. */
const TIM_EVENT_MESSAGE_MODIFIED = 'onMessageModified' satisfies `${TIM.EVENT.MESSAGE_MODIFIED}`;

const TIM_TYPES_KICKED_MULTIPLE_ACCOUNT = 'multipleAccount' satisfies `${TIM.TYPES.KICKED_OUT_MULT_ACCOUNT}`;

interface Stored {
  readonly conversationID: string;
  readonly message: Message;
  /** Sent with `messageControlInfo.excludedFromLastMessage`: never the conversation's last message. */
  readonly notLast?: boolean;
  /** A C2C message kept for its recipient while offline, not yet handed to a login's sync. */
  unsynced?: boolean;
}

/** One page of a conversation's history, as `getMessageList` answers it (oldest first). */
export interface HistoryPage {
  readonly messageList: Message[];
  /** The ID of the page's oldest message, to ask for the page before it; '' when there is none. */
  readonly nextReqMessageID: string;
  /** No message older than this page. */
  readonly isCompleted: boolean;
}

/** The IM server. */
export class FakeTimCloud {
  readonly log: TimSent[] = [];
  /** Every message modification (`modifyMessage`), oldest first: who, which message, its new payload. */
  readonly modified: { readonly at: number; readonly by: string; readonly messageID: string; readonly payload: { readonly data: string } }[] = [];
  /** Per user, its logged-in terminals (one unless `multiTerminal`). */
  readonly #sessions = new Map<string, Set<FakeTim>>();
  readonly #groups = new Map<string, string[]>();
  /** Per user: every message received (history), and how many are unread per conversation. */
  readonly #history = new Map<string, Stored[]>();
  readonly #unread = new Map<string, Map<string, number>>();
  /** Deliveries a test holds in flight ({@link hold}), each with the deliveries it caught. */
  readonly #holds = new Set<{ readonly match: (m: HeldMessage) => boolean; readonly caught: (() => void)[] }>();
  #nextID = 1;

  /**
   * @param latency delivery delay of messages, and of each step of a login, in ms
   * @param instantLogin confirm logins without the clock (for harnesses that await a login
   *   before they advance time, as the shared ImPort contract does)
   * @param multiTerminal TIM's multi-terminal login: a second login of a user adds a terminal
   *   instead of kicking the first, and sent messages are synced to the sender's other terminals
   */
  constructor(
    readonly clock: Clock,
    readonly latency = 20,
    readonly instantLogin = false,
    readonly multiTerminal = false,
  ) {}

  /** A new TIM instance (`TIM.create({ SDKAppID })`). */
  create(): FakeTim {
    return new FakeTim(this);
  }

  createGroup(groupID: string, members: readonly string[]): void {
    this.#groups.set(groupID, [...new Set(members)]);
  }

  /** A group's members (none if it does not exist). */
  groupMembers(groupID: string): string[] {
    return [...(this.#groups.get(groupID) ?? [])];
  }

  /**
   * Holds in flight every delivery sent from now on that `match` picks (one per recipient), until
   * `release()`: then they arrive, in the order sent, one latency later. Where two messages cross,
   * the test decides which lands first. `release()` also stops the hold.
   */
  hold(match: (m: HeldMessage) => boolean): { release(): void } {
    const hold = { match, caught: [] as (() => void)[] };
    this.#holds.add(hold);
    return {
      release: () => {
        this.#holds.delete(hold);
        for (const deliver of hold.caught.splice(0)) this.later(deliver);
      },
    };
  }

  /** Logged in and ready. */
  isOnline(userID: string): boolean {
    return this.#terminals(userID).some((t) => t.ready);
  }

  /** @internal */ newID(): string {
    return `fake-msg-${this.#nextID++}`;
  }

  /** @internal */ later(fn: () => void, ms = this.latency): void {
    this.clock.setTimeout(fn, ms);
  }

  /** @internal A step of a login: after the latency, or at once (microtask) with `instantLogin`. */
  loginStep(fn: () => void): void {
    if (this.instantLogin) queueMicrotask(fn);
    else this.later(fn);
  }

  /**
   * @internal A login took effect: the newer session wins (TIM's default multi-login policy), or,
   * with `multiTerminal`, joins the user's terminals.
   */
  signIn(tim: FakeTim, userID: string): void {
    const previous = this.#terminals(userID).filter((t) => t !== tim);
    if (this.multiTerminal) {
      this.#sessions.set(userID, new Set([...previous, tim]));
      return;
    }
    this.#sessions.set(userID, new Set([tim]));
    for (const p of previous) {
      // The kick reaches the earlier session on its own device: what its listeners throw stays
      // there (an uncaught error in its page: call-engine-js 3.3.4's does), never in this login.
      try {
        p.kick(TIM_TYPES_KICKED_MULTIPLE_ACCOUNT);
      } catch (error) {
        void Promise.reject(error);
      }
    }
  }

  /** @internal */ signOut(tim: FakeTim, userID: string): void {
    this.#sessions.get(userID)?.delete(tim);
  }

  /** @internal Routes a message `sender` (a terminal of `from`) sent; rejects as TIM would for a bad group. */
  route(from: string, message: Message, options: unknown, sender?: FakeTim): TimSent {
    const opts = v.parse(SendOptionsSchema, options);
    const group = message.conversationType === TIM_TYPES.CONV_GROUP;
    let recipients: string[] = [message.to];
    if (group) {
      const members = this.#groups.get(message.to);
      if (!members) throw new TimError(10010, `group ${message.to} does not exist`);
      if (!members.includes(from)) throw new TimError(10010, `${from} is not a member of ${message.to}`);
      recipients = members.filter((m) => m !== from);
    }
    const at = this.clock.now();
    const delivered: Message = { ...message, from, flow: 'in', status: 'success', time: Math.floor(at / 1000) };
    const conversationID = group ? `GROUP${message.to}` : `C2C${from}`;
    // The sender's own copy (TIM keeps both directions in a conversation's history, unread or not).
    // `messageControlInfo` as TIM applies it (read from the Chat SDK 3.6.6's conversation code: a
    // message excluded from the unread count does not raise it, one excluded from the last message
    // leaves the conversation's last message as it was, or empty).
    const control = { unread: !opts.messageControlInfo.excludedFromUnreadCount, notLast: opts.messageControlInfo.excludedFromLastMessage };
    this.#keep(from, group ? `GROUP${message.to}` : `C2C${message.to}`, { ...delivered, flow: 'out' }, false, control.notLast);
    // Multi-terminal login: the sender's other terminals get what it sent (live only).
    if (this.multiTerminal) this.#push(from, { ...delivered, flow: 'out' }, sender);
    const fates = recipients.map((userID) => {
      const online = this.isOnline(userID);
      if (online || !opts.onlineUserOnly) this.#keep(userID, conversationID, delivered, control.unread, control.notLast, !online && !group);
      if (online) this.#push(userID, delivered);
      return { userID, online };
    });
    const sent: TimSent = {
      at,
      from,
      to: message.to,
      conversationType: message.conversationType,
      priority: message.priority,
      payload: { data: v.parse(v.object({ data: v.string() }), message.payload).data },
      options,
      recipients: fates,
    };
    this.log.push(sent);
    return sent;
  }

  /**
   * @internal `modifyMessage` (TIM's message modification, what the Chat SDK's
   * `modifyInvitation` does to an invite): every stored copy of the message `by` holds takes the
   * new payload, and the users holding it who are online get `MESSAGE_MODIFIED`. TIM lets a C2C
   * party modify a message of the conversation either side sent *(inferred: the Chat SDK's
   * signaling modifies the invite a callee received, and its docs describe no refusal)*.
   */
  modify(by: string, message: Message, except?: FakeTim): Message {
    const copies = [...this.#history].flatMap(([userID, stored]) => stored.filter((s) => s.message.ID === message.ID).map((s) => ({ userID, s })));
    if (!copies.some((c) => c.userID === by)) throw new TimError(20001, `message ${message.ID} is not in a conversation of ${by}`);
    const payload = { data: v.parse(v.object({ data: v.string() }), message.payload).data };
    for (const { s } of copies) (s as { message: Message }).message = { ...s.message, payload, isModified: true };
    this.modified.push({ at: this.clock.now(), by, messageID: message.ID, payload });
    for (const userID of new Set(copies.map((c) => c.userID))) {
      const copy = copies.find((c) => c.userID === userID)?.s.message;
      if (copy && (userID !== by || this.multiTerminal)) this.later(() => {
        for (const t of this.#terminals(userID)) if (t !== except && t.ready) t.fire(TIM_EVENT_MESSAGE_MODIFIED, [copy]);
      });
    }
    return { ...message, payload, isModified: true };
  }

  /**
   * @internal TIM's conversation list for `userID` (the fields TSignaling reads, and more), in
   * TIM's order (tim-js-sdk 2.27.6 `_sortConversationList`, no pinned ones here): the latest last
   * message first, then the conversations that show none (all theirs excluded from it).
   */
  conversations(userID: string) {
    const lastTime = (c: { lastMessage?: { lastTime: number } | undefined }) => c.lastMessage?.lastTime ?? -1;
    return this.#conversations(userID).sort((a, b) => lastTime(b) - lastTime(a));
  }

  #conversations(userID: string) {
    const unread = this.#unread.get(userID) ?? new Map<string, number>();
    const history = this.#history.get(userID) ?? [];
    return [...unread.keys()].map((conversationID) => {
      const last = history.filter((s) => s.conversationID === conversationID && !s.notLast).at(-1)?.message;
      return {
        conversationID,
        type: conversationID.startsWith('GROUP') ? TIM_TYPES.CONV_GROUP : TIM_TYPES.CONV_C2C,
        unreadCount: unread.get(conversationID) ?? 0,
        lastMessage: last ? { lastTime: last.time, fromAccount: last.from, type: last.type, payload: last.payload } : undefined,
      };
    });
  }

  /** @internal The last 15 messages of a conversation (one page of `getMessageList`). */
  page(userID: string, conversationID: string): Message[] {
    return this.history(userID, conversationID).messageList;
  }

  /**
   * @internal One page of a conversation's history for `userID`, both directions, oldest first:
   * the last `count` messages (at most 15, TIM's maximum) before the message `before` (or the
   * newest), with the ID to ask for the page before it.
   */
  history(userID: string, conversationID: string, count = 15, before?: string): HistoryPage {
    const all = (this.#history.get(userID) ?? []).filter((s) => s.conversationID === conversationID).map((s) => s.message);
    const end = before === undefined ? all.length : Math.max(0, all.findIndex((m) => m.ID === before));
    const start = Math.max(0, end - Math.min(15, Math.max(1, count)));
    return { messageList: all.slice(start, end), nextReqMessageID: start > 0 ? (all[start]?.ID ?? '') : '', isCompleted: start === 0 };
  }

  /**
   * @internal A login's sync of what `userID` missed: the C2C messages kept for it while none of
   * its terminals was online, oldest first, each handed to one sync only *(inferred: the Chat
   * SDK's sync at login, `SYNC_UNREAD_MSG`, whose server side is not in the SDK; a message sent
   * `onlineUserOnly` is not kept, so not synced either)*.
   */
  syncOffline(userID: string): Message[] {
    const missed = (this.#history.get(userID) ?? []).filter((s) => s.unsynced === true);
    for (const s of missed) s.unsynced = false;
    return missed.map((s) => s.message);
  }

  #terminals(userID: string): FakeTim[] {
    return [...(this.#sessions.get(userID) ?? [])];
  }

  /** After the latency, to every terminal of `userID` logged in then, but `except`. */
  #push(userID: string, message: Message, except?: FakeTim): void {
    const deliver = () => {
      for (const t of this.#terminals(userID)) if (t !== except) t.receive([message]);
    };
    const data = v.parse(v.object({ data: v.string() }), message.payload).data;
    const held = [...this.#holds].find((h) => h.match({ from: message.from, to: userID, data }));
    if (held) held.caught.push(deliver);
    else this.later(deliver);
  }

  #keep(userID: string, conversationID: string, message: Message, unreadToo = true, notLast = false, unsynced = false): void {
    const history = this.#history.get(userID) ?? [];
    history.push({ conversationID, message, ...(notLast ? { notLast } : {}), ...(unsynced ? { unsynced } : {}) });
    this.#history.set(userID, history);
    const unread = this.#unread.get(userID) ?? new Map<string, number>();
    unread.set(conversationID, (unread.get(conversationID) ?? 0) + (unreadToo ? 1 : 0));
    this.#unread.set(userID, unread);
  }
}

