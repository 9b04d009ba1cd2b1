/**
 * An in-process media "room server": membership and audio/video availability, simulated
 * devices and view bindings, every notification delivered through an injected clock.
 * No media flows; tests assert what a client would see and which DOM ids it rendered into.
 */
import { checkDelay, checkDeviceInfo, checkDevices, checkSwitch, checkUser } from './checks';
import type { UserID } from '../../machines/types';
import type { Clock } from '../clock';
import { RoomPortError, type EnterOptions, type NetworkQuality, type RoomEvent, type UserNetworkQuality, type VoiceVolume } from '../RoomPort';
import type { DeviceChange, DeviceInfo, DeviceType, VideoProfile } from '../mediaDevices';
import { checkAdmission, type GroupMembership } from './roomAdmission';
import { InMemoryRoomPort, type PortView } from './InMemoryRoomPort';
import { SimulatedStats } from './simulatedStats';

export { InMemoryRoomPort } from './InMemoryRoomPort';

/** A user's simulated devices (defaults: both present, permission granted). */
export interface SimulatedDevices {
  readonly microphone?: boolean;
  readonly camera?: boolean;
  readonly permission?: 'granted' | 'denied';
}

/** A view binding: the local camera, or a remote user's video, rendered into `domID`. */
export interface ViewBinding {
  readonly kind: 'local' | 'remote';
  /** The viewer itself for `local`, the remote user for `remote`. */
  readonly userID: UserID;
  readonly domID: string;
}

/** Options of {@link InMemoryRoomHub}. */
export interface RoomHubOptions {
  readonly clock: Clock;
  /** Delay of every enter, exit and notification in ms (default 20). */
  readonly latency?: number;
  /** Where a listener's exception goes (default `console.error`); it never reaches the hub. */
  readonly onListenerError?: (error: unknown) => void;
  /** IM group membership, for joiners (default: nobody is a member of any group). */
  readonly isMember?: GroupMembership;
}

/** The room hub. Create ports with {@link InMemoryRoomHub.connect}. */
export class InMemoryRoomHub {
  /** @internal */ readonly clock: Clock;
  private readonly onListenerError: (error: unknown) => void;
  private latency: number;
  private readonly rooms = new Map<number, InMemoryRoomPort[]>();
  private readonly devices = new Map<UserID, SimulatedDevices>();
  /** Each user's device lists, once a test plugged or unplugged one (else {@link DEFAULT_DEVICES}). */
  private readonly deviceLists = new Map<UserID, DeviceInfo[]>();
  /** The connections not disposed, oldest first (a disposed one goes once its exit is done). */
  private readonly ports = new Set<InMemoryRoomPort>();
  private readonly isMember: GroupMembership;
  private readonly stats = new SimulatedStats();

  constructor(options: RoomHubOptions) {
    this.clock = options.clock;
    this.isMember = options.isMember ?? (() => false);
    this.latency = options.latency === undefined ? 20 : checkDelay('roomLatency', options.latency);
    this.onListenerError = options.onListenerError ?? ((error) => console.error(error));
  }

  /**
   * A new client connection. `identity` names its user before its first `enter()` (the memory
   * network passes the IM login), so {@link InMemoryRoomHub.views} finds a preview's bindings.
   */
  connect(identity?: () => UserID | null): InMemoryRoomPort {
    const port = new InMemoryRoomPort(this, this.onListenerError, identity);
    this.ports.add(port);
    return port;
  }

  /**
   * How many connections the hub holds: made by {@link InMemoryRoomHub.connect} and not disposed
   * (`TRTCCalling.destroy()` disposes its own). One disposed in a room counts until its exit is done.
   */
  connections(): number {
    return this.ports.size;
  }

  /** Changes the delay of later enters, exits and notifications. */
  setLatency(ms: number): void {
    this.latency = checkDelay('latency', ms);
  }

  /** Merges a user's simulated device state. */
  setDevices(userID: UserID, devices: SimulatedDevices): void {
    checkDevices(userID, devices);
    this.devices.set(userID, { ...this.devices.get(userID), ...devices });
  }

