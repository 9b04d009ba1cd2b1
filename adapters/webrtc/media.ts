/**
 * Local capture for the WebRTC room: `getUserMedia` with the spec's error codes, and the
 * `<video>` / `<audio>` elements the views render into. Browser globals are looked up when
 * used (never at module load), so the module imports cleanly in Node and in tests.
 */
import { RoomPortError } from '../RoomPort';

/** The spec's media error codes (TRTCCalling 3.4). */
export const MEDIA_ERROR = {
  NO_MICROPHONE: 60003,
  NO_CAMERA: 60004,
  PERMISSION_DENIED: 60005,
  NO_WEBRTC: 60006,
} as const;

/** What the room needs from the browser; injectable for tests and non-window hosts. */
export interface MediaEnvironment {
  readonly RTCPeerConnection?: typeof RTCPeerConnection;
  readonly mediaDevices?: Pick<MediaDevices, 'getUserMedia'> &
    Partial<Pick<MediaDevices, 'enumerateDevices' | 'addEventListener' | 'removeEventListener'>>;
  readonly document?: Document;
  /** Where `pagehide` is heard (the page's `window`). */
  readonly window?: Pick<EventTarget, 'addEventListener' | 'removeEventListener'>;
  /** The Permissions API (`navigator.permissions`), where the browser has it. */
  readonly permissions?: { query(descriptor: { readonly name: 'camera' | 'microphone' }): Promise<{ readonly state: string }> };
}

/**
 * The browser's own environment, read at call time: what `webrtcBackend` uses when given none.
 * An app that changes part of it (its own device choices, say) starts from this and replaces
 * only that part, so it keeps the rest (the Permissions API that `call()` asks before dialling):
 * `environment: () => ({ ...browserEnvironment(), mediaDevices: mine })`.
 */
export function browserEnvironment(): MediaEnvironment {
  const g = globalThis as { RTCPeerConnection?: typeof RTCPeerConnection; navigator?: Navigator; document?: Document; window?: Window };
  return {
    ...(g.RTCPeerConnection ? { RTCPeerConnection: g.RTCPeerConnection } : {}),
    ...(g.navigator?.mediaDevices ? { mediaDevices: g.navigator.mediaDevices } : {}),
    ...(g.document ? { document: g.document } : {}),
    ...(g.window ? { window: g.window } : {}),
    ...(g.navigator?.permissions ? { permissions: g.navigator.permissions as NonNullable<MediaEnvironment['permissions']> } : {}),
  };
}

/**
 * The 60005 error a capture of these devices would fail with, when the page's permission for one
 * of them is `denied` (a "Block" the user chose earlier); null when none is, or where the browser
 * cannot say (no Permissions API, or no `camera` / `microphone` names in it).
 */
export async function deniedAhead(env: MediaEnvironment, video: boolean): Promise<RoomPortError | null> {
  const { permissions } = env;
  if (!permissions) return null;
  const names = video ? (['microphone', 'camera'] as const) : (['microphone'] as const);
  const state = async (name: 'camera' | 'microphone') => {
    try {
      return (await permissions.query({ name })).state;
    } catch {
      return 'unknown'; // a name this browser does not know
    }
  };
  const states = await Promise.all(names.map(state));
  const denied = names.filter((_, i) => states[i] === 'denied');
  return denied.length > 0 ? new RoomPortError(MEDIA_ERROR.PERMISSION_DENIED, `media permission denied (${denied.join(' and ')} blocked for this page)`) : null;
}

/** The environment has what a WebRTC call needs, or a 60006 error says what is missing. */
export function requireWebRtc(env: MediaEnvironment): Required<Pick<MediaEnvironment, 'RTCPeerConnection' | 'mediaDevices'>> {
  const { RTCPeerConnection: Pc, mediaDevices } = env;
  if (!Pc) throw new RoomPortError(MEDIA_ERROR.NO_WEBRTC, 'this browser has no WebRTC (RTCPeerConnection)');
  if (!mediaDevices?.getUserMedia) throw new RoomPortError(MEDIA_ERROR.NO_WEBRTC, 'no navigator.mediaDevices.getUserMedia (a secure context is needed)');
  return { RTCPeerConnection: Pc, mediaDevices };
}

