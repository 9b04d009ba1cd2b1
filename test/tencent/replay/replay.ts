/**
 * Replays a captured call of Tencent's client with our client playing one party.
 *
 * The clock starts at the capture's epoch and moves through its timeline. Each other party is
 * a scripted Tencent client on the same fake cloud: its TIM sends what the capture says it sent,
 * when it sent it, and its TRTC client does what TRTCCalling does for each API call (spec 3.3,
 * 3.5): `call` / `groupCall` / `accept` join the call's room and publish the microphone (and
 * camera for video), `hangup` leaves. Our party gets the recorded API calls through the public
 * TRTCCalling API; what it sends and the events it gets are collected for the test to compare.
 */
import type { LocalStream } from 'trtc-js-sdk';
import type { Client } from 'trtc-js-sdk';
import { TIM_TYPES } from '../../../adapters/tencent/sdk';
import type { TimSent } from '../fakes/fakeTim';
import type { FakeTim } from '../fakes/fakeTim';
import type { FakeTrtcModule } from '../fakes/fakeTrtc';
import { tencentWorld, type TencentWorld } from '../tencentWorld';
import { generatedIDs, type Capture, type JsonObject, type WireEntry } from './capture';

/** The outcome of one of our party's API calls. */
export interface ActionResult {
  readonly action: string;
  readonly t: number;
  readonly ok: boolean;
  readonly error?: unknown;
}

export interface ReplayResult {
  readonly world: TencentWorld;
  /** What our party sent, in order. */
  readonly sent: readonly TimSent[];
  /** What the recorded party sent, in order. */
  readonly expected: readonly WireEntry[];
  /** Our party's public events, in order, times dropped. */
  readonly events: { name: string; payload: unknown }[];
  readonly results: readonly ActionResult[];
}

/** A Tencent client, scripted from the capture. */
class TencentPeer {
  readonly tim: FakeTim;
  readonly trtc: FakeTrtcModule;
  #client: Client | null = null;
  #stream: LocalStream | null = null;

  constructor(
    private readonly world: TencentWorld,
    private readonly capture: Capture,
    readonly userID: string,
  ) {
    this.tim = world.im.create();
    this.trtc = world.rtc.module(userID);
  }

  act(action: string, args: readonly JsonObject[], t: number): void {
    const arg = args[0] ?? {};
    if (action === 'login') void this.tim.login({ userID: this.userID, userSig: String(arg['userSig']) });
    if (action === 'call' || action === 'groupCall') void this.#enter(this.#roomOfNextInvite(t), Number(arg['type']));
    if (action === 'accept') void this.#enter(Number(arg['roomID']), Number(arg['callType']));
    if (action === 'hangup') void this.#leave();
  }

  send(entry: WireEntry): void {
    const group = entry.groupID !== null;
    const message = this.tim.createCustomMessage({
      to: entry.groupID ?? entry.to ?? '',
      conversationType: group ? TIM_TYPES.CONV_GROUP : TIM_TYPES.CONV_C2C,
      priority: TIM_TYPES.MSG_PRIORITY_HIGH,
      payload: { data: JSON.stringify(entry.envelope) },
    });
    const { offlinePushInfo, ...options } = entry.sendOptions;
    const push = offlinePushInfo as JsonObject | undefined;
    const sendOptions = push ? { offlinePushInfo: { ...push, extensionParsed: undefined }, ...options } : options;
    void this.tim.sendMessage(message, JSON.parse(JSON.stringify(sendOptions)));
  }

  /** TRTCCalling joins the room before it sends the invite that names it. */
  #roomOfNextInvite(t: number): number {
    const invite = this.capture.wire.find((w) => w.from === this.userID && w.t >= t && w.label.includes(' INVITE '));
    return Number((JSON.parse(String(invite?.envelope['data'])) as JsonObject)['room_id']);
  }

  async #enter(roomId: number, callType: number): Promise<void> {
    this.#client ??= this.trtc.createClient({ mode: 'rtc', sdkAppId: this.capture.options.SDKAppID, userId: this.userID, userSig: `fake-sig-${this.userID}` });
    const stream = this.trtc.createStream({ userId: this.userID, audio: true, video: callType === 2 });
    await stream.initialize();
    await this.#client.join({ roomId });
    await this.#client.publish(stream);
    this.#stream = stream;
  }

  async #leave(): Promise<void> {
    const client = this.#client;
    if (!client) return;
    if (this.#stream) await client.unpublish(this.#stream);
    await client.leave();
    this.#stream?.close();
    this.#stream = null;
  }
}

