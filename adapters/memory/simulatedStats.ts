/**
 * The memory room's voice volumes and network qualities, set by tests (no media flows here):
 * what each user "says" and how good each user's network is, read by the ports that watch.
 */
import type { UserID } from '../../machines/types';
import type { NetworkQuality, UserNetworkQuality, VoiceVolume } from '../RoomPort';

/** A speaker as the stats see it: who, and whether its microphone is muted. */
export interface Speaker {
  readonly userID: UserID;
  readonly micMuted: boolean;
}

export class SimulatedStats {
  readonly #volumes = new Map<UserID, number>();
  readonly #qualities = new Map<UserID, NetworkQuality>();

  /** `userID` speaks at `volume` (0-100) from now on; 0 is silence (the default). */
  setVoiceVolume(userID: UserID, volume: number): void {
    if (typeof userID !== 'string' || userID === '') throw new TypeError('setVoiceVolume: userID must be a non-empty string');
    if (!Number.isInteger(volume) || volume < 0 || volume > 100) throw new RangeError('setVoiceVolume: volume must be an integer in 0..100');
    this.#volumes.set(userID, volume);
  }

  /** `userID`'s network is this good from now on (TRTC's 0-6; default 1, excellent). */
  setNetworkQuality(userID: UserID, quality: NetworkQuality): void {
    if (typeof userID !== 'string' || userID === '') throw new TypeError('setNetworkQuality: userID must be a non-empty string');
    if (!Number.isInteger(quality) || quality < 0 || quality > 6) throw new RangeError('setNetworkQuality: quality must be an integer in 0..6');
    this.#qualities.set(userID, quality);
  }

  /** Each speaker's level, `self` first; a muted microphone is heard as 0. */
  volumes(self: Speaker, others: readonly Speaker[]): VoiceVolume[] {
    return [self, ...others].map((s) => ({ userID: s.userID, volume: s.micMuted ? 0 : (this.#volumes.get(s.userID) ?? 0) }));
  }

  /** `self`'s own quality, then each other's link to `self`: the worse of the two ends. */
  qualities(self: UserID, others: readonly UserID[]): UserNetworkQuality[] {
    const own = this.#quality(self);
    return [{ userID: self, quality: own }, ...others.map((userID) => ({ userID, quality: worse(own, this.#quality(userID)) }))];
  }

  #quality(userID: UserID): NetworkQuality {
    return this.#qualities.get(userID) ?? 1;
  }
}

/** The worse of two qualities: "unknown" (0) only when both are. */
function worse(a: NetworkQuality, b: NetworkQuality): NetworkQuality {
  return Math.max(a, b) as NetworkQuality;
}
