/**
 * USER_VOICE_VOLUME and NETWORK_QUALITY in Chromium over the embedded backend:
 * both pages "speak" a generated speech-like WAV through the fake microphone; Alice's listener
 * hears Bob's level rise above a threshold while the file speaks and fall in its pauses, every
 * ~200 ms; nothing polls `getStats()` before she listens or after she stops.
 */
import { describe, expect, it } from 'vitest';
import { writeSpeechWav } from './support/speechWav';
import { e2eSuite } from './support/suite';

interface StatsWindow {
  __getStats: number;
  __volumes: Array<{ t: number; map: Array<{ userId: string; audioVolume: number }> }>;
  __qualities: Array<Array<{ userId: string; quality: number }>>;
  __offVolume: () => void;
  hcDemo: { calling(): { on(name: string, cb: (p: never) => void): void; off(name: string, cb: (p: never) => void): void } };
}

/** Runs in the page before its scripts: counts every `RTCPeerConnection.getStats()` call. */
function countGetStats(): void {
  const w = globalThis as unknown as StatsWindow & { RTCPeerConnection: typeof RTCPeerConnection };
  w.__getStats = 0;
  const original = w.RTCPeerConnection.prototype.getStats;
  w.RTCPeerConnection.prototype.getStats = function (this: RTCPeerConnection, ...args: Parameters<typeof original>) {
    w.__getStats += 1;
    return original.apply(this, args);
  } as typeof original;
}

const THRESHOLD = 10;

describe('demo pages, voice volume and network quality in Chromium', () => {
  const world = e2eSuite({ flags: [`--use-file-for-fake-audio-capture=${writeSpeechWav()}`] });

  it("Alice listens to USER_VOICE_VOLUME mid-call: Bob's level rises above the threshold while the file speaks, falls in its pauses; no getStats() before or after", async () => {
    const alice = await world.open('alice', { init: countGetStats });
    const bob = await world.open('bob');
    await alice.call('bob', { type: 1 });
    await bob.answer('accept', 'alice');
    await alice.waitEvent('onUserEnter', { userID: 'bob' });
    await bob.waitEvent('onUserEnter', { userID: 'alice' });

    // In the call, nobody listening: nothing is measured.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await alice.page.evaluate(() => (globalThis as unknown as StatsWindow).__getStats)).toBe(0);

    await alice.page.evaluate(() => {
      const w = globalThis as unknown as StatsWindow;
      w.__volumes = [];
      const listener = ((p: { volumeMap: StatsWindow['__volumes'][number]['map'] }) => w.__volumes.push({ t: performance.now(), map: p.volumeMap })) as never;
      w.hcDemo.calling().on('onUserVoiceVolume', listener);
      w.__offVolume = () => w.hcDemo.calling().off('onUserVoiceVolume', listener);
    });
    await alice.page.waitForFunction(() => (globalThis as unknown as StatsWindow).__volumes.length >= 25, undefined, { timeout: 15_000, polling: 100 });
    const volumes = await alice.page.evaluate(() => (globalThis as unknown as StatsWindow).__volumes);
    const timeline = JSON.stringify(volumes.map((v) => [Math.round(v.t), ...v.map.map((x) => x.audioVolume)]));
    expect(volumes.every((v) => v.map.map((x) => x.userId).join() === 'alice,bob'), timeline).toBe(true);
    const bobLevels = volumes.map((v) => v.map[1]!.audioVolume);
    const aliceLevels = volumes.map((v) => v.map[0]!.audioVolume);
    expect(Math.max(...bobLevels), timeline).toBeGreaterThan(THRESHOLD); // heard while the file speaks
    expect(Math.min(...bobLevels), timeline).toBeLessThan(THRESHOLD / 2); // and not in its pauses
    expect(Math.max(...aliceLevels), timeline).toBeGreaterThan(THRESHOLD); // her own microphone too
    const gaps = volumes.slice(1).map((v, i) => v.t - volumes[i]!.t).sort((a, b) => a - b);
    const median = gaps[Math.floor(gaps.length / 2)]!;
    expect(median, timeline).toBeGreaterThan(150);
    expect(median, timeline).toBeLessThan(300);

    // The last listener gone: the polling stops (one sample may still be out).
    await alice.page.evaluate(() => (globalThis as unknown as StatsWindow).__offVolume());
    await new Promise((resolve) => setTimeout(resolve, 300));
    const [calls, events] = await alice.page.evaluate(() => [(globalThis as unknown as StatsWindow).__getStats, (globalThis as unknown as StatsWindow).__volumes.length]);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await alice.page.evaluate(() => [(globalThis as unknown as StatsWindow).__getStats, (globalThis as unknown as StatsWindow).__volumes.length])).toEqual([calls, events]);

    // Network quality over loopback: both ends measured, excellent or good.
    await alice.page.evaluate(() => {
      const w = globalThis as unknown as StatsWindow;
      w.__qualities = [];
      w.hcDemo.calling().on('onNetworkQuality', ((p: { networkQualityList: StatsWindow['__qualities'][number] }) => w.__qualities.push(p.networkQualityList)) as never);
    });
    await alice.page.waitForFunction(() => (globalThis as unknown as StatsWindow).__qualities.length >= 2, undefined, { timeout: 10_000, polling: 100 });
    const qualities = await alice.page.evaluate(() => (globalThis as unknown as StatsWindow).__qualities);
    expect(qualities.at(-1)!.map((q) => q.userId)).toEqual(['alice', 'bob']);
    for (const q of qualities.at(-1)!) expect([1, 2], JSON.stringify(qualities)).toContain(q.quality);

    // The measurements never entered the page's event log, and the call is still up.
    expect((await alice.events()).map((x) => x.name)).not.toContain('onCallEnd');
  });
});
