/**
 * Voice volume and network quality from TRTC itself (trtc-js-sdk v4), as TRTCCalling would
 * take them: `client.enableAudioVolumeEvaluation(200)` while someone watches the volume (and
 * `-1`, off, once nobody does), its `audio-volume` results (0-100 per user, the local user by
 * its own userId); and `network-quality`, which v4 sends every 2 s with two figures only: the
 * local uplink (reported for the local user) and the average downlink (reported for each remote
 * member, our link to them being that downlink).
 */
import type { Client } from 'trtc-js-sdk';
import type { UserID } from '../../machines/types';
import type { Unsubscribe } from '../ImPort';
import { STATS_INTERVAL, type UserNetworkQuality, type VoiceVolume } from '../RoomPort';
import { Listeners } from '../ws/listeners';

/** What the stats need from the room port. */
export interface TrtcStatsHost {
  /** The local user while in a room, else null (nothing is reported then). */
  inRoomAs(): UserID | null;
}

export class TrtcStats {
  readonly #volume: Listeners<readonly VoiceVolume[]>;
  readonly #network: Listeners<readonly UserNetworkQuality[]>;
  #client: Client | null = null;

  constructor(
    private readonly host: TrtcStatsHost,
    report: (error: unknown) => void,
  ) {
    this.#volume = new Listeners(report);
    this.#network = new Listeners(report);
  }

  /** The port's new client (one per login): its events are heard, its evaluation follows the watchers. */
  listen(client: Client): void {
    this.#client = client;
    client.on('audio-volume', ({ result }) => {
      const self = this.host.inRoomAs();
      if (this.#client !== client || self === null || this.#volume.size === 0) return;
      const volumes = result.map((r) => ({ userID: r.userId, volume: Math.round(Math.min(100, Math.max(0, r.audioVolume))) }));
      this.#volume.emit([...volumes.filter((v) => v.userID === self), ...volumes.filter((v) => v.userID !== self)]);
    });
    client.on('network-quality', ({ uplinkNetworkQuality, downlinkNetworkQuality }) => {
      const self = this.host.inRoomAs();
      if (this.#client !== client || self === null || this.#network.size === 0) return;
      const remotes = client.getRemoteMutedState().map((s) => s.userId);
      this.#network.emit([
        { userID: self, quality: uplinkNetworkQuality },
        ...[...new Set(remotes)].filter((u) => u !== self).map((userID) => ({ userID, quality: downlinkNetworkQuality })),
      ]);
    });
    if (this.#volume.size > 0) client.enableAudioVolumeEvaluation(STATS_INTERVAL.volumeMs);
  }

  watchVoiceVolume(listener: (volumes: readonly VoiceVolume[]) => void): Unsubscribe {
    const off = this.#volume.add(listener);
    if (this.#volume.size === 1) this.#client?.enableAudioVolumeEvaluation(STATS_INTERVAL.volumeMs);
    return once(() => {
      off();
      if (this.#volume.size === 0) this.#client?.enableAudioVolumeEvaluation(-1);
    });
  }

  /** TRTC sends `network-quality` anyway: watching only decides whether it is passed on. */
  watchNetworkQuality(listener: (qualities: readonly UserNetworkQuality[]) => void): Unsubscribe {
    return once(this.#network.add(listener));
  }
}

function once(fn: () => void): Unsubscribe {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}
