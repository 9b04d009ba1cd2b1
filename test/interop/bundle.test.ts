/**
 * The interop tier's own ground: Tencent's unmodified bundles load into fake browser pages over
 * our fake SDKs (support/officialBundle.ts says how and why), each official party in a page of
 * its own; their requests to the network stay in the page; a real network attempt is refused
 * and fails the test.
 */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { TRTCCalling } from '../../src/index';
import type { OfficialParty } from './support/interopWorld';
import { expectEvents, oe, useInterop } from './support/suite';

const t = useInterop();

describe('Tencent\'s bundles in fake pages', () => {
  it('trtc-calling-js 1.0.6 loads with its own TSignaling, TIM and TRTC from our fakes: TRTCCalling with its EVENT and CALL_TYPE', async () => {
    const zed = (await t.world.party('official', 'zed', { login: false })) as OfficialParty;
    expect(typeof zed.TRTCCalling).toBe('function');
    expect(zed.TRTCCalling.CALL_TYPE).toMatchObject({ AUDIO_CALL: 1, VIDEO_CALL: 2 });
    // Ours is the same object, UNKNOWN and the reverse mapping included (an app's CALL_TYPE[type] names it).
    expect({ ...TRTCCalling.CALL_TYPE }).toEqual({ ...zed.TRTCCalling.CALL_TYPE });
    expect(zed.TRTCCalling.EVENT['CALL_END']).toBe('onCallEnd');
    expect(zed.getCallStatus()).toBe('idle');
  });

  it('two official parties are two pages: their own sessionStorage, module state and TIM session', async () => {
    const alice = (await t.world.party('official', 'alice')) as OfficialParty;
    const bob = (await t.world.party('official', 'bob')) as OfficialParty;
    expect(alice.TRTCCalling).not.toBe(bob.TRTCCalling);
    expect([alice.browser.sessionStorage.getItem('userId'), bob.browser.sessionStorage.getItem('userId')]).toEqual(['alice', 'bob']);
    await t.world.act(alice.call('bob', 1));
    await t.world.act(bob.accept());
    expectEvents(bob, { ours: [], official: [oe.invited('alice', ['bob'], { callType: 1 }), ...oe.arrives('alice', false)] });
    expectEvents(alice, { ours: [], official: [oe.audio('bob', true), oe.accepted('alice'), oe.enter('bob')] });
  });

  it('what the bundle sends to the network by itself (telemetry) goes to its page\'s fake XMLHttpRequest, answered there', async () => {
    await t.world.party('official', 'zed');
    expect(t.world.intercepted().length).toBeGreaterThan(0);
    expect(new Set(t.world.intercepted().map((r) => `${r.api} ${r.method} ${new URL(r.url).host}`))).toEqual(new Set(['XMLHttpRequest POST webim.tim.qq.com']));
  });

  it('a real network attempt is refused and recorded, so it fails the test (fetch, any socket)', async () => {
    await expect(fetch('https://webim.tim.qq.com/')).rejects.toThrow(/without a network/);
    expect(() => net.connect(443, 'webim.tim.qq.com')).toThrow(/without a network/);
    expect(t.network.attempts).toEqual(['fetch https://webim.tim.qq.com/', expect.stringMatching(/^net connect /)]);
    t.network.attempts.splice(0);
  });
});