  /**
   * The devices `userID` has: a camera, a microphone and a speaker by default (`camera-1`,
   * `mic-1`, `speaker-1`); `setDevices({ camera: false })` hides the cameras, and so on.
   */
  deviceList(userID: UserID | null): readonly DeviceInfo[] {
    const d = userID === null ? {} : (this.devices.get(userID) ?? {});
    const list = (userID === null ? undefined : this.deviceLists.get(userID)) ?? DEFAULT_DEVICES;
    return list.filter((x) => !(x.kind === 'videoinput' && d.camera === false) && !(x.kind === 'audioinput' && d.microphone === false));
  }

  /** Plugs a device in for `userID`: each of its connections hears a device change (after the latency). */
  plugDevice(userID: UserID, device: DeviceInfo): void {
    checkDeviceInfo(userID, device);
    this.deviceLists.set(userID, [...this.deviceList(userID).filter((x) => x.deviceId !== device.deviceId), device]);
    this.devicesChanged(userID, null);
  }

  /**
   * Unplugs a device of `userID`. A connection in a call using it falls back to the next one of
   * its kind, or, with none left, turns its camera off (the others see `videoAvailable: false`)
   * and reports 60004 (a microphone: 60003, the call goes on muted for the others to hear nothing).
   */
  unplugDevice(userID: UserID, deviceId: string): void {
    checkUser('unplugDevice', userID);
    if (typeof deviceId !== 'string') throw new TypeError(`unplugDevice: deviceId must be a string (got ${String(deviceId)})`);
    const removed = this.deviceList(userID).find((x) => x.deviceId === deviceId);
    if (!removed) return;
    this.deviceLists.set(userID, this.deviceList(userID).filter((x) => x.deviceId !== deviceId));
    this.devicesChanged(userID, removed);
  }

  /** What a connection of `userID` captures with: its camera, microphone and video profile (tests). */
  media(userID: UserID): { readonly camera: string | null; readonly microphone: string | null; readonly profile: VideoProfile | null } {
    const port = this.find((p) => p.roomID !== null && p.userID === userID) ?? this.find((p) => p.user() === userID);
    return {
      camera: port ? this.current(port, 'video')?.deviceId ?? null : null,
      microphone: port ? this.current(port, 'audio')?.deviceId ?? null : null,
      profile: port?.profile ?? null,
    };
  }

  /** The users in a room, in entry order. */
  members(roomID: number): readonly UserID[] {
    return (this.rooms.get(roomID) ?? []).map((p) => p.userID ?? '');
  }

  /** The view bindings of every connection of `userID`. */
  views(userID: UserID): readonly ViewBinding[] {
    return [...this.ports]
      .filter((p) => p.user() === userID)
      .flatMap((p) => p.views.map((v) => ({ kind: v.kind, userID: v.userID ?? userID, domID: v.domID })));
  }

  /** The server removes `userID` from its room: its port gets `failed`, the others `memberLeft`. */
  kick(userID: UserID): boolean {
    const port = this.find((p) => p.roomID !== null && p.userID === userID);
    if (!port || port.roomID === null) return false;
    const roomID = port.roomID;
    for (const other of this.remove(port)) this.notify(other, { type: 'memberLeft', roomID, userID });
    this.notify(port, { type: 'failed', roomID, error: new RoomPortError(65535, 'kicked') });
    return true;
  }

  /**
   * Simulates `userID`'s media connection going down (`connected: false`) or coming back: the
   * others in its room hear `connectionLost` / `connectionBack` about it, and it hears the same
   * about each of them. Membership is untouched (the signaling stays up), as when a WebRTC
   * connection dies while both pages stay in the room.
   */
  setMediaConnected(userID: UserID, connected: boolean): void {
    checkSwitch('setMediaConnected', 'connected', userID, connected);
    const port = this.find((p) => p.roomID !== null && p.userID === userID);
    const roomID = port?.roomID;
    if (!port || roomID === null || roomID === undefined) return;
    const type = connected ? 'connectionBack' : 'connectionLost';
    for (const other of this.rooms.get(roomID) ?? []) {
      if (other === port) continue;
      this.notify(other, { type, roomID, userID });
      this.notify(port, { type, roomID, userID: other.userID ?? '' });
    }
  }

  /**
   * `userID` speaks at `volume` (0-100, default 0) from now on: each connection in its room
   * that watches voice volume reports it (0 while its microphone is muted), on the hub's clock.
   */
  setVoiceVolume(userID: UserID, volume: number): void {
    this.stats.setVoiceVolume(userID, volume);
  }

