/**
 * `tencentBackend`: Tencent IM (signaling) and TRTC (media) behind one {@link Backend}, speaking
 * the TSignaling / TRTCCalling wire format, so our clients and Tencent's own TRTCCalling and
 * TUICallKit clients call each other.
 */
import type { Backend } from '../backend';
import type { Clock } from '../clock';
import type { UserID } from '../../machines/types';
import { CredentialStore } from './credentials';
import type { TimInstance, TimModule, TrtcModule } from './sdk';
import { TimImPort } from './TimImPort';
import type { OfflinePushOptions } from './timWire';
import { TrtcRoomPort } from './TrtcRoomPort';

/** Options of {@link tencentBackend}. */
export interface TencentBackendOptions {
  /** The IM application's SDKAppID (TRTC uses the same). */
  readonly SDKAppID: number;
  /**
   * An existing TIM instance, e.g. the one the app already uses for chat (`TIM.create({ SDKAppID })`).
   * Without it, tim-js-sdk is loaded on the first login and an instance is created.
   */
  readonly tim?: TimInstance;
  /** The trtc-js-sdk v4 module (`import TRTC from 'trtc-js-sdk'`). Without it, it is loaded on the first call. */
  readonly TRTC?: TrtcModule;
  /** The clock of the core and of the push info's `sendTime` (default: real time). */
  readonly clock?: Clock;
  /** Offline push texts for invitations (TSignaling's `offlinePushInfo`). */
  readonly offlinePushInfo?: OfflinePushOptions;
  /** Where a member's audio plays while its video is shown nowhere (default: a hidden `div`). */
  readonly audioContainer?: (userID: UserID) => string | HTMLDivElement;
  /**
   * Many devices (issue 11): this client is one terminal of its user under TIM's multi-terminal
   * login (the IM console's policy must allow several), so the user's other terminals ring too and
   * an answer another terminal sends (TIM syncs it here) ends this one's ring (default false).
   */
  readonly multiDevice?: boolean;
  /** Where listener exceptions and playback failures go (default `console.error`). */
  readonly onError?: (error: unknown) => void;
  /** @internal How to load tim-js-sdk when no `tim` is given (tests). */
  readonly loadTim?: () => Promise<TimModule>;
  /** @internal How to load trtc-js-sdk when no `TRTC` is given (tests). */
  readonly loadTrtc?: () => Promise<TrtcModule>;
}

/** The tencent backend: a {@link Backend} whose ports are the Tencent ones. */
export interface TencentBackend extends Backend {
  readonly name: 'tencent';
  readonly im: TimImPort;
  readonly room: TrtcRoomPort;
  /** Stops listening to TIM and drops the TRTC client (the TIM instance is left alone). */
  dispose(): Promise<void>;
}

/**
 * The backend for Tencent Cloud, for `new TRTCCalling({ SDKAppID, backend: tencentBackend({ SDKAppID }) })`.
 * The TRTC client signs in with the userSig the IM login used: both ports share it.
 */
export function tencentBackend(options: TencentBackendOptions): TencentBackend {
  const { SDKAppID } = options;
  // A uint32, as TIM and TRTC take it (the facade refuses a larger one too).
  if (!Number.isInteger(SDKAppID) || SDKAppID <= 0 || SDKAppID > 0xffffffff) throw new TypeError('tencentBackend: SDKAppID must be an integer from 1 to 4294967295 (a uint32)');
  if (options.multiDevice !== undefined && typeof options.multiDevice !== 'boolean') {
    throw new TypeError('tencentBackend: multiDevice must be a boolean');
  }
  const credentials = new CredentialStore(SDKAppID);
  const im = new TimImPort({
    SDKAppID,
    credentials,
    ...(options.tim ? { tim: options.tim } : {}),
    ...(options.loadTim ? { loadTim: options.loadTim } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.offlinePushInfo ? { offlinePush: options.offlinePushInfo } : {}),
    ...(options.onError ? { onListenerError: options.onError } : {}),
  });
  const room = new TrtcRoomPort({
    credentials,
    ...(options.TRTC ? { TRTC: options.TRTC } : {}),
    ...(options.loadTrtc ? { loadTrtc: options.loadTrtc } : {}),
    ...(options.audioContainer ? { audioContainer: options.audioContainer } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
  });
  return {
    name: 'tencent',
    im,
    room,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.multiDevice === true ? { multiDevice: true } : {}),
    async dispose() {
      im.dispose();
      await room.dispose();
    },
  };
}
