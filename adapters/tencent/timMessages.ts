/**
 * Reading what tim-js-sdk hands us. Its type definitions leave event payloads, message
 * payloads and query results as `any`, so each is validated here before use; anything that
 * does not fit (text messages, group tips, another app's data) is skipped, never thrown on.
 */
import * as v from 'valibot';
import type { ImMessage } from '../ImPort';
import { settledIn } from '../settledInvitations';
import { TIM_TYPES } from './sdk';

/** A TIM custom message, as far as the IM port reads it (tim-js-sdk `Message`). */
const CustomMessageSchema = v.object({
  ID: v.string(),
  type: v.literal(TIM_TYPES.MSG_CUSTOM),
  from: v.string(),
  to: v.string(),
  conversationType: v.string(),
  /** Server time, in seconds. */
  time: v.number(),
  payload: v.object({ data: v.string() }),
});

/** A custom message read from TIM. */
export type TimCustomMessage = v.InferOutput<typeof CustomMessageSchema>;

/** The custom messages among TIM messages, in their order. */
export function customMessages(list: unknown): TimCustomMessage[] {
  const items = v.safeParse(v.array(v.unknown()), list);
  if (!items.success) return [];
  return items.output.flatMap((item) => {
    const message = v.safeParse(CustomMessageSchema, item);
    return message.success ? [message.output] : [];
  });
}

/** What the IM port delivers for a TIM custom message the server accepted at `sentAt` (our clock). */
export function toImMessage(message: TimCustomMessage, sentAt: number): ImMessage {
  const base = { from: message.from, payload: message.payload.data, sentAt };
  return message.conversationType === TIM_TYPES.CONV_GROUP ? { ...base, groupID: message.to } : base;
}

/**
 * TIM's server time (`message.time`, whole seconds on the server's clock) on our clock.
 *
 * The core uses a message's age to ring an invitation only for what is left of its timeout, and
 * not at all once it has expired. Read naively, whole seconds cut up to a second off every ring,
 * and a device clock running ahead of the server's cuts that much more (30 s ahead: nothing ever
 * rings). So each message is dated conservatively: the latest instant its whole second allows,
 * shifted by the smallest offset (our clock minus server time) seen on live pushes, which absorbs
 * the clock skew and the best-case transit. A live push therefore reads as just sent unless it was
 * held back; a replayed message read before any live push assumes the clocks agree (as TSignaling's
 * 30 s replay window does).
 */
export class ServerTime {
  #offset: number | undefined;

  /** A message pushed live (`MESSAGE_RECEIVED`) now: refines the offset, returns its `sentAt`. */
  live(timeS: number, nowMs: number): number {
    const offset = nowMs - timeS * 1000;
    this.#offset = this.#offset === undefined ? offset : Math.min(this.#offset, offset);
    return this.sentAt(timeS, nowMs);
  }

