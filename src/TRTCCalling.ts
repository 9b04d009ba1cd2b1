/**
 * `TRTCCalling`: the documented API of Tencent's TRTCCalling web component over the headless
 * core. It validates, turns each call into a command for the line machine, and re-emits the
 * machine's notices as the documented events. It keeps no call state of its own: what it
 * needs to know (who is in the call) it reads from the actors' snapshots.
 */
import type { Backend } from '../adapters/backend';
import type { Clock } from '../adapters/clock';
import type { RoomPort } from '../adapters/RoomPort';
import { stringOf } from '../adapters/bridges';
import { VIDEO_PROFILES, type DeviceChange, type DeviceInfo, type VideoProfile, type VideoProfileName } from '../adapters/mediaDevices';
import { type CallContext, inviteIdOf } from '../machines/callModel';
import type { Notice } from '../machines/events';
import { type CallMedia, CallSetup, fromPort, orDrop, portFailure } from './callSetup';
import { type AnswerResult, type CallResult, type CommandBody, Commands, type GroupCallResult, type OfflinePushInfo, answerOf, groupCallResult } from './commands';
import { type CallingSetup, callOver, createCalling, endingNotices, loggedOut } from './createCalling';
import { SafeEmitter } from './emitter';
import { MediaStatsWatch } from './mediaStats';
import { CallingError, ERROR_CODE, InvalidParameterError, InvalidStateError } from './errors';
import { CALL_TYPE, EVENT, type EventName, type EventPayloads } from './events';
import { project } from './projection';
import { type CallStatus, type CallingSnapshot, ViewStore, callStatusOf } from './store';
import { Schemas, parse, parseConfig, plainOptions } from './validation';
import { PendingViews } from './views';

export interface TRTCCallingOptions extends Omit<CallingSetup, 'backend' | 'observe'> {
  /** The IM application's SDKAppID. */
  readonly SDKAppID: number;
  /** Where signaling and media go: `embeddedBackend`, `tencentBackend`, or the memory network's `backend()`. */
  readonly backend: Backend;
}

export class TRTCCalling {
  /** Event names, with the exact values of trtc-calling-js. */
  static readonly EVENT = EVENT;
  static readonly CALL_TYPE = CALL_TYPE;

  readonly SDKAppID: number;
  readonly #calling: ReturnType<typeof createCalling>;
  readonly #backend: Backend;
  readonly #room: RoomPort;
  readonly #emitter = new SafeEmitter((name, count) => this.#stats.listenersChanged(name, count), (emit) => this.#commands.told(emit, false));
  readonly #stats: MediaStatsWatch;
  readonly #commands = new Commands((command) => this.#calling.actor.send(command), () => this.#calling.clock.now());
  readonly #tell = (name: EventName, payload: unknown) => this.#commands.told(() => this.#emitter.emit(name, payload as never), name === EVENT.CALL_END);
  readonly #store: ViewStore;
  readonly #setup: CallSetup;
  readonly #views = new PendingViews(() => this.#calling.actor.getSnapshot().children.call, (userID, domID) => fromPort('startRemoteView', () => this.#room.startRemoteView(userID, domID)), (error) => this.#destroyed || this.#tell(EVENT.ERROR, error));
  #userSig = ''; // of the login in force: a repeated login() must name it
  #destroyed: Promise<void> | null = null; // set by `destroy()`: everything after it is refused at once
  readonly #offUnload: () => void;
  readonly #offDevices: () => void;

