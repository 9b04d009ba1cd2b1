/**
 * Voice volume and network quality of the WebRTC mesh, read from `RTCPeerConnection.getStats()`
 * only while someone watches (see {@link PolledFeed}):
 *
 * - Volume: a remote member's is its `inbound-rtp` audio `audioLevel`, ours the `media-source`
 *   audio `audioLevel` (both 0..1, linear, 1 = full scale), times 100 and rounded: TRTC's 0-100.
 *   A muted microphone is 0.
 * - Network quality, on TRTC's scale, the worst of three grades (see {@link QUALITY_THRESHOLDS}):
 *   the round-trip time of the selected candidate pair, the packet loss and the jitter. For a
 *   remote member: what we receive from it (`inbound-rtp`, loss over the last interval); for us:
 *   what the others receive from us (`remote-inbound-rtp`), the worst over our connections that
 *   are up (6 when none is).
 *   A connection that is down (disconnected, failed, closed) is 6; one not measured yet is 0.
 */
import type { UserID } from '../../machines/types';
import type { Clock } from '../clock';
import type { Unsubscribe } from '../ImPort';
import { STATS_INTERVAL, type NetworkQuality, type UserNetworkQuality, type VoiceVolume } from '../RoomPort';
import { PolledFeed } from '../statsFeed';

/** Upper bounds (exclusive) of grades 1 (excellent) to 4 (bad); beyond the last: 5 (very bad). */
export const QUALITY_THRESHOLDS = {
  rttMs: [100, 200, 300, 500],
  lossPercent: [1, 3, 8, 15],
  jitterMs: [20, 40, 60, 100],
} as const;

/** One connection's figures: each may be unknown. */
export interface LinkFigures {
  readonly state: RTCPeerConnectionState;
  readonly rttMs?: number | undefined;
  readonly lossPercent?: number | undefined;
  readonly jitterMs?: number | undefined;
}

/** TRTC's grade of a link: 6 when down, 0 when nothing is measured yet, else the worst of the three figures. */
export function gradeLink(link: LinkFigures): NetworkQuality {
  if (link.state === 'disconnected' || link.state === 'failed' || link.state === 'closed') return 6;
  const grades = (Object.keys(QUALITY_THRESHOLDS) as (keyof typeof QUALITY_THRESHOLDS)[]).flatMap((key) => {
    const value = link[key];
    if (value === undefined || !Number.isFinite(value)) return [];
    const index = QUALITY_THRESHOLDS[key].findIndex((bound) => value < bound);
    return [index < 0 ? 5 : index + 1];
  });
  if (link.state !== 'connected' || grades.length === 0) return 0;
  return Math.max(...grades) as NetworkQuality;
}

/** A remote member's connection as the stats see it. */
export interface StatsPeer {
  readonly userID: UserID;
  readonly pc: Pick<RTCPeerConnection, 'getStats' | 'connectionState'>;
}

/** What the stats read from the room port. */
export interface StatsHost {
  /** Our userID while in a room, else null (nothing is measured then). */
  self(): UserID | null;
  /** Our microphone is muted. */
  micMuted(): boolean;
  peers(): readonly StatsPeer[];
}

type Stat = Record<string, unknown> & { readonly type: string; readonly id: string };
const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
const level = (value: unknown): number => Math.round(Math.min(1, Math.max(0, num(value) ?? 0)) * 100);

export class WebRtcStats {
  readonly #volume: PolledFeed<readonly VoiceVolume[]>;
  readonly #network: PolledFeed<readonly UserNetworkQuality[]>;
  /** Per remote member: packets lost and received at the last network sample (loss is per interval). */
  readonly #counters = new Map<UserID, { lost: number; received: number }>();
  /** How many `getStats()` calls were made (tests: none while nobody watches). */
  getStatsCalls = 0;

  constructor(
    private readonly host: StatsHost,
    clock: Clock,
    report: (error: unknown) => void,
  ) {
    this.#volume = new PolledFeed<readonly VoiceVolume[]>(clock, STATS_INTERVAL.volumeMs, () => this.#sampleVolume(), report);
    this.#network = new PolledFeed<readonly UserNetworkQuality[]>(clock, STATS_INTERVAL.networkMs, () => this.#sampleNetwork(), report);
  }

