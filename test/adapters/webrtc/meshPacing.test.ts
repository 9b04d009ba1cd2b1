/**
 * The mesh's pacing against legitimate traffic (the review of 2026-12-05, its tests): what the
 * connections send waits its turn rather than being dropped, and an offer past its member's budget
 * waits rather than being ignored, so no connection is left with a description that never came.
 * A user joining a group call of N members sends, at once, a description and its candidates to
 * each; members streaming offers at a user cannot crowd out what it sends the others.
 *
 * Every party is on the WebRTC backend, with a fake peer connection that behaves like a browser in
 * the respects that matter: negotiationneeded after addTrack/addTransceiver, `candidates` ICE
 * messages (the last the end-of-candidates null) gathered after its first local description and
 * again after new ICE credentials, a remote track when a remote description is applied.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MediaEnvironment } from '../../../adapters/webrtc/media';
import { webrtcBackend } from '../../../adapters/webrtc/webrtcBackend';
import type { EmbeddedBackend } from '../../../adapters/ws/embeddedBackend';
import { TRTCCalling } from '../../../src/index';
import { SDKAPPID, WORLD_URL, type EmbeddedWorld } from '../../support/embeddedWorld';
import { FakePeerConnection, FakeStream, FakeTrack } from '../../support/fakeRtc';
import { party, type Party } from '../../support/world';
import { defaultLimitsWorld } from '../../security/support';

const S = 1000;
let candidates = 5;
const all: BrowserishPC[] = [];

class BrowserishPC extends FakePeerConnection {
  gathered = false;
  negotiationQueued = false;
  tracked = false;
  iceReceived = 0;
  remoteUfrag = '';
  regather = false;
  localUfrag = 1;
  constructor() {
    super();
    all.push(this);
  }
  private needNegotiation(): void {
    if (this.negotiationQueued) return;
    this.negotiationQueued = true;
    queueMicrotask(() => {
      this.negotiationQueued = false;
      if (this.signalingState === 'stable') this.onnegotiationneeded?.();
    });
  }
  override addTrack(track: FakeTrack) {
    const had = this.getTransceivers().length;
    const sender = super.addTrack(track);
    if (this.getTransceivers().length > had) this.needNegotiation();
    return sender;
  }
  override addTransceiver(kind: 'audio' | 'video') {
    const t = super.addTransceiver(kind);
    this.needNegotiation();
    return t;
  }
  override async setRemoteDescription(description: { type: string; sdp?: string }): Promise<void> {
    await super.setRemoteDescription(description);
    const ufrag = /ice-ufrag:(\S+)/.exec(description.sdp ?? '')?.[1] ?? '';
    if (description.type === 'offer' && ufrag !== '' && this.remoteUfrag !== '' && ufrag !== this.remoteUfrag) this.regather = true;
    if (ufrag !== '') this.remoteUfrag = ufrag;
    if (!this.tracked) {
      this.tracked = true;
      this.ontrack?.({ track: new FakeTrack('audio') });
    }
  }
  override async setLocalDescription(): Promise<void> {
    await super.setLocalDescription(); // candidatesPerRestart stays 0: the gathering is this class's
    const type = this.localDescription!.type;
    const sdp = `${type} v=0 a=ice-ufrag:L${this.localUfrag}`;
    this.localDescription = { type, toJSON: () => ({ type, sdp }) };
    if (this.gathered && !this.regather) return;
    this.gathered = true;
    this.regather = false;
    for (let i = 0; i < candidates; i++)
      queueMicrotask(() =>
        this.onicecandidate?.({ candidate: i === candidates - 1 ? null : { toJSON: () => ({ candidate: `candidate:${i} 1 udp 2122260223 10.0.0.${i} 5000${i} typ host`, sdpMid: '0', sdpMLineIndex: 0 }) } }),
      );
  }
  override restartIce(): void {
    this.localUfrag++;
    this.regather = true;
    this.needNegotiation();
  }
  override async addIceCandidate(): Promise<void> {
    this.iceReceived++;
  }
}

const environment = (): MediaEnvironment => ({
  RTCPeerConnection: BrowserishPC as unknown as typeof RTCPeerConnection,
  mediaDevices: {
    getUserMedia: async (c?: MediaStreamConstraints) => new FakeStream([new FakeTrack('audio'), ...(c?.video ? [new FakeTrack('video')] : [])]) as unknown as MediaStream,
  },
});

describe('mesh pacing', () => {
  let world: EmbeddedWorld;
  beforeEach(() => {
    world = defaultLimitsWorld();
    all.length = 0;
    vi.stubGlobal('MediaStream', FakeStream);
  });
  afterEach(async () => {
    await world.dispose();
    vi.unstubAllGlobals();
  });

  async function onWebRtc(id: string) {
    const backend = webrtcBackend({ url: WORLD_URL, WebSocket: world.net.WebSocket, clock: world.clock, environment, endCallOnPageHide: false });
    const p: Party = party(id, new TRTCCalling({ SDKAppID: SDKAPPID, backend }));
    await p.calling.login({ userID: id, userSig: world.userSig(id) });
    return { p, backend };
  }

  it.each([
    { others: 12, perConnection: 9, rate: null }, // dual-stack host udp and tcp, srflx, TURN udp/tcp/tls, and the end
    { others: 17, perConnection: 5, rate: null }, // 4 host candidates and the end, as @roamhq/wrtc gathered here
    // A server started with `--rate 20` (burst 80, for every user too): the client paced for the default 50 had
    // the joining user's frames refused, each a strike, until the server closed him (its `loggedIn` now says).
    { others: 12, perConnection: 9, rate: { perSecond: 20, burst: 80 } },
  ])('a user joining a group call of $others members ($perConnection ICE messages per connection, server rate $rate.perSecond) gets every connection negotiated (before: 100 sends, then the rest dropped: descriptions lost for good)', async ({ others, perConnection, rate }) => {
    if (rate) {
      await world.dispose();
      world = defaultLimitsWorld({ server: { rate, limits: { userRate: rate } } });
    }
    candidates = perConnection;
    const ids = Array.from({ length: others }, (_, i) => `m${String(i).padStart(2, '0')}`);
    const members: Party[] = [];
    for (const id of ids) members.push((await onWebRtc(id)).p);
    const zed = (await onWebRtc('zed')).p; // polite to everyone: every member opens to it, it answers them all
    await world.settle();
    const [caller, ...rest] = members;
    await caller!.calling.groupCall({ userIDList: [...ids.slice(1), 'zed'], type: 1, timeout: 300 });
    await world.advance(S);
    for (const m of rest) {
      await m.calling.accept();
      await world.advance(3 * S);
    }
    await world.advance(5 * S);
    const before = all.length;
    zed.take();
    await zed.calling.accept();
    for (let i = 0; i < 20; i++) await world.advance(S);
    const joined = all.slice(before);
    const sawZed = members.filter((m) => m.take().some((e) => e.name === 'onUserEnter' && (e.payload as { userID: string }).userID === 'zed')).length;
    const zedHeard = zed.take().map((e) => e.name);
    expect(zedHeard).not.toContain('onKickedOut');
    expect(joined).toHaveLength(2 * others);
    expect({
      stuck: all.filter((pc) => pc.signalingState === 'have-local-offer').length,
      starved: joined.filter((pc) => pc.iceReceived < perConnection).length,
      zedSaw: zedHeard.filter((name) => name === 'onUserEnter').length,
      sawZed,
    }).toEqual({ stuck: 0, starved: 0, zedSaw: others, sawZed: others });
  });

  it('a member sends Bob 12 offers in a second (past his budget of 8): the newest of the rest waits and is answered 2 s later, not ignored (before: the last four ignored, the connection left on the eighth)', async () => {
    candidates = 2;
    const alice = await onWebRtc('alice');
    const bob = await onWebRtc('bob');
    const aura = world.backend(); // 'aura' < 'bob': Bob is the polite side, he answers her offers
    await aura.connection.login('aura', world.userSig('aura'));
    await world.settle();
    const { roomID } = await alice.p.calling.groupCall({ userIDList: ['bob', 'aura'], type: 1 });
    await world.advance(S);
    await bob.p.calling.accept();
    await world.advance(3 * S);
    await Promise.all([aura.room.enter(roomID, { userID: 'aura', video: false, audioMuted: false }), world.settle()]);
    await world.advance(S);
    for (let i = 1; i <= 12; i++) {
      await aura.room.relay('bob', JSON.stringify({ kind: 'sdp', description: { type: 'offer', sdp: `v=0 a=ice-ufrag:d${i}` } }));
      await world.advance(80);
    }
    const bobToAura = bob.backend.room.peerConnection('aura') as unknown as BrowserishPC;
    expect(bobToAura.remoteUfrag).toBe('d8');
    await world.advance(3 * S);
    expect([bobToAura.remoteUfrag, bobToAura.signalingState]).toEqual(['d12', 'stable']);
  });

  // The second review: a newer offer replaced everything held behind a deferred one, the answer to our own offer too.
  it('Bob (impolite) offers while Zoe\'s offer waits for its budget; Zoe (polite) rolls back, answers him and offers again -> Bob applies her answer and answers her new offer (before: both sides in have-local-offer for good)', async () => {
    candidates = 2;
    const alice = await onWebRtc('alice');
    const bob = await onWebRtc('bob');
    const zoe = world.backend(); // 'bob' < 'zoe': Bob is impolite towards Zoe, Zoe polite
    await zoe.connection.login('zoe', world.userSig('zoe'));
    const toZoe: { type: string }[] = [];
    zoe.room.onRelay((r) => {
      const m = JSON.parse(r.data) as { kind: string; description?: { type: string } };
      if (r.from === 'bob' && m.kind === 'sdp' && m.description) toZoe.push(m.description);
    });
    await world.settle();
    const { roomID } = await alice.p.calling.groupCall({ userIDList: ['bob', 'zoe'], type: 1, timeout: 300 });
    await world.advance(S);
    await bob.p.calling.accept();
    await world.advance(3 * S);
    await Promise.all([zoe.room.enter(roomID, { userID: 'zoe', video: false, audioMuted: false }), world.settle()]);
    await world.advance(S);
    const sdp = (type: string, ufrag: string) => JSON.stringify({ kind: 'sdp', description: { type, sdp: `v=0 a=ice-ufrag:${ufrag}` } });
    expect(toZoe.map((d) => d.type)).toEqual(['offer']); // Bob opened
    await zoe.room.relay('bob', sdp('answer', 'z0'));
    await world.advance(S);
    const bobToZoe = bob.backend.room.peerConnection('zoe') as unknown as BrowserishPC;
    expect(bobToZoe.signalingState).toBe('stable');
    for (let i = 1; i <= 9; i++) {
      await zoe.room.relay('bob', sdp('offer', `z${i}`));
      await world.advance(80);
    }
    expect(bobToZoe.remoteUfrag).toBe('z8'); // her 9th waits
    bobToZoe.restartIce(); // his offer crosses her 9th
    await world.advance(100);
    expect([bobToZoe.signalingState, toZoe.at(-1)?.type]).toEqual(['have-local-offer', 'offer']);
    await zoe.room.relay('bob', sdp('answer', 'z8'));
    await zoe.room.relay('bob', sdp('offer', 'z10'));
    await world.advance(5 * S);
    expect({ state: bobToZoe.signalingState, remote: bobToZoe.remoteUfrag, last: toZoe.at(-1)?.type }).toEqual({ state: 'stable', remote: 'z10', last: 'answer' });
  });

  it('10 members stream offers with new ICE credentials at Bob for 20 s; Carol\'s connection to Bob restarts ICE in the middle -> Bob answers her, with his candidates, and stays in the call', async () => {
    candidates = 5;
    const alice = await onWebRtc('alice');
    const bob = await onWebRtc('bob');
    const carol = await onWebRtc('carol');
    const ids = Array.from({ length: 10 }, (_, i) => `adam${i + 1}`);
    const attackers: EmbeddedBackend[] = [];
    for (const id of ids) {
      const m = world.backend();
      await m.connection.login(id, world.userSig(id));
      attackers.push(m);
    }
    await world.settle();
    const { roomID } = await alice.p.calling.groupCall({ userIDList: ['bob', 'carol', ...ids], type: 1 });
    await world.advance(S);
    await bob.p.calling.accept();
    await world.advance(3 * S);
    await carol.p.calling.accept();
    await world.advance(3 * S);
    for (const [i, m] of attackers.entries()) await Promise.all([m.room.enter(roomID, { userID: ids[i]!, video: false, audioMuted: false }), world.settle()]);
    await world.advance(5 * S);
    const carolToBob = carol.backend.room.peerConnection('bob') as unknown as BrowserishPC;
    expect(carolToBob.signalingState).toBe('stable');
    const iceBefore = carolToBob.iceReceived;
    let n = 0;
    const storm = async (ms: number) => {
      for (let t = 0; t < ms; t += 100) {
        await Promise.all(attackers.map((m, i) => m.room.relay('bob', JSON.stringify({ kind: 'sdp', description: { type: 'offer', sdp: `v=0 a=ice-ufrag:${i}.${++n}` } })).catch((e: unknown) => e)));
        await world.advance(100);
      }
    };
    await storm(10 * S);
    carolToBob.restartIce();
    await storm(3 * S);
    // Within 3 s of her restart, in the storm: Bob's answer and his candidates gathered again reached her.
    expect([carolToBob.signalingState, carolToBob.iceReceived - iceBefore]).toEqual(['stable', candidates]);
    await storm(7 * S);
    expect(bob.p.calling.getCallStatus()).toBe('connected');
  });
});