  constructor(options: TRTCCallingOptions) {
    const given = plainOptions(options); // read once: a getter or a Proxy's trap that throws is a bad parameter
    const { backend } = given;
    const SDKAppID = parse('new TRTCCalling', Schemas.SDKAppID, given.SDKAppID);
    if (typeof backend !== 'object' || backend === null || !backend.im || !backend.room)
      throw new InvalidParameterError('new TRTCCalling', 'backend must provide im and room ports');
    // An `undefined` value is no value: its default stays (it was spread over the default, and turned a timer off).
    const config = parseConfig(given.config);
    this.SDKAppID = SDKAppID;
    this.#backend = backend;
    this.#room = backend.room;
    this.#stats = new MediaStatsWatch(backend.room, this.#tell);
    let started = false;
    this.#calling = createCalling({
      ...given,
      config,
      observe: (event) => {
        if (started && event.type === '@xstate.snapshot') this.#store.refresh();
      },
    });
    const reportError = (error: unknown) => this.#tell(EVENT.ERROR, { code: 65535, msg: `a store subscriber threw: ${stringOf(error)}` });
    this.#store = new ViewStore(() => this.#calling.actor.getSnapshot(), reportError);
    this.#setup = new CallSetup(backend.room, (payload) => this.#tell(EVENT.ERROR, payload), () => callOver(this.#calling.actor));
    // Subscribe before start, so not even the first notice is missed.
    this.#calling.actor.on('*', (notice) => this.#onNotice(notice));
    this.#calling.actor.start();
    started = true;
    this.#store.refresh();
    // A page going away ends its call for the others at once (browser backends).
    this.#offUnload = backend.onUnload?.(() => void this.destroy()) ?? (() => undefined);
    this.#offDevices = this.#room.onDeviceChange?.((change) => void this.#onDeviceChange(change)) ?? (() => undefined);
  }

  /**
   * The current state as an immutable view (line state, the call, its participants and their
   * audio and video). A new object only when something changed: fit for `useSyncExternalStore`.
   */
  getSnapshot = (): CallingSnapshot => this.#store.get();

  /** Calls `listener` after every change of `getSnapshot()`; returns the unsubscribe function. */
  subscribe = (listener: () => void): (() => void) => this.#store.subscribe(parse('subscribe', Schemas.listener, listener));

  /**
   * trtc-calling-js's status, read from {@link getSnapshot} (see `callStatusOf`): `'calling'` while
   * dialing, ringing or accepting, `'connected'` once answered, `'idle'` with no call or once it
   * is over (also while it is still leaving its room).
   */
  getCallStatus(): CallStatus {
    return callStatusOf(this.#store.get());
  }

  /** Adds a listener; `context` becomes its `this` (this instance when none is given, as in trtc-calling-js). After `destroy()`, none (nothing is told then). */
  on<K extends EventName>(eventName: K, callback: (payload: EventPayloads[K]) => void, context?: unknown): void {
    parse('on', Schemas.eventName, eventName);
    parse('on', Schemas.callback, callback);
    if (!this.#destroyed) this.#emitter.on(eventName, callback, context || this); // nor does it start the room's measures
  }

  /**
   * Removes the listeners added with this callback and context; with no context, every one added with
   * the callback; with no callback (or `null`, its emitter's default), every listener of the event (as trtc-calling-js's `off` does).
   */
  off<K extends EventName>(eventName: K, callback?: ((payload: EventPayloads[K]) => void) | null, context?: unknown): void {
    parse('off', Schemas.eventName, eventName);
    if (callback != null) parse('off', Schemas.callback, callback);
    this.#emitter.off(eventName, callback ?? undefined, context);
  }

  /** Logs in; resolves once the IM accepted the userSig (SDK_READY follows), with `{ code: 0 }` as trtc-calling-js's. */
  async login(params: { userID: string; userSig: string }): Promise<{ code: 0 }> {
    const { userID, userSig } = parse('login', Schemas.login, params);
    // Again as the user logged in: nothing done, as TIM's repeatLogin; with another userSig refused (the backend keeps the first).
    if (await this.#commands.command('login', { type: 'line.login', userID, userSig })) this.#userSig = userSig;
    else if (userSig !== this.#userSig) throw new InvalidStateError('login', `already logged in as ${userID} with another userSig: logout() first`);
    return { code: 0 };
  }

  /** Logs out, ending any call first (a ringing one is declined). */
  async logout(): Promise<void> {
    return this.#commands.send('logout', { type: 'line.logout' });
  }

  /**
   * Invites one user. `timeout` in seconds, 0 = never, default 30; `offlinePushInfo` is ignored ({@link OfflinePushInfo}). Resolves
   * once the call is dialling, with its invitation as trtc-calling-js's: `{ code: 0, inviteID, roomID, userID }`.
   */
  async call(params: { userID: string; type: 1 | 2; timeout?: number; offlinePushInfo?: OfflinePushInfo }): Promise<CallResult> {
    const { userID, type, timeout } = parse('call', Schemas.call, params);
    const dial = this.#commands.openDial(); // a hangup() from here cancels it
    if (userID === this.#self()) throw new InvalidParameterError('call', 'cannot call yourself');
    await this.#store.afterEnding();
    const willRun = this.getSnapshot().line === 'idle' && this.#commands.dialLive(dial);
    const media = await this.#media('call', willRun, type === 2, true);
    const inviteID = this.#calling.newInviteID();
    let room = 0;
    await this.#dial('call', dial, media, willRun, [inviteID], [userID], (roomID) => ({ type: 'call.dial', userID, callType: type, timeout, inviteID, roomID: (room = roomID) }));
    return { code: 0, inviteID, roomID: room, userID };
  }

  /**
   * Invites several users to one call, through the IM group `groupID` if given, else one by one; resolves once the IM took or
   * refused each invitation, with `{ code: 0, inviteID, roomID, groupID, data? }` ({@link GroupCallResult}); rejects if none went. `offlinePushInfo`: ignored.
   */
  async groupCall(params: { userIDList: string[]; type: 1 | 2; groupID?: string | null; timeout?: number; offlinePushInfo?: OfflinePushInfo }): Promise<GroupCallResult> {
    const { userIDList, type, groupID, timeout } = parse('groupCall', Schemas.groupCall, params);
    if (userIDList.includes(this.#self() ?? '')) throw new InvalidParameterError('groupCall', 'userIDList must not include yourself');
    const dial = this.#commands.openDial(); // a hangup() from here cancels it
    await this.#store.afterEnding();
    // During a group call of ours: invite them into it (the spec's 2.7; its type and timeout stay the call's).
    const live = this.getSnapshot().call;
    if (live?.isGroup && live.role === 'caller' && (live.state === 'dialing' || live.state === 'inCall')) return this.#invite('groupCall', userIDList);
    const willRun = this.getSnapshot().line === 'idle' && this.#commands.dialLive(dial);
    const media = await this.#media('groupCall', willRun, type === 2, true);
    const { newInviteID } = this.#calling;
    // Without an IM group each invitee gets its own invite, with its own inviteID (as from Tencent's client).
    const inviteIDs = groupID === '' ? userIDList.map(() => newInviteID()) : [newInviteID()];
    const inviteID = inviteIDs[0] ?? newInviteID();
    let room = 0;
    // Without a group, an invite that could not go ends only its invitee's wait (NO_RESP): the call goes on.
    const refusals = await this.#dial('groupCall', dial, media, willRun, inviteIDs, userIDList, (roomID) => ({
      type: 'call.groupDial',
      userIDs: userIDList,
      callType: type,
      groupID,
      timeout,
      inviteID,
      ...(groupID === '' ? { inviteIDs } : {}),
      roomID: (room = roomID),
    }));
    return groupCallResult(inviteID, room, groupID, userIDList, inviteIDs, refusals);
  }

  /**
   * Invites more users into the group call this user dialled, while it is live (TUICallEngine's
   * `inviteUser`; `groupCall()` during the call does the same). Each gets its own invitation to
   * the call's room and type; they come in as USER_ENTER and GROUP_CALL_INVITEE_LIST_UPDATE, or
   * answer REJECT / LINE_BUSY / NO_RESP. Users already in the call are left out. Resolves as `groupCall()` during the
   * call does ({@link GroupCallResult}, `data` with each user's invitation and code). Beyond the seed's API.
   */
  async inviteUser(params: { userIDList: string[]; offlinePushInfo?: OfflinePushInfo }): Promise<GroupCallResult> {
    const { userIDList } = parse('inviteUser', Schemas.inviteUser, params);
    if (userIDList.includes(this.#self() ?? '')) throw new InvalidParameterError('inviteUser', 'userIDList must not include yourself');
    return this.#invite('inviteUser', userIDList);
  }

  /**
   * Enters the group call of IM group `groupID` that is going on in room `roomID`, without an
   * invitation (TUICallEngine's `joinInGroupCall`): the others see USER_ENTER. Where the backend's
   * server guards rooms (embedded), only a member of that group, or someone its invitations named,
   * may enter; a refusal ends the call with ERROR. Beyond the seed's API.
   */
  async joinInGroupCall(params: { groupID: string; roomID: number; callType: 1 | 2 }): Promise<void> {
    const { groupID, roomID, callType } = parse('joinInGroupCall', Schemas.joinInGroupCall, params);
    const dial = this.#commands.openDial(); // a hangup() from here cancels it
    await this.#store.afterEnding();
    const willRun = this.getSnapshot().line === 'idle' && this.#commands.dialLive(dial);
    const media = await this.#media('joinInGroupCall', willRun, callType === 2);
    await this.#sendWithMedia('joinInGroupCall', dial, media, { type: 'call.join', groupID, roomID, callType, inviteID: this.#calling.newInviteID() });
  }

  /** Invites `userIDList` into the live group call, each with an invitation of its own (one already in it keeps the one it has); see {@link CallSetup.invited}. */
  async #invite(method: string, userIDList: readonly string[]): Promise<GroupCallResult> {
    this.#alive(method);
    const live = this.getSnapshot().call; // the call invited into (none: the line refuses the command)
    const fresh = userIDList.map(() => this.#calling.newInviteID());
    const sent = await this.#calling.sendInvites(fresh, () => this.#commands.send(method, { type: 'call.invite', userIDs: userIDList, inviteIDs: fresh }));
    const call = this.#call();
    const inviteIDs = fresh.map((id, i) => (sent.sends[i] || !call ? id : inviteIdOf(call, userIDList[i] ?? '')));
    const refusals = await this.#commands.until(method, this.#setup.invited(method, sent, false, userIDList));
    return groupCallResult(live?.inviteID ?? '', live?.roomID ?? 0, live?.groupID ?? '', userIDList, inviteIDs, refusals);
  }

  /**
   * Accepts the ringing invitation (`inviteID`, if given, must be that one); resolves with it,
   * `{ code: 0, inviteID, roomID, callType }`. With nothing ringing it does nothing and resolves with
   * nothing, as trtc-calling-js's (a second tap, an Accept tapped as the caller cancels).
   */
  async accept(params?: { inviteID?: string; roomID?: number; callType?: 1 | 2 }): Promise<AnswerResult | undefined> {
    const { inviteID } = parse('accept', Schemas.accept, params);
    const call = this.getSnapshot().call;
    const ringing = call?.state === 'ringing' && (inviteID === undefined || inviteID === call.inviteID);
    const media = await this.#media('accept', ringing, call?.callType === 2 && call.local.camera);
    media.check();
    // Named or not, the invitation answered is the one that rang now (another may ring once the devices are captured).
    const expected = inviteID === undefined && ringing ? call.inviteID : undefined;
    const done = await orDrop(media, this.#commands.command('accept', { type: 'call.accept', inviteID, ...(expected === undefined ? {} : { expected }) }));
    // The call it answered, as the view has it now (accepting); as it rang, if it ended meanwhile.
    const answered = done ? (this.getSnapshot().call ?? call) : null;
    if (!answered) return void media.drop(); // nothing rang by then: nothing takes the devices
    await media.captured();
    return answerOf(answered);
  }

  /** Declines the ringing invitation; `isBusy` answers "busy" instead of "rejected". Resolves as {@link accept} does. */
  async reject(params?: { inviteID?: string; isBusy?: boolean; callType?: 1 | 2 }): Promise<AnswerResult | undefined> {
    const { inviteID, isBusy } = parse('reject', Schemas.reject, params);
    const call = this.getSnapshot().call;
    const done = await this.#commands.command('reject', { type: 'call.reject', inviteID, busy: isBusy });
    return done && call ? answerOf(call) : undefined;
  }

  /**
   * Ends the call: cancels it while dialing, leaves it once answered; a dial not sent yet (waiting for
   * the previous call's exit or its devices) is cancelled too, and rejects with reason `cancelled` (not
   * from an event's listener, nor once that call is over: see `Commands.hangup`). With no call to end and no dial waiting
   * it resolves and does nothing; a ringing call is refused: `reject()` it.
   */
  async hangup(): Promise<void> {
    return this.#commands.hangup();
  }

  /** Plays a remote user's video in element `videoViewDomID`, once it enters if not in the call yet ({@link PendingViews}); with no call, nothing (as trtc-calling-js's). */
  async startRemoteView(params: { userID: string; videoViewDomID: string }): Promise<void> {
    const { userID, videoViewDomID } = parse('startRemoteView', Schemas.view, params);
    const call = this.#loggedInCall('startRemoteView');
    if (call && !call.present.some((p) => p.userID === userID)) return this.#views.wait(userID, videoViewDomID);
    if (call) return fromPort('startRemoteView', () => this.#room.startRemoteView(userID, videoViewDomID));
  }

  async stopRemoteView(params: { userID: string; videoViewDomID?: string }): Promise<void> {
    const { userID, videoViewDomID } = parse('stopRemoteView', Schemas.stopView, params);
    this.#alive('stopRemoteView'); // also after the call (an app's CALL_END listener), as trtc-calling-js
    this.#views.forget(userID, videoViewDomID);
    return fromPort('stopRemoteView', () => this.#room.stopRemoteView(userID, videoViewDomID));
  }

  /** Plays the local camera in the element with id `videoViewDomID` (once captured). As {@link startRemoteView}, with no call it does nothing. */
  async startLocalView(params: { userID: string; videoViewDomID: string }): Promise<void> {
    const { videoViewDomID } = parse('startLocalView', Schemas.view, params);
    if (this.#loggedInCall('startLocalView')) return fromPort('startLocalView', () => this.#room.startLocalView(videoViewDomID));
  }

  async stopLocalView(params: { userID: string; videoViewDomID?: string }): Promise<void> {
    const { videoViewDomID } = parse('stopLocalView', Schemas.stopView, params);
    this.#alive('stopLocalView');
    return fromPort('stopLocalView', () => this.#room.stopLocalView(videoViewDomID));
  }

  /**
   * Turns the 1v1 video call into an audio call: asks the peer (Tencent's clients and ours accept
   * at once), and once it accepted stops the camera; both sides get CALL_TYPE_CHANGED. Resolves
   * when the call switched; rejects with code 60001 if the peer refused or did not answer, with
   * `InvalidStateError` outside a connected 1v1 call or while another switch is out. Beyond the
   * seed's API (trtc-calling-js's later versions).
   */
  async switchToAudioCall(): Promise<void> {
    return this.#switch('switchToAudioCall', 1);
  }

  /** The other way (see {@link switchToAudioCall}): the camera starts once the peer accepted; code 60002. */
  async switchToVideoCall(): Promise<void> {
    return this.#switch('switchToVideoCall', 2);
  }

  async openCamera(): Promise<void> {
    return this.#commands.send('openCamera', { type: 'media.camera', on: true });
  }

  async closeCamera(): Promise<void> {
    return this.#commands.send('closeCamera', { type: 'media.camera', on: false });
  }

  /** `true` turns the microphone off, `false` on (the spec's table). */
  async setMicMute(isMute: boolean): Promise<void> {
    const muted = parse('setMicMute', Schemas.mute, isMute);
    return this.#commands.send('setMicMute', { type: 'media.mic', muted });
  }

  /**
   * Ends everything this instance started: hangs up (cancels while dialling, declines while ringing), leaves the room,
   * closes the media connections, stops the camera and microphone, logs out and closes the backend's connection. Every
   * pending promise settles now (rejected with `InvalidStateError`, reason "destroyed"), and so does every later call; no
   * event is emitted after it but the `CALL_END` of a call whose `hangup()` resolved (told first). Resolves once all of
   * it is done; calling it again returns the same promise. Fine to call without awaiting it on page unload: what the
   * others must hear (the hangup signals, the room exit) is written before it returns.
   */
  destroy(): Promise<void> {
    if (this.#destroyed) return this.#destroyed;
    const { actor, clock } = this.#calling;
    let released: Promise<unknown> | undefined; // the room's, below
    this.#destroyed = loggedOut(actor).then(async () => {
      actor.stop();
      await released;
      await this.#backend.dispose?.().catch(() => undefined);
    });
    this.#commands.closing(); // every command refused from here, but a clean-up hangup() of the listeners below
    for (const notice of endingNotices(actor)) this.#onNotice(notice); // a call whose hangup() resolved: its CALL_END
    const logout = this.#commands.close(); // every pending promise refused
    for (const off of [this.#offUnload, this.#offDevices, () => this.#emitter.clear(), () => this.#views.clear()]) off();
    // The line ends the call and logs out: its requests reach the ports, which write what the others must hear, now.
    actor.send({ type: 'line.logout', id: logout, at: clock.now() });
    this.#store.close();
    // The room lets go of everything at once (its exit was written just now).
    released = this.#room.dispose?.().catch(() => undefined);
    return this.#destroyed;
  }

  /** Beyond the seed's API (trtc-calling-js 1.0.6+): the cameras the backend sees (none without devices). */
  async getCameras(): Promise<DeviceInfo[]> {
    this.#alive('getCameras');
    return fromPort('getCameras', async () => [...((await this.#room.getCameras?.()) ?? [])]);
  }

  /** Beyond the seed's API: the microphones. */
  async getMicrophones(): Promise<DeviceInfo[]> {
    this.#alive('getMicrophones');
    return fromPort('getMicrophones', async () => [...((await this.#room.getMicrophones?.()) ?? [])]);
  }

  /** Beyond the seed's API: the speakers (audio outputs). */
  async getSpeakers(): Promise<DeviceInfo[]> {
    this.#alive('getSpeakers');
    return fromPort('getSpeakers', async () => [...((await this.#room.getSpeakers?.()) ?? [])]);
  }

  /**
   * Beyond the seed's API: uses this camera (`video`) or microphone (`audio`): in a call at once
   * (the others keep receiving, from the new device), else for the next call. A `deviceId` that
   * is not in the list is an `InvalidParameterError`.
   */
  async switchDevice(params: { deviceType: 'video' | 'audio'; deviceId: string }): Promise<void> {
    const { deviceType, deviceId } = parse('switchDevice', Schemas.switchDevice, params);
    this.#alive('switchDevice');
    const room = this.#room;
    if (!room.switchDevice) throw new CallingError(ERROR_CODE.UNKNOWN, 'notSupported', 'switchDevice: this backend has no devices to switch');
    try {
      await room.switchDevice({ deviceType, deviceId });
    } catch (error) {
      if (typeof error === 'object' && error !== null && 'reason' in error && error.reason === 'unknownDevice')
        throw new InvalidParameterError('switchDevice', `no ${deviceType === 'video' ? 'camera' : 'microphone'} with deviceId ${deviceId}`);
      const { code, message } = portFailure(error);
      throw new CallingError(code, 'backend', `switchDevice: ${message}`, { cause: error });
    }
  }

  /**
   * Beyond the seed's API (trtc-calling-js's `setVideoQuality`): a TRTC profile name (`'120p'` to
   * `'1080p'`, and the `_2` variants at a lower bitrate) or `{ width, height, frameRate, bitrate }`
   * (kbps). Applied at once in a call (resolution, frame rate, bitrate), and to the next calls.
   */
  async setVideoQuality(profile: VideoProfileName | VideoProfile): Promise<void> {
    const parsed = parse('setVideoQuality', Schemas.videoQuality, profile);
    this.#alive('setVideoQuality');
    const resolved: VideoProfile = typeof parsed === 'string' ? VIDEO_PROFILES[parsed] : parsed;
    return fromPort('setVideoQuality', async () => this.#room.setVideoQuality?.(resolved));
  }

  /** The clock the core runs on (the backend's, or real time). */
  get clock(): Clock {
    return this.#calling.clock;
  }

  /** The call's devices (see {@link CallSetup.media}; `dialling`: for `call()` / `groupCall()`); refused after `destroy()`. */
  #media(method: string, willRun: boolean, video: boolean, dialling = false): ReturnType<CallSetup['media']> {
    this.#alive(method);
    return this.#commands.until(method, this.#setup.media(method, willRun, video, dialling), (media) => media.drop()); // destroy() while asked: rejects at once
  }

  #switch(method: string, to: 1 | 2): Promise<void> {
    this.#alive(method);
    return this.#commands.send(method, { type: 'call.switch', to, inviteID: this.#calling.newInviteID() });
  }

  /** Sends a command that starts or joins a call, its devices being captured (see {@link CallMedia}). */
  async #sendWithMedia(method: string, dial: number, media: CallMedia, body: CommandBody): Promise<void> {
    media.check();
    await orDrop(media, this.#commands.dial(dial, method, body));
    await media.captured();
  }

  /**
   * Dials (`call()`, `groupCall()`): claims a new room, the dial right behind the claim, unwaited ({@link CallSetup.claim});
   * then waits for the devices, for the claim (its refusal is the error whatever else it made fail), and for invitations
   * `inviteIDs` (to `userIDs`) to go or be refused ({@link CallSetup.invited}). Nothing is claimed for a dial the capture or the line refuses.
   */
  async #dial(method: string, dial: number, media: CallMedia, willRun: boolean, inviteIDs: string[], userIDs: string[], body: (roomID: number) => CommandBody) {
    media.check();
    // The line may have taken a call while the permission was asked (or a hangup() cancelled it): the dial is refused, claim nothing.
    const claim = this.#setup.claim(method, willRun && this.#commands.dialLive(dial) && this.getSnapshot().line === 'idle', this.#calling.newRoomID());
    const sent = await this.#calling.sendInvites(inviteIDs, () => orDrop(media, this.#commands.dial(dial, method, body(claim.roomID))));
    try {
      await media.captured();
    } catch (error) {
      await claim.settled();
      throw error;
    }
    await claim.settled();
    return this.#commands.until(method, this.#setup.invited(method, sent, true, userIDs));
  }

  #onNotice(notice: Notice): void {
    if (notice.type === 'command.settled') return this.#commands.settle(notice.commandId, notice.error, notice.nothing !== true);
    this.#views.notice(notice); // a view that waited for a user who entered plays before USER_ENTER is told
    const event = project(notice);
    if (!event) return;
    // The machines say it as their step ends, before the view is read again: a listener reads the state the event tells of.
    this.#store.refresh();
    this.#tell(event.name, event.payload);
  }

  #self(): string | null {
    return this.#calling.actor.getSnapshot().context.self;
  }

  /** The live call's context, read from its actor's snapshot. */
  #call(): CallContext | undefined {
    return this.#calling.actor.getSnapshot().children.call?.getSnapshot().context;
  }

  /** Refuses anything asked of a destroyed instance. */
  #alive(method: string): void {
    if (this.#destroyed) throw new InvalidStateError(method, 'destroyed');
  }

  /** The live call, if any; refused when destroyed or logged out (trtc-calling-js's views throw before a login too). */
  #loggedInCall(method: string): CallContext | undefined {
    this.#alive(method);
    if (this.getSnapshot().line === 'loggedOut') throw new InvalidStateError(method, 'not logged in');
    return this.#call();
  }

  /** DEVICED_UPDATED with the lists as they are now (ERROR if the room fails them: its error the cause, not our wrapping); ERROR when a device in use went with no replacement. */
  async #onDeviceChange(change: DeviceChange): Promise<void> {
    const room = this.#room;
    try {
      const [cameraList, microphoneList, speakerList] = await Promise.all([this.getCameras(), this.getMicrophones(), this.getSpeakers()]);
      if (this.#destroyed) return;
      const chosen = room.currentDevices?.() ?? {};
      const current = (list: DeviceInfo[], id: string | undefined) => list.find((d) => d.deviceId === id) ?? list[0] ?? null;
      this.#tell(EVENT.DEVICED_UPDATED, {
        cameraList,
        microphoneList,
        speakerList,
        currentCamera: current(cameraList, chosen.camera),
        currentMicrophone: current(microphoneList, chosen.microphone),
        currentSpeaker: speakerList[0] ?? null,
      });
    } catch (error) {
      if (!this.#destroyed) this.#tell(EVENT.ERROR, { code: portFailure(error).code, msg: `device lists: ${portFailure(error).message}`, cause: error instanceof CallingError ? error.cause : error });
    }
    if (change.error && !this.#destroyed) this.#tell(EVENT.ERROR, { code: change.error.code, msg: change.error.message, cause: change.error });
    // The camera went with none to replace it: it is off for the others, and so in the call's view (`local.camera`).
    if (change.lost === 'camera' && change.error && this.getSnapshot().call?.local.camera) void this.closeCamera().catch(() => undefined);
  }
}