  /**
   * `userID`'s network is this good from now on (TRTC's scale, default 1 excellent): it reports
   * that for itself, and the others in its room report the worse of theirs and its.
   */
  setNetworkQuality(userID: UserID, quality: NetworkQuality): void {
    this.stats.setNetworkQuality(userID, quality);
  }

  /** @internal What `port` measures now: null when it is in no room. */
  voiceVolumes(port: InMemoryRoomPort): VoiceVolume[] | null {
    const others = this.roommates(port);
    return others && this.stats.volumes({ userID: port.userID ?? '', micMuted: port.micMuted }, others.map((p) => ({ userID: p.userID ?? '', micMuted: p.micMuted })));
  }

  /** @internal */
  networkQualities(port: InMemoryRoomPort): UserNetworkQuality[] | null {
    const others = this.roommates(port);
    return others && this.stats.qualities(port.userID ?? '', others.map((p) => p.userID ?? ''));
  }

  /** @internal */
  async enter(port: InMemoryRoomPort, roomID: number, options: EnterOptions): Promise<void> {
    if (port.disposed) throw new RoomPortError(65535, 'disposed');
    if (port.roomID !== null || port.entering) throw new RoomPortError(65535, 'already in a room');
    if (!Number.isInteger(roomID) || roomID < 1 || roomID > 0xffffffff) {
      throw new RoomPortError(65535, `invalid roomID ${roomID}`);
    }
    if (!options.userID) throw new RoomPortError(65535, 'empty userID');
    this.checkDevices(options.userID, options.video);
    port.terms = { participants: options.participants, groupID: options.groupID };
    port.userID = options.userID;
    port.camera = options.video;
    port.micMuted = options.audioMuted;
    port.entering = this.later(() => {
      // Decided on arrival, as the server does, against whoever is in the room by then.
      checkAdmission(roomID, options, (this.rooms.get(roomID) ?? []).map((p) => p.terms), this.isMember);
      this.join(port, roomID);
    });
    try {
      await port.entering;
    } finally {
      port.entering = null;
    }
  }

  /** @internal The devices a call will publish are there and allowed (or the spec's code). */
  prepare(port: InMemoryRoomPort, video: boolean): void {
    this.checkDevices(port.user(), video);
  }

  /** @internal */
  async exit(port: InMemoryRoomPort): Promise<void> {
    if (port.entering) await port.entering;
    if (port.exiting) return port.exiting;
    const roomID = port.roomID;
    if (roomID === null) return;
    port.exiting = this.later(() => {
      if (port.roomID !== roomID) return; // kicked or replaced meanwhile
      const userID = port.userID ?? '';
      for (const other of this.remove(port)) other.emit({ type: 'memberLeft', roomID, userID });
    });
    try {
      await port.exiting;
    } finally {
      port.exiting = null;
    }
  }

  /**
   * @internal The port leaves its room as with `exit()` (the others hear it after the latency), then
   * the hub: a soak test making clients over and over would otherwise slow every later room event.
   */
  dispose(port: InMemoryRoomPort): Promise<void> {
    const leave = (): void => {
      this.ports.delete(port);
    };
    // In no room: at once, so a client that never called settles its destroy() at once too.
    if (port.roomID === null && port.entering === null && port.exiting === null) return Promise.resolve(leave());
    // An entry refused on the way has no room to leave.
    return this.exit(port).then(leave, leave);
  }

  /** @internal */
  async setCamera(port: InMemoryRoomPort, on: boolean): Promise<void> {
    // A camera that is on stays on, as a browser's: it is not captured again (a double tap on openCamera()).
    if (port.camera === on) return;
    if (on) this.checkDevices(port.user(), true, false);
    port.camera = on;
    this.broadcast(port, (roomID, userID) => ({ type: 'videoAvailable', roomID, userID, available: on }));
  }

  /** @internal */
  async setMicMuted(port: InMemoryRoomPort, muted: boolean): Promise<void> {
    if (port.micMuted === muted) return;
    port.micMuted = muted;
    this.broadcast(port, (roomID, userID) => ({ type: 'audioAvailable', roomID, userID, available: !muted }));
  }

