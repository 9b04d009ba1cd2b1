/**
 * One client's connection to an {@link InMemoryRoomHub}: the `RoomPort` a memory backend's
 * facade uses. The hub decides everything and writes the port's fields; the port hands its
 * listeners what the hub delivers, and measures voice volume and network quality (as the hub
 * simulates them) on the hub's clock while watched.
 */
import type { UserID } from '../../machines/types';
import type { Unsubscribe } from '../ImPort';
import { STATS_INTERVAL, type EnterOptions, type RoomEvent, type RoomPort, type UserNetworkQuality, type VoiceVolume } from '../RoomPort';
import type { DeviceChange, DeviceInfo, DeviceType, VideoProfile } from '../mediaDevices';
import { PolledFeed } from '../statsFeed';
import type { InMemoryRoomHub } from './InMemoryRoomHub';
import type { EntryTerms } from './roomAdmission';

/** @internal A view binding as a port keeps it. */
export interface PortView {
  readonly kind: 'local' | 'remote';
  /** The remote user; `undefined` for the local view. */
  readonly userID: UserID | undefined;
  readonly domID: string;
}

/** One client's connection to an {@link InMemoryRoomHub}. Its fields are written by the hub. */
export class InMemoryRoomPort implements RoomPort {
  /** @internal */ userID: UserID | null = null;
  /** @internal */ roomID: number | null = null;
  /** @internal What its entry said of its call (who may join it). */ terms: EntryTerms = {};
  /** @internal */ camera = false;
  /** @internal */ micMuted = false;
  /** @internal */ views: PortView[] = [];
  /** @internal */ entering: Promise<void> | null = null;
  /** @internal */ exiting: Promise<void> | null = null;
  /** @internal Events queued while `enter()` resolves. */ held: RoomEvent[] | null = null;
  /** @internal Devices chosen with `switchDevice`. */ selected: { camera?: string; microphone?: string } = {};
  /** @internal The devices in use when last looked (to tell whether an unplugged one was). */ lastUsed: { video?: string; audio?: string } = {};
  /** @internal The profile `setVideoQuality` set. */ profile: VideoProfile | null = null;
  /** @internal Set by `dispose()`: it settles once the port left its room and the hub. */ disposed: Promise<void> | null = null;
  private readonly listeners = new Set<(event: RoomEvent) => void>();
  private readonly deviceListeners = new Set<(change: DeviceChange) => void>();
  private readonly volumeFeed: PolledFeed<readonly VoiceVolume[]>;
  private readonly networkFeed: PolledFeed<readonly UserNetworkQuality[]>;

  /** @internal Use {@link InMemoryRoomHub.connect}. */
  constructor(
    private readonly hub: InMemoryRoomHub,
    private readonly onListenerError: (error: unknown) => void,
    private readonly identity?: () => UserID | null,
  ) {
    this.volumeFeed = new PolledFeed<readonly VoiceVolume[]>(hub.clock, STATS_INTERVAL.volumeMs, () => hub.voiceVolumes(this), onListenerError);
    this.networkFeed = new PolledFeed<readonly UserNetworkQuality[]>(hub.clock, STATS_INTERVAL.networkMs, () => hub.networkQualities(this), onListenerError);
  }

  /** Checks the simulated devices at once, as a browser's getUserMedia would. */
  async prepare(options: { readonly video: boolean }): Promise<void> {
    this.hub.prepare(this, options.video);
  }
  enter(roomID: number, options: EnterOptions): Promise<void> {
    return this.hub.enter(this, roomID, options);
  }
  exit(): Promise<void> {
    return this.hub.exit(this);
  }
  setCamera(on: boolean): Promise<void> {
    return this.hub.setCamera(this, on);
  }
  setMicMuted(muted: boolean): Promise<void> {
    return this.hub.setMicMuted(this, muted);
  }
  startLocalView(videoViewDomID: string): Promise<void> {
    return this.hub.bindView(this, true, videoViewDomID);
  }
  stopLocalView(videoViewDomID?: string): Promise<void> {
    return this.hub.bindView(this, false, videoViewDomID);
  }
  startRemoteView(userID: UserID, videoViewDomID: string): Promise<void> {
    return this.hub.bindView(this, true, videoViewDomID, userID);
  }
  stopRemoteView(userID: UserID, videoViewDomID?: string): Promise<void> {
    return this.hub.bindView(this, false, videoViewDomID, userID);
  }
  onEvent(listener: (event: RoomEvent) => void): Unsubscribe {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }
  /** The levels {@link InMemoryRoomHub.setVoiceVolume} set, every 200 ms on the hub's clock while watched. */
  watchVoiceVolume(listener: (volumes: readonly VoiceVolume[]) => void): Unsubscribe {
    return this.volumeFeed.watch(listener);
  }
  /** The qualities {@link InMemoryRoomHub.setNetworkQuality} set, every 2 s on the hub's clock while watched. */
  watchNetworkQuality(listener: (qualities: readonly UserNetworkQuality[]) => void): Unsubscribe {
    return this.networkFeed.watch(listener);
  }
  async getCameras(): Promise<readonly DeviceInfo[]> {
    return this.hub.deviceList(this.user()).filter((x) => x.kind === 'videoinput');
  }
  async getMicrophones(): Promise<readonly DeviceInfo[]> {
    return this.hub.deviceList(this.user()).filter((x) => x.kind === 'audioinput');
  }
  async getSpeakers(): Promise<readonly DeviceInfo[]> {
    return this.hub.deviceList(this.user()).filter((x) => x.kind === 'audiooutput');
  }
  async switchDevice(params: { readonly deviceType: DeviceType; readonly deviceId: string }): Promise<void> {
    await this.hub.switchDevice(this, params.deviceType, params.deviceId);
    this.noteUsed(this.hub);
  }
  /** Records the profile (no media flows here); {@link InMemoryRoomHub.media} reads it. */
  async setVideoQuality(profile: VideoProfile): Promise<void> {
    this.profile = profile;
  }
  currentDevices(): { readonly camera?: string; readonly microphone?: string } {
    return this.selected;
  }
  onDeviceChange(listener: (change: DeviceChange) => void): Unsubscribe {
    this.deviceListeners.add(listener);
    return () => {
      this.deviceListeners.delete(listener);
    };
  }

  /**
   * Leaves its room, if in one (the others hear it after the latency, as with `exit()`), stops
   * measuring and leaves the hub, which holds it no more ({@link InMemoryRoomHub.connections});
   * a later `enter()` is refused. `TRTCCalling.destroy()` calls it. Settles once the exit is done.
   */
  dispose(): Promise<void> {
    if (this.disposed) return this.disposed;
    this.volumeFeed.stop();
    this.networkFeed.stop();
    this.disposed = this.hub.dispose(this);
    return this.disposed;
  }

  /** @internal */
  noteUsed(hub: InMemoryRoomHub): void {
    this.lastUsed = { video: hub.current(this, 'video')?.deviceId, audio: hub.current(this, 'audio')?.deviceId };
  }

  /** @internal */
  deviceChanged(change: DeviceChange): void {
    for (const listener of [...this.deviceListeners]) {
      try {
        listener(change);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  /** @internal The user this connection acts for: its room identity, else the IM login. */
  user(): UserID | null {
    return this.userID ?? this.identity?.() ?? null;
  }

  /** @internal Delivers now, or queues behind the entry announcements. */
  emit(event: RoomEvent): void {
    if (this.held) {
      this.held.push(event);
      return;
    }
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  /** @internal */
  release(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const event of held) this.emit(event);
  }
}
