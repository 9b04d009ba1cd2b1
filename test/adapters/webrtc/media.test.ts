/**
 * The WebRTC room's device errors and relay messages, in Node: `getUserMedia` failures map to
 * the spec's codes (60003 no microphone, 60004 no camera, 60005 permission, 60006 no WebRTC).
 * The media itself is tested in Chromium (test/e2e).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RoomPortError } from '../../../adapters/RoomPort';
import { MEDIA_ERROR, capture, captureCamera, deniedAhead, requireWebRtc } from '../../../adapters/webrtc/media';
import { parsePeerMessage } from '../../../adapters/webrtc/peer';
import * as embedded from '../../../src/embedded';

const refuse = (name: string) => Object.assign(new Error(name), { name });
const stream = { getTracks: () => [{ stop: () => undefined }], getVideoTracks: () => [] } as unknown as MediaStream;

/** A `getUserMedia` that fails with `name` for requests that match `when`. */
function devices(name: string, when: (c: MediaStreamConstraints) => boolean = () => true) {
  return { getUserMedia: async (c?: MediaStreamConstraints) => (when(c ?? {}) ? Promise.reject(refuse(name)) : stream) };
}

async function codeOf(run: Promise<unknown>): Promise<number> {
  const error = await run.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(RoomPortError);
  return (error as RoomPortError).code;
}

describe('webrtc media errors', () => {
  it('permission refused -> 60005, for a video or an audio call and for openCamera', async () => {
    expect(await codeOf(capture(devices('NotAllowedError'), true))).toBe(60005);
    expect(await codeOf(capture(devices('SecurityError'), false))).toBe(60005);
    expect(await codeOf(captureCamera(devices('NotAllowedError')))).toBe(60005);
  });

  it('the browser\'s own error (getUserMedia\'s DOMException) is the cause, whatever code it maps to', async () => {
    const causeOf = async (run: Promise<unknown>) => ((await run.then(() => null, (e: unknown) => e)) as Error).cause;
    for (const name of ['NotAllowedError', 'NotFoundError', 'AbortError']) {
      const original = refuse(name);
      const fails = { getUserMedia: async () => Promise.reject(original) };
      expect([name, await causeOf(capture(fails, false))]).toEqual([name, original]);
      expect([name, await causeOf(captureCamera(fails))]).toEqual([name, original]);
    }
    // The camera alone missing (the microphone alone then captured): the first refusal, the camera's.
    const camera = refuse('NotFoundError');
    const noCamera = { getUserMedia: async (c?: MediaStreamConstraints) => (c?.video ? Promise.reject(camera) : stream) };
    expect(await causeOf(capture(noCamera, true))).toBe(camera);
  });

  it('no device: the camera alone missing -> 60004; the microphone missing -> 60003', async () => {
    expect(await codeOf(capture(devices('NotFoundError', (c) => Boolean(c.video)), true))).toBe(MEDIA_ERROR.NO_CAMERA);
    expect(await codeOf(capture(devices('NotFoundError'), true))).toBe(MEDIA_ERROR.NO_MICROPHONE);
    expect(await codeOf(capture(devices('NotFoundError'), false))).toBe(MEDIA_ERROR.NO_MICROPHONE);
    expect(await codeOf(captureCamera(devices('NotReadableError')))).toBe(MEDIA_ERROR.NO_CAMERA);
  });

  it('no RTCPeerConnection or no getUserMedia -> 60006', () => {
    expect(() => requireWebRtc({})).toThrow(expect.objectContaining({ code: 60006 }));
    expect(() => requireWebRtc({ RTCPeerConnection: class {} as unknown as typeof RTCPeerConnection })).toThrow(
      expect.objectContaining({ code: 60006 }),
    );
  });

  it('an audio call asks for no camera', async () => {
    const asked: MediaStreamConstraints[] = [];
    await capture({ getUserMedia: async (c?: MediaStreamConstraints) => (asked.push(c ?? {}), stream) }, false);
    expect(asked).toEqual([{ audio: true, video: false }]);
  });
});

describe('devices blocked for the page, asked before dialling (the Permissions API)', () => {
  /** `navigator.permissions` with these states (a name it does not know throws, as Firefox's did for `camera`). */
  const permissions = (states: Record<string, string>) => ({
    query: async ({ name }: { readonly name: string }) => {
      const state = states[name];
      if (state === undefined) throw new TypeError(`'${name}' is not a valid PermissionName`);
      return { state };
    },
  });

  it('a blocked microphone, or a blocked camera for a video call -> the 60005 error the capture would give', async () => {
    expect(await deniedAhead({ permissions: permissions({ microphone: 'denied', camera: 'granted' }) }, false)).toMatchObject({ code: 60005 });
    expect(await deniedAhead({ permissions: permissions({ microphone: 'prompt', camera: 'denied' }) }, true)).toMatchObject({
      code: MEDIA_ERROR.PERMISSION_DENIED,
      message: 'media permission denied (camera blocked for this page)',
    });
  });

  it('null when nothing needed is blocked, or the browser cannot say: an audio call with the camera blocked, prompt and granted, unknown names, no Permissions API', async () => {
    expect(await deniedAhead({ permissions: permissions({ microphone: 'granted', camera: 'denied' }) }, false)).toBeNull();
    expect(await deniedAhead({ permissions: permissions({ microphone: 'prompt', camera: 'granted' }) }, true)).toBeNull();
    expect(await deniedAhead({ permissions: permissions({}) }, true)).toBeNull();
    expect(await deniedAhead({}, true)).toBeNull();
  });
});

describe('the browser environment, exported for apps that change part of it', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('an environment made from it with the app\'s own mediaDevices keeps the Permissions API (the check before dialling)', async () => {
    const permissions = { query: async ({ name }: { readonly name: string }) => ({ state: name === 'microphone' ? 'denied' : 'granted' }) };
    vi.stubGlobal('navigator', { permissions });
    const mine = { getUserMedia: async () => stream };
    const environment = { ...embedded.browserEnvironment(), mediaDevices: mine };
    expect(environment.permissions).toBe(permissions);
    expect(await deniedAhead(environment, false)).toMatchObject({ code: 60005 });
  });
});

describe('webrtc relay messages', () => {
  it('parses SDP and ICE messages and refuses anything else', () => {
    expect(parsePeerMessage(JSON.stringify({ kind: 'sdp', description: { type: 'offer', sdp: 'v=0' } }))).toEqual({
      kind: 'sdp',
      description: { type: 'offer', sdp: 'v=0' },
    });
    expect(parsePeerMessage(JSON.stringify({ kind: 'ice', candidate: null }))).toEqual({ kind: 'ice', candidate: null });
    for (const junk of ['', 'nope', '{}', '[]', JSON.stringify({ kind: 'sdp' }), JSON.stringify({ kind: 'sdp', description: 'x' }), JSON.stringify({ kind: 'other' })])
      expect(parsePeerMessage(junk)).toBeNull();
  });
});