  /** @internal */
  /** Binds or unbinds a view (`domID` undefined when unbinding: wherever it plays). */
  async bindView(port: InMemoryRoomPort, on: boolean, domID: string | undefined, remote?: UserID): Promise<void> {
    if (domID === '') throw new RoomPortError(65535, 'empty videoViewDomID');
    const same = (v: PortView): boolean => (domID === undefined || v.domID === domID) && v.userID === remote;
    port.views = port.views.filter((v) => !same(v));
    if (!on) return;
    if (domID === undefined) throw new RoomPortError(65535, 'empty videoViewDomID');
    if (remote !== undefined) {
      const room = port.roomID === null ? [] : (this.rooms.get(port.roomID) ?? []);
      if (!room.some((p) => p !== port && p.userID === remote)) {
        throw new RoomPortError(65535, 'user not in room');
      }
    }
    port.views.push({ kind: remote === undefined ? 'local' : 'remote', userID: remote, domID });
  }

  /** @internal */
  async switchDevice(port: InMemoryRoomPort, deviceType: DeviceType, deviceId: string): Promise<void> {
    const kind = deviceType === 'video' ? 'videoinput' : 'audioinput';
    if (!this.deviceList(port.user()).some((x) => x.kind === kind && x.deviceId === deviceId)) {
      throw new RoomPortError(deviceType === 'video' ? 60004 : 60003, `no ${deviceType === 'video' ? 'camera' : 'microphone'} ${deviceId}`, 'unknownDevice');
    }
    port.selected = { ...port.selected, [deviceType === 'video' ? 'camera' : 'microphone']: deviceId };
  }

  /** @internal The device a port captures with: the one chosen if still there, else the first. */
  current(port: InMemoryRoomPort, deviceType: DeviceType): DeviceInfo | undefined {
    const kind = deviceType === 'video' ? 'videoinput' : 'audioinput';
    const list = this.deviceList(port.user()).filter((x) => x.kind === kind);
    const chosen = deviceType === 'video' ? port.selected.camera : port.selected.microphone;
    return list.find((x) => x.deviceId === chosen) ?? list[0];
  }

  /** After the latency, each connection of `userID` hears the change; one in a call using `removed` falls back. */
  private devicesChanged(userID: UserID, removed: DeviceInfo | null): void {
    for (const port of [...this.ports].filter((p) => p.user() === userID)) {
      // Which device the port used is read now, before the list lost it.
      const type: DeviceType | null = removed?.kind === 'videoinput' ? 'video' : removed?.kind === 'audioinput' ? 'audio' : null;
      const using = type !== null && port.roomID !== null && (type === 'audio' || port.camera) && port.lastUsed[type] === removed?.deviceId;
      this.clock.setTimeout(() => {
        let change: DeviceChange = {};
        if (using && type !== null) {
          const fallback = this.current(port, type);
          const lost = type === 'video' ? 'camera' : 'microphone';
          if (fallback) {
            port.selected = { ...port.selected, [lost]: fallback.deviceId };
            change = { lost, fallback };
          } else {
            change = { lost, error: new RoomPortError(type === 'video' ? 60004 : 60003, `the ${lost} in use was unplugged and no other is left`) };
            if (type === 'video' && port.camera) {
              port.camera = false;
              this.broadcast(port, (roomID, u) => ({ type: 'videoAvailable', roomID, userID: u, available: false }));
            }
            // A microphone gone: the others hear nothing (its audio unavailable, its voice volume 0), as muted.
            if (type === 'audio' && !port.micMuted) {
              port.micMuted = true;
              this.broadcast(port, (roomID, u) => ({ type: 'audioAvailable', roomID, userID: u, available: false }));
            }
          }
        }
        port.noteUsed(this);
        port.deviceChanged(change);
      }, this.latency);
    }
  }

  /** The oldest connection that `match`es. */
  private find(match: (port: InMemoryRoomPort) => boolean): InMemoryRoomPort | undefined {
    for (const port of this.ports) if (match(port)) return port;
    return undefined;
  }

  /** The others in `port`'s room, or null when it is in none. */
  private roommates(port: InMemoryRoomPort): InMemoryRoomPort[] | null {
    if (port.roomID === null || port.userID === null) return null;
    return (this.rooms.get(port.roomID) ?? []).filter((p) => p !== port);
  }

  private checkDevices(userID: UserID | null, video: boolean, audio = true): void {
    const d = userID === null ? {} : (this.devices.get(userID) ?? {});
    if (d.permission === 'denied') throw new RoomPortError(60005, 'device permission denied');
    const list = this.deviceList(userID);
    if (audio && !list.some((x) => x.kind === 'audioinput')) throw new RoomPortError(60003, 'no microphone');
    if (video && !list.some((x) => x.kind === 'videoinput')) throw new RoomPortError(60004, 'no camera');
  }

