/**
 * The published package as users get it: the built ESM and CJS entry points and the
 * `./testing` subpath, imported by the package's own name (run after `npm run build`).
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);

describe('package exports (dist)', () => {
  it('ESM: the facade, EVENT with trtc-calling-js values, CALL_TYPE', async () => {
    const pkg = await import('headless-calling');
    expect(pkg.TRTCCalling.EVENT.INVITED).toBe('onInvited');
    expect(pkg.TRTCCalling.EVENT.CALL_END).toBe('onCallEnd');
    expect(pkg.TRTCCalling.EVENT.CALLING_END).toBe('onCallEnd');
    expect(pkg.TRTCCalling.CALL_TYPE).toEqual({ UNKNOWN: 0, AUDIO_CALL: 1, VIDEO_CALL: 2, 0: 'UNKNOWN', 1: 'AUDIO_CALL', 2: 'VIDEO_CALL' });
    expect(pkg.default).toBe(pkg.TRTCCalling);
  });

  it('CJS: require() gives the same API', () => {
    const pkg = require('headless-calling') as typeof import('headless-calling');
    const testing = require('headless-calling/testing') as typeof import('headless-calling/testing');
    expect(typeof pkg.TRTCCalling).toBe('function');
    expect(typeof testing.createMemoryNetwork).toBe('function');
  });

  it('CJS and ESM alike: one class per name across the entry points (the README: test a backend error with instanceof)', async () => {
    const cjs = { core: require('headless-calling') as typeof import('headless-calling'), embedded: require('headless-calling/embedded') as typeof import('headless-calling/embedded') };
    const esm = { core: await import('headless-calling'), embedded: await import('headless-calling/embedded') };
    for (const { core, embedded } of [cjs, esm]) {
      const error = new embedded.WsPortError(70001, 'login: userSig expired', 'userSigExpired');
      expect({ isImPortError: error instanceof core.ImPortError, name: error.name }).toEqual({ isImPortError: true, name: 'ImPortError' });
    }
    // And what a backend rejects with reaches the app as the root's class: the memory network's refusal of a send.
    const { createMemoryNetwork } = require('headless-calling/testing') as typeof import('headless-calling/testing');
    const im = createMemoryNetwork().backend().im;
    const refused = await im.sendToUser('bob', 'x', { onlineUserOnly: false }).then(() => null, (error: unknown) => error);
    expect(refused).toBeInstanceOf(cjs.core.ImPortError);
  });

  it('ESM: a whole call over headless-calling/testing on a simulated clock', async () => {
    const { TRTCCalling } = await import('headless-calling');
    const { createMemoryNetwork, SimulatedClock, captureEvents } = await import('headless-calling/testing');
    const net = createMemoryNetwork({ clock: new SimulatedClock() });
    const alice = new TRTCCalling({ SDKAppID: 1, backend: net.backend() });
    const bob = new TRTCCalling({ SDKAppID: 1, backend: net.backend() });
    const log = captureEvents(alice);
    bob.on(TRTCCalling.EVENT.INVITED, () => void bob.accept());
    await alice.login({ userID: 'alice', userSig: 's' });
    await bob.login({ userID: 'bob', userSig: 's' });
    await alice.call({ userID: 'bob', type: 1, timeout: 30 });
    await net.advance(1000);
    await alice.hangup();
    await net.advance(1000);
    expect(log.names()).toEqual(['sdkReady', 'onUserAccept', 'onUserEnter', 'onUserAudioAvailable', 'onCallEnd']);
  });
});
