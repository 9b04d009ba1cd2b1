/**
 * `headless-calling/tencent`: the backend for Tencent Cloud (Tencent IM + TRTC), interoperable
 * with Tencent's own TRTCCalling and TUICallKit clients. `tim-js-sdk` (v2) and `trtc-js-sdk`
 * (v4) are optional peer dependencies, loaded only when no instance is injected.
 *
 * ```ts
 * import TRTCCalling from 'headless-calling';
 * import { tencentBackend } from 'headless-calling/tencent';
 * const calling = new TRTCCalling({ SDKAppID, backend: tencentBackend({ SDKAppID }) });
 * ```
 */
export {
  tencentBackend,
  TimImPort,
  TrtcRoomPort,
  CredentialStore,
  MEDIA_ERROR,
  DEFAULT_PUSH_DESCRIPTION,
  type TencentBackend,
  type TencentBackendOptions,
  type TimImPortOptions,
  type TrtcRoomPortOptions,
  type TencentCredentials,
  type OfflinePushOptions,
  type TimInstance,
  type TimModule,
  type TrtcModule,
} from '../adapters/tencent';