/** Runs the capture with our client as `ours`; the other parties are scripted Tencent clients. */
export async function replay(capture: Capture, ours: string): Promise<ReplayResult> {
  const epoch = Date.parse(capture.epoch);
  const ids = generatedIDs(capture, ours);
  const world = tencentWorld({
    start: epoch,
    imLatency: capture.options.imDelayMs,
    rtcLatency: capture.options.rtcDelayMs,
    // Our client picks the IDs the recorded party picked, so the peers' answers name our call.
    inviteIdGen: () => ids.inviteIDs.shift() ?? globalThis.crypto.randomUUID(),
    roomIdGen: () => ids.roomIDs.shift() ?? 1,
  });
  // The IM groups the calls use (the capture's cloud had them: its groups are not in the wire).
  for (const entry of capture.timeline) {
    if (entry.kind !== 'action' || entry.action !== 'groupCall') continue;
    const { groupID, userIDList } = entry.args[0] ?? {};
    if (typeof groupID === 'string' && Array.isArray(userIDList)) world.im.createGroup(groupID, [entry.party, ...userIDList.map(String)]);
  }
  const me = world.client(ours);
  const peers = new Map(Object.keys(capture.parties).filter((p) => p !== ours).map((p) => [p, new TencentPeer(world, capture, p)]));
  const pending: Promise<ActionResult>[] = [];

  for (const entry of capture.timeline) {
    const due = epoch + entry.t - world.clock.now();
    if (due > 0) await world.clock.advance(due);
    if (entry.kind === 'wire') {
      if (entry.from !== ours) peers.get(entry.from)?.send(entry);
    } else if (entry.kind === 'action') {
      if (entry.party === ours) pending.push(ourAction(me.calling, entry.action, entry.args, entry.t));
      else peers.get(entry.party)?.act(entry.action, entry.args, entry.t);
    }
  }
  await world.clock.advance(1000);
  return {
    world,
    sent: world.im.log.filter((m) => m.from === ours),
    expected: capture.wire.filter((w) => w.from === ours),
    events: me.take(),
    results: await Promise.all(pending),
  };
}

type Calling = ReturnType<TencentWorld['client']>['calling'];

/** A recorded TRTCCalling call, made on our client (Tencent's fixed 30 s timeout made explicit). */
function ourAction(calling: Calling, action: string, args: readonly JsonObject[], t: number): Promise<ActionResult> {
  const a = args[0] ?? {};
  const run = (): Promise<unknown> => {
    switch (action) {
      case 'login':
        return calling.login({ userID: String(a['userID']), userSig: String(a['userSig']) });
      case 'call':
        return calling.call({ userID: String(a['userID']), type: a['type'] === 1 ? 1 : 2, timeout: 30 });
      case 'groupCall':
        return calling.groupCall({
          userIDList: (a['userIDList'] as string[]).map(String),
          type: a['type'] === 1 ? 1 : 2,
          groupID: String(a['groupID']),
          timeout: 30,
        });
      case 'accept':
        return calling.accept({ inviteID: String(a['inviteID']), roomID: Number(a['roomID']), callType: a['callType'] === 1 ? 1 : 2 });
      case 'reject':
        return calling.reject({ inviteID: String(a['inviteID']), isBusy: a['isBusy'] === true, callType: a['callType'] === 1 ? 1 : 2 });
      case 'hangup':
        return calling.hangup();
      default:
        return Promise.reject(new Error(`no such action: ${action}`));
    }
  };
  return run().then(
    () => ({ action, t, ok: true }),
    (error: unknown) => ({ action, t, ok: false, error }),
  );
}
