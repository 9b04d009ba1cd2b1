/**
 * What the room measures for the public events USER_VOICE_VOLUME and
 * NETWORK_QUALITY, watched only while the app listens: the first listener of
 * either event starts the room's measuring, the last one removed stops it.
 */
import type { Unsubscribe } from '../adapters/ImPort';
import type { RoomPort } from '../adapters/RoomPort';
import { EVENT, type EventName, type EventPayloads } from './events';

type Emit = <K extends EventName>(name: K, payload: EventPayloads[K]) => void;

export class MediaStatsWatch {
  #volume: Unsubscribe | null = null;
  #network: Unsubscribe | null = null;

  constructor(
    private readonly room: RoomPort,
    private readonly emit: Emit,
  ) {}

  /** The emitter's listener count of `name` changed to `count`. */
  listenersChanged(name: EventName, count: number): void {
    if (name === EVENT.USER_VOICE_VOLUME) {
      if (count > 0 && !this.#volume)
        this.#volume =
          this.room.watchVoiceVolume?.((volumes) =>
            this.emit(EVENT.USER_VOICE_VOLUME, { volumeMap: volumes.map((v) => ({ userId: v.userID, audioVolume: v.volume })) }),
          ) ?? null;
      else if (count === 0) this.#volume = stop(this.#volume);
    } else if (name === EVENT.NETWORK_QUALITY) {
      if (count > 0 && !this.#network)
        this.#network =
          this.room.watchNetworkQuality?.((qualities) =>
            this.emit(EVENT.NETWORK_QUALITY, { networkQualityList: qualities.map((q) => ({ userId: q.userID, quality: q.quality })) }),
          ) ?? null;
      else if (count === 0) this.#network = stop(this.#network);
    }
  }
}

function stop(unsubscribe: Unsubscribe | null): null {
  unsubscribe?.();
  return null;
}
