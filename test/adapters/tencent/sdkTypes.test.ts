/**
 * The tencent backend is typed by the SDKs' own definitions (tim-js-sdk's `tim-js.d.ts`,
 * trtc-js-sdk's `index.d.ts`), and so are the fakes the tests run it on. These checks are done
 * by the compiler (`npm run typecheck`); at run time they only list what is checked.
 */
import type TIM from 'tim-js-sdk';
import type { ChatSDK, Message } from 'tim-js-sdk';
import type TRTC from 'trtc-js-sdk';
import type { Client, LocalStream, RemoteStream, RtcError } from 'trtc-js-sdk';
import { describe, expectTypeOf, it } from 'vitest';
import type { TimInstance, TimModule, TrtcModule } from '../../../adapters/tencent';
import type { FakeTim } from '../../tencent/fakes/fakeTim';
import type { FakeLocalStream, FakeMediaStreamTrack, FakeRemoteStream } from '../../tencent/fakes/fakeStreams';
import type { FakeClient, FakeRtcError, FakeTrtcModule } from '../../tencent/fakes/fakeTrtc';

describe('types', () => {
  it('the real SDKs fit the slices the ports use: a TIM instance, the tim-js-sdk module, the trtc-js-sdk module', () => {
    expectTypeOf<ChatSDK>().toExtend<TimInstance>();
    expectTypeOf<typeof TIM>().toExtend<TimModule>();
    expectTypeOf<typeof TRTC>().toExtend<TrtcModule>();
  });

  it('the fakes implement the SDKs\' own interfaces', () => {
    expectTypeOf<FakeTim>().toExtend<TimInstance>();
    expectTypeOf<ReturnType<FakeTim['createCustomMessage']>>().toEqualTypeOf<Message>();
    expectTypeOf<FakeTrtcModule>().toExtend<TrtcModule>();
    expectTypeOf<FakeClient>().toExtend<Client>();
    expectTypeOf<FakeLocalStream>().toExtend<LocalStream>();
    expectTypeOf<FakeRemoteStream>().toExtend<RemoteStream>();
    expectTypeOf<FakeRtcError>().toExtend<RtcError>();
    expectTypeOf<FakeMediaStreamTrack>().toExtend<MediaStreamTrack>();
  });
});
