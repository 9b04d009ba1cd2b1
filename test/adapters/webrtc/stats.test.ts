/**
 * The WebRTC mesh's voice volume and network quality, from `getStats()` reports as Chromium
 * gives them: levels scaled to TRTC's 0-100, the grades of RTT, loss and jitter, and no
 * `getStats()` call at all while nobody watches.
 */
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../../adapters/memory';
import { gradeLink, WebRtcStats, type StatsPeer } from '../../../adapters/webrtc/stats';

type Stat = Record<string, unknown> & { type: string; id: string };

function fakePeer(userID: string, stats: () => Stat[], state: RTCPeerConnectionState = 'connected') {
  const peer = {
    userID,
    calls: 0,
    state,
    pc: {
      get connectionState() {
        return peer.state;
      },
      getStats: async () => {
        peer.calls += 1;
        return new Map(stats().map((s) => [s.id, s])) as unknown as RTCStatsReport;
      },
    },
  };
  return peer;
}

function setup(peers: ReturnType<typeof fakePeer>[], muted = false) {
  const clock = new SimulatedClock();
  const errors: unknown[] = [];
  const stats = new WebRtcStats({ self: () => 'alice', micMuted: () => muted, peers: () => peers as StatsPeer[] }, clock, (e) => errors.push(e));
  return { clock, stats, errors };
}

const link = (rtt: number, lost: number, received: number, jitter: number, remote?: { fractionLost: number; jitter: number }): Stat[] => [
  { type: 'transport', id: 'T', selectedCandidatePairId: 'CP' },
  { type: 'candidate-pair', id: 'CP', currentRoundTripTime: rtt, nominated: true, state: 'succeeded' },
  { type: 'inbound-rtp', id: 'IA', kind: 'audio', packetsLost: lost, packetsReceived: received, jitter, audioLevel: 0.25 },
  { type: 'media-source', id: 'MS', kind: 'audio', audioLevel: 0.5 },
  ...(remote ? [{ type: 'remote-inbound-rtp', id: 'RI', kind: 'audio', ...remote }] : []),
];

describe('gradeLink (TRTC scale from RTT, loss, jitter)', () => {
  it.each([
    [{ state: 'connected', rttMs: 20, lossPercent: 0, jitterMs: 5 }, 1],
    [{ state: 'connected', rttMs: 150, lossPercent: 0, jitterMs: 5 }, 2],
    [{ state: 'connected', rttMs: 20, lossPercent: 5, jitterMs: 5 }, 3],
    [{ state: 'connected', rttMs: 20, lossPercent: 0, jitterMs: 80 }, 4],
    [{ state: 'connected', rttMs: 900, lossPercent: 0, jitterMs: 5 }, 5],
    [{ state: 'connected', rttMs: 20, lossPercent: 30, jitterMs: 5 }, 5],
    [{ state: 'connected' }, 0],
    [{ state: 'connecting', rttMs: 20 }, 0],
    [{ state: 'disconnected', rttMs: 20 }, 6],
    [{ state: 'failed' }, 6],
  ] as const)('%o -> %i', (figures, quality) => {
    expect(gradeLink(figures)).toBe(quality);
  });
});

describe('WebRtcStats', () => {
  it('volume every 200 ms: ours from media-source, each remote from its inbound-rtp audio, 0-100; muted is 0', async () => {
    const bob = fakePeer('bob', () => link(0.01, 0, 100, 0.002));
    const { clock, stats } = setup([bob]);
    const seen: unknown[] = [];
    stats.watchVoiceVolume((v) => seen.push(v));
    await clock.advance(400);
    expect(seen).toEqual([
      [{ userID: 'alice', volume: 50 }, { userID: 'bob', volume: 25 }],
      [{ userID: 'alice', volume: 50 }, { userID: 'bob', volume: 25 }],
    ]);
    const muted = setup([fakePeer('bob', () => link(0.01, 0, 100, 0.002))], true);
    const mutedSeen: unknown[] = [];
    muted.stats.watchVoiceVolume((v) => mutedSeen.push(v));
    await muted.clock.advance(200);
    expect(mutedSeen).toEqual([[{ userID: 'alice', volume: 0 }, { userID: 'bob', volume: 25 }]]);
  });

  it('no getStats() while nobody watches; polling stops with the last listener', async () => {
    const bob = fakePeer('bob', () => link(0.01, 0, 100, 0.002));
    const { clock, stats } = setup([bob]);
    await clock.advance(5000);
    expect(bob.calls).toBe(0);
    const offVolume = stats.watchVoiceVolume(() => undefined);
    const offNetwork = stats.watchNetworkQuality(() => undefined);
    await clock.advance(2000);
    expect(bob.calls).toBe(10 + 1);
    offVolume();
    offNetwork();
    await clock.advance(5000);
    expect(bob.calls).toBe(11);
    expect(stats.getStatsCalls).toBe(11);
    expect(clock.pending()).toBe(0);
  });

  it('network quality every 2 s: loss over the last interval for the remote, remote-inbound-rtp for us; a link down is 6 (ours: only when all are)', async () => {
    let figures = link(0.02, 0, 1000, 0.005, { fractionLost: 0, jitter: 0.004 });
    const bob = fakePeer('bob', () => figures);
    const carol = fakePeer('carol', () => link(0.25, 0, 500, 0.01, { fractionLost: 0.1, jitter: 0.01 }));
    const { clock, stats } = setup([bob, carol]);
    const seen: unknown[] = [];
    stats.watchNetworkQuality((q) => seen.push(q));
    await clock.advance(2000);
    // bob: loss 20 of 1000+20 over this interval (2 %) -> 2; carol: RTT 250 ms -> 3; us: carol sees 10 % of ours lost -> 4.
    figures = link(0.02, 20, 2000, 0.005, { fractionLost: 0, jitter: 0.004 });
    await clock.advance(2000);
    bob.state = 'disconnected';
    await clock.advance(2000);
    expect(seen).toEqual([
      [{ userID: 'alice', quality: 4 }, { userID: 'bob', quality: 1 }, { userID: 'carol', quality: 3 }],
      [{ userID: 'alice', quality: 4 }, { userID: 'bob', quality: 2 }, { userID: 'carol', quality: 3 }],
      [{ userID: 'alice', quality: 4 }, { userID: 'bob', quality: 6 }, { userID: 'carol', quality: 3 }],
    ]);
    carol.state = 'failed';
    await clock.advance(2000);
    expect(seen.at(-1)).toEqual([{ userID: 'alice', quality: 6 }, { userID: 'bob', quality: 6 }, { userID: 'carol', quality: 6 }]);
  });

  it('nothing to report with no connection', async () => {
    const { clock, stats } = setup([]);
    const seen: unknown[] = [];
    stats.watchVoiceVolume((v) => seen.push(v));
    await clock.advance(1000);
    expect(seen).toEqual([]);
  });
});
