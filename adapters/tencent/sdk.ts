/**
 * The two Tencent SDKs as the tencent backend sees them: the slices of their own type
 * definitions it uses, the enum values it sends, and their lazy loading.
 *
 * Only types are imported from `tim-js-sdk` and `trtc-js-sdk` here (both are browser-only:
 * loading them in Node throws). The SDK modules are loaded by {@link loadTim} / {@link loadTrtc},
 * and only when the app injects no instance, so an app or a test that injects both never loads
 * either. TIM's enums are runtime objects of that module; the values we need are literals here,
 * each checked against its enum member by the compiler (`timType`), so a renamed value in a
 * future SDK breaks the build, not the wire.
 */
import type TIM from 'tim-js-sdk';
import type { ChatSDK } from 'tim-js-sdk';
import type TRTC from 'trtc-js-sdk';
import { importPeer } from '../optionalPeer';

/** The methods of a TIM instance (tim-js-sdk v2 `ChatSDK`) the IM port calls. A real instance fits. */
export type TimInstance = Pick<
  ChatSDK,
  'login' | 'logout' | 'on' | 'off' | 'createCustomMessage' | 'sendMessage' | 'getConversationList' | 'getMessageList'
>;

/** The tim-js-sdk module's factory (`TIM.create`), for creating an instance when none is injected. */
export interface TimModule {
  create(options: Parameters<typeof TIM.create>[0]): TimInstance;
}

/** The functions of the trtc-js-sdk v4 module the room port calls. The real module fits. */
export type TrtcModule = Pick<
  typeof TRTC,
  'createClient' | 'createStream' | 'checkSystemRequirements' | 'getCameras' | 'getMicrophones' | 'getSpeakers'
>;

/** What `createCustomMessage` takes (tim-js-sdk's `MESSAGE_OPTIONS`, which it does not export). */
export type TimMessageOptions = Parameters<ChatSDK['createCustomMessage']>[0];

/** A TIM enum value from its literal; the type parameter names the enum member it must equal. */
function timType<E extends TIM.TYPES>(value: `${E}`): E {
  return value as E;
}

/** TIM's event names (tim-js-sdk `TIM.EVENT`). */
export const TIM_EVENT = {
  SDK_READY: 'sdkStateReady' satisfies `${TIM.EVENT.SDK_READY}`,
  SDK_NOT_READY: 'sdkStateNotReady' satisfies `${TIM.EVENT.SDK_NOT_READY}`,
  MESSAGE_RECEIVED: 'onMessageReceived' satisfies `${TIM.EVENT.MESSAGE_RECEIVED}`,
  KICKED_OUT: 'kickedOut' satisfies `${TIM.EVENT.KICKED_OUT}`,
  NET_STATE_CHANGE: 'netStateChange' satisfies `${TIM.EVENT.NET_STATE_CHANGE}`,
} as const;

/** The TIM type values the IM port sends or reads (tim-js-sdk `TIM.TYPES`). */
export const TIM_TYPES = {
  CONV_C2C: timType<TIM.TYPES.CONV_C2C>('C2C'),
  CONV_GROUP: timType<TIM.TYPES.CONV_GROUP>('GROUP'),
  MSG_PRIORITY_HIGH: timType<TIM.TYPES.MSG_PRIORITY_HIGH>('High'),
  MSG_CUSTOM: timType<TIM.TYPES.MSG_CUSTOM>('TIMCustomElem'),
  NET_STATE_CONNECTED: timType<TIM.TYPES.NET_STATE_CONNECTED>('connected'),
  NET_STATE_CONNECTING: timType<TIM.TYPES.NET_STATE_CONNECTING>('connecting'),
  NET_STATE_DISCONNECTED: timType<TIM.TYPES.NET_STATE_DISCONNECTED>('disconnected'),
} as const;

/** Loads tim-js-sdk (browser only). Called only when no TIM instance was injected. */
export async function loadTim(): Promise<TimModule> {
  const module = await importPeer('tim-js-sdk', 'the tencent backend', () => import('tim-js-sdk'));
  return module.default;
}

/** Loads trtc-js-sdk v4 (browser only). Called only when no TRTC module was injected. */
export async function loadTrtc(): Promise<TrtcModule> {
  const module = await importPeer('trtc-js-sdk', 'the tencent backend', () => import('trtc-js-sdk'));
  return module.default;
}
