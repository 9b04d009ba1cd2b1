/**
 * The WebRTC room's devices: the camera and microphone chosen with `switchDevice`, the video
 * profile, the lists (`enumerateDevices`) and hot-plug (`devicechange`). Every capture the room
 * makes goes through {@link LocalDevices.capturing}, so the choice and the profile apply to the
 * next call as well as to this one. The chosen device is asked for as `ideal`: one unplugged
 * since is replaced by another instead of failing the next call.
 */
import { type DeviceChange, type DeviceInfo, type DeviceType, type VideoProfile, deviceInfo } from '../mediaDevices';
import { RoomPortError } from '../RoomPort';
import { Listeners } from '../ws/listeners';
import { MEDIA_ERROR } from './media';

/** The `navigator.mediaDevices` methods the devices use (lists and hot-plug are optional). */
export type DeviceHost = Pick<MediaDevices, 'getUserMedia'> &
  Partial<Pick<MediaDevices, 'enumerateDevices' | 'addEventListener' | 'removeEventListener'>>;

const KIND = { videoinput: 'videoinput', audioinput: 'audioinput', audiooutput: 'audiooutput' } as const;

/** Constraints for one device: exact for an explicit switch, ideal for captures. */
function deviceConstraint(deviceId: string | undefined, exact: boolean): MediaTrackConstraints {
  return deviceId === undefined ? {} : { deviceId: exact ? { exact: deviceId } : { ideal: deviceId } };
}

export class LocalDevices {
  camera: string | undefined;
  microphone: string | undefined;
  profile: VideoProfile | null = null;
  private readonly listeners: Listeners<DeviceChange>;
  private host: DeviceHost | null = null;
  private readonly changed = (): void => this.listeners.emit({});

  constructor(
    private readonly devices: () => DeviceHost | undefined,
    onListenerError: (error: unknown) => void,
  ) {
    this.listeners = new Listeners(onListenerError);
  }

  /**
   * The video constraints of a capture: the chosen camera and the profile's resolution and frame
   * rate; plain `true` when neither is set, so an environment that adds its own choice to `true`
   * (the demo's device check) still can.
   */
  video(exact = false): MediaTrackConstraints | true {
    const p = this.profile;
    if (this.camera === undefined && !p) return true;
    return {
      ...deviceConstraint(this.camera, exact),
      ...(p ? { width: { ideal: p.width }, height: { ideal: p.height }, frameRate: { ideal: p.frameRate } } : {}),
    };
  }

  audio(exact = false): MediaTrackConstraints | true {
    return this.microphone === undefined ? true : deviceConstraint(this.microphone, exact);
  }

  /** `host` with `getUserMedia` asking for the chosen devices and profile (booleans become constraints). */
  capturing(host: Pick<MediaDevices, 'getUserMedia'>): Pick<MediaDevices, 'getUserMedia'> {
    return {
      getUserMedia: (c?: MediaStreamConstraints) =>
        host.getUserMedia({
          audio: c?.audio === true ? this.audio() : (c?.audio ?? false),
          video: c?.video === true ? this.video() : (c?.video ?? false),
        }),
    };
  }

  /** The devices of one kind (none where the browser cannot list them). */
  async list(kind: keyof typeof KIND): Promise<DeviceInfo[]> {
    const all = (await this.devices()?.enumerateDevices?.()) ?? [];
    return all.filter((d) => d.kind === kind).map(deviceInfo);
  }

  /** Chooses a device; one that is not listed is refused (`reason` `unknownDevice`). */
  async choose(deviceType: DeviceType, deviceId: string): Promise<void> {
    const kind = deviceType === 'video' ? 'videoinput' : 'audioinput';
    if (!(await this.list(kind)).some((d) => d.deviceId === deviceId)) {
      throw new RoomPortError(deviceType === 'video' ? MEDIA_ERROR.NO_CAMERA : MEDIA_ERROR.NO_MICROPHONE, `no ${kind} ${deviceId}`, 'unknownDevice');
    }
    if (deviceType === 'video') this.camera = deviceId;
    else this.microphone = deviceId;
  }

  /** Tells the listeners (hot-plug, and the room's own fallbacks). */
  emit(change: DeviceChange): void {
    this.listeners.emit(change);
  }

  /** Adds a listener; the first one starts listening to `devicechange`, the last one gone stops. */
  onChange(listener: (change: DeviceChange) => void): () => void {
    const off = this.listeners.add(listener);
    if (!this.host) {
      this.host = this.devices() ?? null;
      this.host?.addEventListener?.('devicechange', this.changed);
    }
    return () => {
      off();
      if (this.listeners.size === 0) {
        this.host?.removeEventListener?.('devicechange', this.changed);
        this.host = null;
      }
    };
  }
}
