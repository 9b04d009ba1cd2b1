/**
 * What `require("tim-js-sdk")` and `require("trtc-js-sdk")` return inside an official party's
 * page: the shared fakes of test/tencent/fakes behind the module shapes the official bundles
 * read. Both parties' TIM instances come from one {@link FakeTimCloud} and both parties' TRTC
 * clients join rooms of one {@link FakeTrtcCloud}: one IM service, one media service.
 */
import { TIM_EVENT, TIM_TYPES } from '../../../adapters/tencent/sdk';
import type { FakeTimCloud } from '../../tencent/fakes/fakeTim';
import type { FakeTrtcCloud, FakeTrtcModule } from '../../tencent/fakes/fakeTrtc';

/**
 * tim-js-sdk v2's module as TSignaling and TRTCCalling use it: `TIM.create`, and the `EVENT` and
 * `TYPES` values they compare with (the values of tim-js-sdk's own `tim-js.d.ts`).
 */
export function fakeTimModule(cloud: FakeTimCloud) {
  return {
    create: () => cloud.create(),
    EVENT: {
      SDK_READY: TIM_EVENT.SDK_READY,
      SDK_NOT_READY: TIM_EVENT.SDK_NOT_READY,
      KICKED_OUT: TIM_EVENT.KICKED_OUT,
      NET_STATE_CHANGE: TIM_EVENT.NET_STATE_CHANGE,
      MESSAGE_RECEIVED: TIM_EVENT.MESSAGE_RECEIVED,
    },
    TYPES: {
      CONV_C2C: TIM_TYPES.CONV_C2C,
      CONV_GROUP: TIM_TYPES.CONV_GROUP,
      MSG_PRIORITY_HIGH: TIM_TYPES.MSG_PRIORITY_HIGH,
      MSG_PRIORITY_NORMAL: 'Normal',
      MSG_TEXT: 'TIMTextElem',
      MSG_CUSTOM: TIM_TYPES.MSG_CUSTOM,
      MSG_GRP_TIP: 'TIMGroupTipElem',
      GRP_TIP_MBR_JOIN: 1,
      GRP_TIP_MBR_QUIT: 2,
      NET_STATE_CONNECTED: TIM_TYPES.NET_STATE_CONNECTED,
      KICKED_OUT_MULT_ACCOUNT: 'multipleAccount',
    },
  } as const;
}

/** The trtc-js-sdk version the fakes stand for (trtc-calling-js compares it with 4.7.0). */
export const FAKE_TRTC_VERSION = '4.15.22';

/**
 * trtc-js-sdk v4's module for one browser, as TRTCCalling uses it: the fake module's functions
 * plus `VERSION` and `Logger`.
 */
export function fakeTrtcModule(cloud: FakeTrtcCloud, label: string): FakeTrtcModule & { VERSION: string; Logger: { setLogLevel(level: number): void } } {
  return Object.assign(cloud.module(label), { VERSION: FAKE_TRTC_VERSION, Logger: { setLogLevel: () => undefined } });
}