  watchVoiceVolume(listener: (volumes: readonly VoiceVolume[]) => void): Unsubscribe {
    return this.#volume.watch(listener);
  }

  watchNetworkQuality(listener: (qualities: readonly UserNetworkQuality[]) => void): Unsubscribe {
    return this.#network.watch(listener);
  }

  /** A member left: its counters go. */
  forget(userID: UserID): void {
    this.#counters.delete(userID);
  }

  async #stats(peer: StatsPeer): Promise<Stat[]> {
    this.getStatsCalls += 1;
    const report = await peer.pc.getStats();
    const all: Stat[] = [];
    report.forEach((stat: Stat) => all.push(stat));
    return all;
  }

  async #sampleVolume(): Promise<VoiceVolume[] | null> {
    const self = this.host.self();
    const peers = this.host.peers();
    if (self === null || peers.length === 0) return null;
    const reports = await Promise.all(peers.map((p) => this.#stats(p).catch(() => [] as Stat[])));
    const source = reports.flat().find((s) => s.type === 'media-source' && s.kind === 'audio' && s.audioLevel !== undefined);
    const local = { userID: self, volume: this.host.micMuted() ? 0 : level(source?.audioLevel) };
    const remote = peers.map((peer, i) => {
      const inbound = reports[i]!.find((s) => s.type === 'inbound-rtp' && s.kind === 'audio');
      return { userID: peer.userID, volume: level(inbound?.audioLevel) };
    });
    return [local, ...remote];
  }

  async #sampleNetwork(): Promise<UserNetworkQuality[] | null> {
    const self = this.host.self();
    const peers = this.host.peers();
    if (self === null || peers.length === 0) return null;
    const reports = await Promise.all(peers.map((p) => this.#stats(p).catch(() => [] as Stat[])));
    const uplinks: NetworkQuality[] = [];
    const remote = peers.map((peer, i): UserNetworkQuality => {
      const stats = reports[i]!;
      const state = peer.pc.connectionState;
      const rttMs = roundTrip(stats);
      const inbound = stats.filter((s) => s.type === 'inbound-rtp');
      const lost = sum(inbound, 'packetsLost');
      const received = sum(inbound, 'packetsReceived');
      const before = this.#counters.get(peer.userID);
      this.#counters.set(peer.userID, { lost, received });
      const dLost = before ? lost - before.lost : lost;
      const dTotal = dLost + (before ? received - before.received : received);
      const audioIn = inbound.find((s) => s.kind === 'audio');
      const jitter = num(audioIn?.jitter);
      const down = gradeLink({ state, rttMs, lossPercent: dTotal > 0 ? (100 * Math.max(0, dLost)) / dTotal : undefined, jitterMs: jitter === undefined ? undefined : jitter * 1000 });
      const remoteIn = stats.filter((s) => s.type === 'remote-inbound-rtp');
      const fraction = remoteIn.map((s) => num(s.fractionLost)).filter((x): x is number => x !== undefined);
      const upJitter = remoteIn.map((s) => num(s.jitter)).filter((x): x is number => x !== undefined);
      uplinks.push(
        gradeLink({
          state,
          rttMs,
          lossPercent: fraction.length ? 100 * Math.max(...fraction) : undefined,
          jitterMs: upJitter.length ? 1000 * Math.max(...upJitter) : undefined,
        }),
      );
      return { userID: peer.userID, quality: down };
    });
    // Ours: the worst of the links that are up (one member's link down is about that member); 6 when all are down.
    const up = uplinks.filter((q) => q !== 6);
    return [{ userID: self, quality: (up.length ? Math.max(...up) : 6) as NetworkQuality }, ...remote];
  }
}

/** The selected candidate pair's current round-trip time, in ms. */
function roundTrip(stats: readonly Stat[]): number | undefined {
  const transport = stats.find((s) => s.type === 'transport' && typeof s.selectedCandidatePairId === 'string');
  const pair =
    stats.find((s) => s.type === 'candidate-pair' && s.id === transport?.selectedCandidatePairId) ??
    stats.find((s) => s.type === 'candidate-pair' && s.nominated === true && s.state === 'succeeded');
  const rtt = num(pair?.currentRoundTripTime);
  return rtt === undefined ? undefined : rtt * 1000;
}

function sum(stats: readonly Stat[], key: string): number {
  return stats.reduce((total, s) => total + (num(s[key]) ?? 0), 0);
}
