/**
 * Devices and video quality, shared by every room port: the device record the lists hold (the
 * fields of the browser's `MediaDeviceInfo`, as `TRTC.getCameras()` returns them), what a port
 * tells when its devices change, and TRTC's video profiles (trtc-js-sdk v4's own table).
 */
import type { PortError } from '../machines/types';

/** One camera, microphone or speaker, as `navigator.mediaDevices.enumerateDevices()` lists it. */
export interface DeviceInfo {
  readonly deviceId: string;
  readonly groupId: string;
  readonly kind: 'videoinput' | 'audioinput' | 'audiooutput';
  readonly label: string;
}

/** Which device `switchDevice` changes: the camera (`video`) or the microphone (`audio`). */
export type DeviceType = 'video' | 'audio';

/**
 * What a port tells when its devices changed (a device plugged in or out):
 * - `lost`: the device in use (`camera` or `microphone`) went away during a call;
 * - `fallback`: it was replaced by this device, the call's media goes on;
 * - `error`: nothing could replace it (60004 no camera, 60003 no microphone).
 */
export interface DeviceChange {
  readonly lost?: 'camera' | 'microphone';
  readonly fallback?: DeviceInfo;
  readonly error?: PortError;
}

/** A video profile: resolution, frame rate (fps) and bitrate (kbps). */
export interface VideoProfile {
  readonly width: number;
  readonly height: number;
  readonly frameRate: number;
  readonly bitrate: number;
}

/**
 * TRTC's camera profiles (trtc-js-sdk v4 `LocalStream.setVideoProfile`), values copied from its
 * table; the `_2` variants have a lower bitrate (not always half). trtc-calling-js 1.0.6 accepts 240p-1080p only.
 */
export const VIDEO_PROFILES = {
  '120p': { width: 160, height: 120, frameRate: 15, bitrate: 200 },
  '120p_2': { width: 160, height: 120, frameRate: 15, bitrate: 100 },
  '180p': { width: 320, height: 180, frameRate: 15, bitrate: 350 },
  '180p_2': { width: 320, height: 180, frameRate: 15, bitrate: 150 },
  '240p': { width: 320, height: 240, frameRate: 15, bitrate: 400 },
  '240p_2': { width: 320, height: 240, frameRate: 15, bitrate: 200 },
  '360p': { width: 640, height: 360, frameRate: 15, bitrate: 800 },
  '360p_2': { width: 640, height: 360, frameRate: 15, bitrate: 400 },
  '480p': { width: 640, height: 480, frameRate: 15, bitrate: 900 },
  '480p_2': { width: 640, height: 480, frameRate: 15, bitrate: 500 },
  '720p': { width: 1280, height: 720, frameRate: 15, bitrate: 1500 },
  '1080p': { width: 1920, height: 1080, frameRate: 15, bitrate: 2000 },
} as const satisfies Record<string, VideoProfile>;

/** A TRTC profile name (`'480p'`, `'360p_2'`, ...). */
export type VideoProfileName = keyof typeof VIDEO_PROFILES;

/** The optional device and quality methods of a room port (see `RoomPort`). */
export interface RoomDevices {
  getCameras?(): Promise<readonly DeviceInfo[]>;
  getMicrophones?(): Promise<readonly DeviceInfo[]>;
  getSpeakers?(): Promise<readonly DeviceInfo[]>;
  /** Uses this device now if in a call (replacing the track), and for the next captures. */
  switchDevice?(params: { readonly deviceType: DeviceType; readonly deviceId: string }): Promise<void>;
  /** Applies the profile now if in a call, and to the next captures. */
  setVideoQuality?(profile: VideoProfile): Promise<void>;
  /** The devices chosen with `switchDevice` (absent: the first of its list). */
  currentDevices?(): { readonly camera?: string; readonly microphone?: string };
  /** Calls `listener` whenever the devices changed; returns the unsubscribe function. */
  onDeviceChange?(listener: (change: DeviceChange) => void): () => void;
}

/** A plain copy of a `MediaDeviceInfo` (the browser's object does not spread). */
export function deviceInfo(d: Pick<MediaDeviceInfo, 'deviceId' | 'groupId' | 'kind' | 'label'>): DeviceInfo {
  return { deviceId: d.deviceId, groupId: d.groupId, kind: d.kind, label: d.label };
}