  /** When a message stamped `timeS` was accepted, on our clock (never later than `nowMs`). */
  sentAt(timeS: number, nowMs: number): number {
    return Math.min(nowMs, timeS * 1000 + 999 + (this.#offset ?? 0));
  }
}

/** `event.data` of a TIM event, whatever it is. */
export function eventData(event: unknown): unknown {
  const parsed = v.safeParse(v.object({ data: v.unknown() }), event);
  return parsed.success ? parsed.output.data : undefined;
}

/** The kicked-out reason in a KICKED_OUT event (`TIM.TYPES.KICKED_OUT_*`). */
export function kickedOutType(event: unknown): string {
  const parsed = v.safeParse(v.object({ type: v.string() }), eventData(event));
  return parsed.success ? parsed.output.type : 'unknown';
}

/** The network state in a NET_STATE_CHANGE event, when it is one we know. */
export function netState(event: unknown): 'connected' | 'connecting' | 'disconnected' | undefined {
  const states = [TIM_TYPES.NET_STATE_CONNECTED, TIM_TYPES.NET_STATE_CONNECTING, TIM_TYPES.NET_STATE_DISCONNECTED] as const;
  const parsed = v.safeParse(v.object({ state: v.picklist(states) }), eventData(event));
  return parsed.success ? parsed.output.state : undefined;
}

/** Whether `tim.login` resolved as a repeated login (no SDK_READY follows then). */
export function isRepeatLogin(result: unknown): boolean {
  const parsed = v.safeParse(v.object({ data: v.object({ repeatLogin: v.literal(true) }) }), result);
  return parsed.success;
}

/** A TIM error (an `Error` with a numeric `code`), or the given code for anything else. */
export function timErrorCode(error: unknown, fallback: number): number {
  const parsed = v.safeParse(v.object({ code: v.number() }), error);
  return parsed.success ? parsed.output.code : fallback;
}

/** A TIM error's message. */
export function timErrorMessage(error: unknown): string {
  const parsed = v.safeParse(v.object({ message: v.string() }), error);
  return parsed.success ? parsed.output.message : String(error);
}

// ---------------------------------------------------------------------------------------------
// Offline replay (spec 1.7)

const ConversationListSchema = v.object({
  data: v.object({
    conversationList: v.array(
      v.object({ conversationID: v.string() }),
    ),
  }),
});

const MessageListSchema = v.object({ data: v.object({ messageList: v.array(v.unknown()) }) });

/**
 * The conversations whose last page is read for a replay: the first `limit` TIM lists, whatever
 * their unread count and last message. TSignaling reads only those with unread messages and a last
 * message inside the window, but TUICallEngine sends its invitations (and accepts)
 * `excludedFromUnreadCount` and `excludedFromLastMessage` (its `excludeFromHistoryMessage`): TIM
 * counts them nowhere and shows them as no conversation's last message, so neither tells where a
 * recent one is. The window is applied to the messages themselves (`replayableMessages`).
 */
export function replayableConversations(result: unknown, limit: number) {
  const parsed = v.safeParse(ConversationListSchema, result);
  if (!parsed.success) return [];
  return parsed.output.data.conversationList.slice(0, limit);
}

/** The custom messages of one `getMessageList` page, the last `count` of them inside the window. */
export function replayableMessages(result: unknown, sinceMs: number, count: number): TimCustomMessage[] {
  const parsed = v.safeParse(MessageListSchema, result);
  if (!parsed.success) return [];
  return customMessages(parsed.output.data.messageList.slice(-count)).filter((m) => m.time * 1000 >= sinceMs);
}

/** When a replay runs (`nowMs`, our clock) and how far back it keeps what is not an invitation. */
export interface ReplayWindow {
  readonly nowMs: number;
  /** TSignaling's 30 s window: the oldest non-invitation (or invitation without a timeout) kept. */
  readonly sinceMs: number;
}

/**
 * What of a replay is delivered (spec 1.7 step 3). Of the call signals, only invitations still
 * open for `self` are replayed: one already cancelled, answered or timed out would ring for a call
 * that is over, and the answers, cancels, timeouts and hangups belong to calls this session never
 * had (an old ACCEPT would read as the answer to a call we no longer have, and be hung up). Custom
 * messages that are not call signals are kept from TSignaling's window; an invitation as long as
 * its own timeout may still run (TUICallEngine's caller may set 60 s: one 40 s old still rings
 * there, as the Chat SDK's replay has it; TSignaling's 30 s window dropped it). The order is kept.
 *
 * What settles an invitation for `self` is the one rule of every backlog (`settledInvitations.ts`):
 * what its inviter sent after it, what `self` sent (another device of ours), for a 1v1 call its
 * invitee's answer; in a group call another invitee's answers settle nothing for us, nor does anyone
 * else who reuses an inviteID. Server time is in whole seconds here: a message settles what came
 * in its second or before.
 */
export function replayable(messages: readonly TimCustomMessage[], self: string, at: ReplayWindow): TimCustomMessage[] {
  const { decoded, invitations } = settledIn(messages.map((m) => ({ from: m.from, payload: m.payload.data, at: m.time })), self);
  return messages.filter((_, i) => {
    const d = decoded[i];
    const m = messages[i];
    if (m === undefined) return false;
    const sentMs = m.time * 1000;
    // A payload the codec cannot read as TSignaling is no call signal: it is the app's to judge.
    if (d === undefined || (!d.ok && (d.reason === 'notJson' || d.reason === 'notSignaling' || d.reason === 'tooLarge'))) return sentMs >= at.sinceMs;
    if (!d.ok || d.signal.kind !== 'invite' || invitations.has(i)) return false;
    // Ringing still, as far as server time in whole seconds tells (the core dates it to the ms).
    const timeout = d.signal.timeout;
    return timeout > 0 ? sentMs + 1000 + timeout * 1000 > at.nowMs : sentMs >= at.sinceMs;
  });
}
