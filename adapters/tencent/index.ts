/** The tencent backend: Tencent IM (tim-js-sdk v2) and TRTC (trtc-js-sdk v4) ports. */
export { tencentBackend, type TencentBackend, type TencentBackendOptions } from './tencentBackend';
export { TimImPort, type TimImPortOptions } from './TimImPort';
export { TrtcRoomPort, type TrtcRoomPortOptions } from './TrtcRoomPort';
export { CredentialStore, type TencentCredentials } from './credentials';
export { timSendOptions, c2cCopyFor, DEFAULT_PUSH_DESCRIPTION, type OfflinePushOptions, type TimOfflinePushInfo, type TimSendOptions } from './timWire';
export { MEDIA_ERROR } from './trtcErrors';
export { TIM_EVENT, TIM_TYPES, type TimInstance, type TimModule, type TrtcModule } from './sdk';