  private later(fn: () => void): Promise<void> {
    return new Promise((resolve, reject) => {
      this.clock.setTimeout(() => {
        try {
          fn();
          resolve();
        } catch (error) {
          reject(error);
        }
      }, this.latency);
    });
  }

  /** The moment `port` is in the room: both sides learn about each other. */
  private join(port: InMemoryRoomPort, roomID: number): void {
    const room = this.rooms.get(roomID) ?? [];
    this.rooms.set(roomID, room);
    const replaced = room.find((p) => p.userID === port.userID);
    room.push(port);
    port.roomID = roomID;
    port.noteUsed(this);
    if (replaced) {
      // Removed after the newcomer is in, so the others keep their views of this user.
      this.remove(replaced);
      this.notify(replaced, { type: 'failed', roomID, error: new RoomPortError(65535, 'replaced') });
    }
    const others = room.filter((p) => p !== port);
    // Hold the newcomer's events for one tick so `enter()` resolves before it hears of the others.
    port.held = others.flatMap((p) => presence(p, roomID));
    this.clock.setTimeout(() => port.release(), 0);
    for (const other of others) {
      if (!replaced) {
        for (const event of presence(port, roomID)) other.emit(event);
        continue;
      }
      // Same user, new connection: the others only see what changed.
      const userID = port.userID ?? '';
      if (replaced.micMuted !== port.micMuted) {
        other.emit({ type: 'audioAvailable', roomID, userID, available: !port.micMuted });
      }
      if (replaced.camera !== port.camera) {
        other.emit({ type: 'videoAvailable', roomID, userID, available: port.camera });
      }
    }
  }

  /** Takes `port` out of its room, clears its views and the others' views of it; returns the others. */
  private remove(port: InMemoryRoomPort): InMemoryRoomPort[] {
    const roomID = port.roomID;
    const room = roomID === null ? undefined : this.rooms.get(roomID);
    port.roomID = null;
    port.views = [];
    if (!room || roomID === null) return [];
    room.splice(room.indexOf(port), 1);
    if (room.length === 0) this.rooms.delete(roomID);
    if (room.some((p) => p.userID === port.userID)) return [...room]; // replaced: still there
    for (const other of room) other.views = other.views.filter((v) => v.userID !== port.userID);
    return [...room];
  }

  private broadcast(port: InMemoryRoomPort, make: (roomID: number, userID: UserID) => RoomEvent): void {
    const roomID = port.roomID;
    if (roomID === null || port.userID === null) return;
    const event = make(roomID, port.userID);
    for (const other of this.rooms.get(roomID) ?? []) if (other !== port) this.notify(other, event);
  }

  /** Delivers after the latency, if the recipient is still in that room (`failed` always). */
  private notify(port: InMemoryRoomPort, event: RoomEvent): void {
    this.clock.setTimeout(() => {
      if (event.type === 'failed' || port.roomID === event.roomID) port.emit(event);
    }, this.latency);
  }
}

/** What a user has until a test plugs or unplugs something. */
const DEFAULT_DEVICES: readonly DeviceInfo[] = [
  { deviceId: 'camera-1', groupId: 'camera-1', kind: 'videoinput', label: 'Simulated camera 1' },
  { deviceId: 'mic-1', groupId: 'mic-1', kind: 'audioinput', label: 'Simulated microphone 1' },
  { deviceId: 'speaker-1', groupId: 'speaker-1', kind: 'audiooutput', label: 'Simulated speaker 1' },
];

/**
 * What a member's arrival looks like to the others: it joined, what it publishes (never
 * `available: false`), and its media (this room carries none: it is there with the member).
 */
function presence(port: InMemoryRoomPort, roomID: number): RoomEvent[] {
  const userID = port.userID ?? '';
  const events: RoomEvent[] = [{ type: 'memberJoined', roomID, userID }];
  if (!port.micMuted) events.push({ type: 'audioAvailable', roomID, userID, available: true });
  if (port.camera) events.push({ type: 'videoAvailable', roomID, userID, available: true });
  events.push({ type: 'mediaArrived', roomID, userID });
  return events;
}