const nameOf = (error: unknown): string =>
  typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : '';

const MISSING = new Set(['NotFoundError', 'DevicesNotFoundError', 'OverconstrainedError', 'NotReadableError', 'TrackStartError']);
const DENIED = new Set(['NotAllowedError', 'PermissionDeniedError', 'SecurityError']);

/** A capture's failure with the spec's code, the browser's own error (`getUserMedia`'s) as its cause. */
const failed = (code: number, message: string, cause: unknown) => new RoomPortError(code, message, undefined, { cause });

/**
 * Captures the microphone, and the camera when `video`. A refused permission is 60005; a
 * missing microphone 60003; a missing camera alone 60004 (told apart by asking for the
 * microphone alone once more).
 */
export async function capture(devices: Pick<MediaDevices, 'getUserMedia'>, video: boolean): Promise<MediaStream> {
  try {
    return await devices.getUserMedia({ audio: true, video });
  } catch (error) {
    throw await classify(devices, video, error);
  }
}

/** Captures the camera alone (opening it in a call). */
export async function captureCamera(devices: Pick<MediaDevices, 'getUserMedia'>): Promise<MediaStreamTrack> {
  try {
    const stream = await devices.getUserMedia({ video: true });
    const track = stream.getVideoTracks()[0];
    if (!track) throw new RoomPortError(MEDIA_ERROR.NO_CAMERA, 'no camera track');
    return track;
  } catch (error) {
    if (error instanceof RoomPortError) throw error;
    const name = nameOf(error);
    if (DENIED.has(name)) throw failed(MEDIA_ERROR.PERMISSION_DENIED, `camera permission denied (${name})`, error);
    throw failed(MEDIA_ERROR.NO_CAMERA, `no camera (${name || String(error)})`, error);
  }
}

async function classify(devices: Pick<MediaDevices, 'getUserMedia'>, video: boolean, error: unknown): Promise<RoomPortError> {
  const name = nameOf(error);
  if (DENIED.has(name)) return failed(MEDIA_ERROR.PERMISSION_DENIED, `media permission denied (${name})`, error);
  if (!MISSING.has(name)) return failed(MEDIA_ERROR.NO_WEBRTC, `media capture failed (${name || String(error)})`, error);
  if (!video) return failed(MEDIA_ERROR.NO_MICROPHONE, `no microphone (${name})`, error);
  try {
    const audio = await devices.getUserMedia({ audio: true });
    for (const track of audio.getTracks()) track.stop();
    return failed(MEDIA_ERROR.NO_CAMERA, `no camera (${name})`, error);
  } catch {
    return failed(MEDIA_ERROR.NO_MICROPHONE, `no microphone (${name})`, error);
  }
}

/** A muted, inline, autoplaying `<video>` showing `stream`, tagged with who it shows. */
export function videoElement(doc: Document, stream: MediaStream, userID: string, local: boolean): HTMLVideoElement {
  const video = doc.createElement('video');
  video.autoplay = true;
  video.playsInline = true;
  // Sound plays through the member's hidden <audio>, so a view never echoes or doubles it.
  video.muted = true;
  video.srcObject = stream;
  video.dataset.userId = userID;
  video.dataset.view = local ? 'local' : 'remote';
  video.style.width = '100%';
  video.style.height = '100%';
  video.style.objectFit = 'cover';
  if (local) video.style.transform = 'scaleX(-1)';
  void video.play().catch(() => undefined);
  return video;
}

/** A hidden `<audio>` playing a member's sound, whether or not its video is shown. */
export function audioElement(doc: Document, stream: MediaStream, userID: string): HTMLAudioElement {
  const audio = doc.createElement('audio');
  audio.autoplay = true;
  audio.srcObject = stream;
  audio.dataset.userId = userID;
  audio.hidden = true;
  doc.body.appendChild(audio);
  void audio.play().catch(() => undefined);
  return audio;
}
