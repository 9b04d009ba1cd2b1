/**
 * Attack: "anyone logged in can join any call". A room belongs to a call: only the users its
 * invitations name may enter it, read its members or relay into it; a room ID another call holds
 * is refused; and the browser room itself negotiates media only with the users its call invited.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebRtcRoomPort } from '../../adapters/webrtc/WebRtcRoomPort';
import type { MediaEnvironment } from '../../adapters/webrtc/media';
import { encodeSignal } from '../../src/index';
import { ev } from '../support/ev';
import type { EmbeddedWorld } from '../support/embeddedWorld';
import type { Party } from '../support/world';
import { testServer } from '../server/support';
import { RawClient, defaultLimitsWorld, honestCall } from './support';

const S = 1000;

describe('rooms belong to calls', () => {
  let world: EmbeddedWorld;
  let alice: Party;
  let bob: Party;
  let mallory: RawClient;

  beforeEach(async () => {
    world = defaultLimitsWorld();
    alice = await world.user('alice');
    bob = await world.user('bob');
    mallory = await RawClient.login((await world.server()).url, 'mallory');
  });
  afterEach(async () => {
    mallory.terminate();
    await world.dispose();
  });

  /** Alice calls Bob and he accepts; returns the call's room ID. */
  async function inCall(): Promise<number> {
    await alice.calling.call({ userID: 'bob', type: 2, timeout: 30 });
    await world.advance(S);
    const [invite] = bob.take();
    expect(invite).toEqual(ev.invited('alice', ['bob']));
    const { roomID } = (invite?.payload as { inviteData: { roomID: number } }).inviteData;
    await bob.calling.accept();
    await world.advance(S);
    expect(alice.take()).toEqual([ev.accepted('bob'), ...ev.arrives('bob')]);
    expect(bob.take()).toEqual(ev.arrives('alice'));
    return roomID;
  }

  it('Mallory, uninvited, cannot enter Alice and Bob\'s room, read its members, relay into it or take its room ID; they never hear of her', async () => {
    const roomID = await inCall();
    const sdp = JSON.stringify({ kind: 'sdp', description: { type: 'offer', sdp: 'v=0' } });
    const squat = encodeSignal({
      kind: 'invite', inviteID: 'mallory-1', inviter: 'mallory', groupID: '', callType: 2, invitees: ['carol'], roomID,
      timeout: 30, onlineUserOnly: false, isGroup: false, consumed: false,
    });
    const call = { inviteID: 'mallory-1', roomID, invitees: ['carol'], timeout: 30 };
    const answers = [
      await mallory.request({ type: 'roomEnter', roomID, audio: true, video: true }),
      await mallory.request({ type: 'roomMembers', roomID }),
      await mallory.request({ type: 'relay', roomID, data: sdp }),
      await mallory.request({ type: 'relay', roomID, to: 'alice', data: sdp }),
      await mallory.request({ type: 'roomClaim', roomID }),
      await mallory.request({ type: 'sendC2C', to: 'carol', payload: squat, onlineUserOnly: false, call }),
    ].map((f) => f.code ?? f.type);
    expect(answers).toEqual(['notInvited', 'notInvited', 'notInRoom', 'notInRoom', 'roomInUse', 'roomInUse']);
    await world.advance(5 * S);
    expect([alice.take(), bob.take()]).toEqual([[], []]);
    expect(mallory.ofType('userEntered').concat(mallory.ofType('relayed'), mallory.ofType('memberState'))).toEqual([]);
    expect((await world.server()).metrics()).toMatchObject({ refused: { notInvited: 2, notInRoom: 2, roomInUse: 2 } });
    await alice.calling.hangup();
    await world.advance(S);
    expect(alice.take()).toEqual([ev.end('alice', 'hangup')]);
    expect(bob.take()).toEqual([ev.leave('alice'), ev.end('alice', 'hangup')]);
    await honestCall(world, alice, bob);
  });

  it('Carol, in the IM group but not invited to its call, sees the invitation and its room ID, and still cannot enter', async () => {
    const carol = await RawClient.login((await world.server()).url, 'carol');
    await world.createGroup('team', ['alice', 'bob', 'carol']);
    await alice.calling.groupCall({ userIDList: ['bob'], type: 2, groupID: 'team', timeout: 30 });
    await world.advance(S);
    const invite = await carol.next((f) => f.type === 'message', 'the group invitation');
    const envelope = JSON.parse(String(invite.payload)) as { data: string };
    const roomID = (JSON.parse(envelope.data) as { room_id: number }).room_id;
    expect(roomID).toBeGreaterThan(0);
    expect((await carol.request({ type: 'roomEnter', roomID, audio: true, video: true })).code).toBe('notInvited');
    expect((await carol.request({ type: 'roomMembers', roomID })).code).toBe('notInvited');
    // Joining it (issue 11: joinInGroupCall) names the call's group: only that group admits its members.
    expect((await carol.request({ type: 'roomEnter', roomID, audio: true, video: true, groupID: 'elsewhere' })).code).toBe('notInvited');
    expect(bob.take()).toEqual([ev.invited('alice', ['bob'], { isFromGroup: true })]);
    await bob.calling.accept();
    await world.advance(S);
    expect(alice.take()).toEqual([ev.accepted('bob'), ev.enter('bob'), ev.roster(['bob']), ev.audio('bob', true), ev.video('bob', true)]);
    expect(carol.ofType('userEntered')).toEqual([]);
    carol.terminate();
  });

  it('Carol, a member of group "team", joins its call in progress by naming the group (joinInGroupCall); Mallory, not a member, cannot', async () => {
    const carol = await RawClient.login((await world.server()).url, 'carol');
    await world.createGroup('team', ['alice', 'bob', 'carol']);
    await alice.calling.groupCall({ userIDList: ['bob'], type: 2, groupID: 'team', timeout: 30 });
    await world.advance(S);
    const invite = await carol.next((f) => f.type === 'message', 'the group invitation');
    const roomID = (JSON.parse((JSON.parse(String(invite.payload)) as { data: string }).data) as { room_id: number }).room_id;
    expect((await mallory.request({ type: 'roomEnter', roomID, audio: true, video: true, groupID: 'team' })).code).toBe('notInvited');
    expect(await carol.request({ type: 'roomEnter', roomID, audio: true, video: true, groupID: 'team' })).toMatchObject({ type: 'roomInfo', members: [{ userID: 'alice', audio: true, video: true }, { userID: 'carol', audio: true, video: true }] });
    await world.advance(S);
    expect(alice.take()).toEqual([ev.enter('carol'), ev.roster(['carol']), ev.audio('carol', true), ev.video('carol', true)]);
    carol.terminate();
  });

  it('Mallory holds the room ID Alice\'s next call would use -> nobody is invited, call() rejects with -1401 (roomInUse), the call ends at once; the next call() works', async () => {
    // The world's room IDs count from 1001: Mallory takes it first, and sits in it.
    await mallory.request({ type: 'roomClaim', roomID: 1001 });
    expect(await mallory.request({ type: 'roomEnter', roomID: 1001, audio: true, video: true })).toMatchObject({ type: 'roomInfo' });
    // Alice's claim is not waited for: her enter and invitation are right behind it, and refused with it.
    const refused = await alice.calling.call({ userID: 'bob', type: 2, timeout: 30 }).catch((error: unknown) => error);
    // The room's refusal its cause, and under it the server's, as the embedded client got it.
    expect(refused).toMatchObject({ code: -1401, reason: 'roomInUse', cause: { name: 'RoomPortError', reason: 'roomInUse', cause: { serverCode: 'roomInUse' } } });
    await world.advance(5 * S);
    expect([alice.take(), bob.take()]).toEqual([
      [
        { name: 'onError', payload: { code: -1401, msg: 'room 1001 belongs to another call (roomInUse)', cause: (refused as Error).cause } },
        { name: 'onCallEnd', payload: { userID: 'alice', reason: 'error', callEnd: 0, inviteID: expect.any(String) } },
      ],
      [],
    ]);
    expect((await world.server()).metrics()).toMatchObject({ refused: { roomInUse: 2, notInvited: 1 } }); // the claim and the invitation; the enter
    expect(alice.calling.getSnapshot().line).toBe('idle');
    await honestCall(world, alice, bob); // room 1002
  });

  it('the same for groupCall() with an IM group and without: nobody is invited, -1401 roomInUse, the line is idle again', async () => {
    await world.createGroup('team', ['alice', 'bob']);
    for (const [roomID, groupID] of [[1001, 'team'], [1002, '']] as const) {
      await mallory.request({ type: 'roomClaim', roomID });
      await expect(alice.calling.groupCall({ userIDList: ['bob'], type: 1, groupID, timeout: 30 })).rejects.toMatchObject({ code: -1401, reason: 'roomInUse' });
      await world.advance(5 * S);
      expect(alice.take().map((e) => e.name)).toEqual(['onError', 'onCallEnd']);
      expect(bob.take()).toEqual([]);
      expect(alice.calling.getSnapshot().line).toBe('idle');
    }
  });

  it('Mallory squats rooms by hanging up (a room left on purpose stops counting) and inviting into each again for a day: the quota of 32 holds', async () => {
    const answers: string[] = [];
    for (let i = 0; i < 40; i++) {
      const roomID = 50_000 + i;
      const invite = (timeout: number) => ({ type: 'sendC2C', to: 'carol', payload: 'ring', onlineUserOnly: true, call: { inviteID: `m-${i}`, roomID, invitees: ['carol'], timeout } });
      const steps = [
        await mallory.request(invite(30)),
        await mallory.request({ type: 'roomEnter', roomID, audio: false, video: false }),
        await mallory.request({ type: 'roomExit', roomID }),
        await mallory.request(invite(86_400)), // the renewal: before the fix the room kept lingering, uncounted, for a day
      ];
      answers.push(steps.map((f) => String(f.code ?? f.type)).join(' '));
    }
    expect(answers.slice(0, 32)).toEqual(Array(32).fill('ack roomInfo ack ack'));
    expect(answers.slice(32)).toEqual(Array(8).fill('quotaExceeded notInvited notInRoom quotaExceeded'));
    expect((await world.server()).metrics()).toMatchObject({ roomGrants: 32, limits: { maxRoomsPerUser: 16 } });
    await world.advance(30 * S); // the lingers are long over: the 32 rooms are held for their day, and no more
    expect((await mallory.request({ type: 'roomClaim', roomID: 60_000 })).code).toBe('quotaExceeded');
    await honestCall(world, alice, bob);
  });
});

/** A peer connection that records that it was made and does nothing else. */
class FakePeerConnection {
  static made = 0;
  onnegotiationneeded: (() => void) | null = null;
  onicecandidate: ((e: unknown) => void) | null = null;
  ontrack: ((e: unknown) => void) | null = null;
  onconnectionstatechange: (() => void) | null = null;
  connectionState = 'new';
  signalingState = 'stable';
  localDescription: { toJSON(): unknown } | null = null;
  constructor() {
    FakePeerConnection.made++;
  }
  addTrack(): void {}
  /** A sending place made before the capture (the side that opens): its track comes later. */
  addTransceiver(kind: string): unknown {
    return { receiver: { track: { kind } }, sender: { track: null, replaceTrack: async () => undefined } };
  }
  getTransceivers(): unknown[] {
    return [];
  }
  close(): void {}
  restartIce(): void {}
  async setLocalDescription(): Promise<void> {
    this.localDescription = { toJSON: () => ({ type: 'answer', sdp: 'v=0' }) };
  }
  async setRemoteDescription(): Promise<void> {}
  async addIceCandidate(): Promise<void> {}
}

describe('the browser room negotiates only with the users its call invited', () => {
  let world: EmbeddedWorld;
  const saved = (globalThis as { MediaStream?: unknown }).MediaStream;
  beforeEach(() => {
    world = defaultLimitsWorld();
    FakePeerConnection.made = 0;
    (globalThis as { MediaStream?: unknown }).MediaStream = class {
      getTracks = () => [];
      getAudioTracks = () => [];
      getVideoTracks = () => [];
      addTrack(): void {}
    };
  });
  afterEach(async () => {
    (globalThis as { MediaStream?: unknown }).MediaStream = saved;
    await world.dispose();
  });

  it('a server that lets Mallory in (misconfigured, or older) still gets her no peer connection: her offer is ignored; Bob, invited, gets one', async () => {
    const stream = new (globalThis as unknown as { MediaStream: new () => MediaStream }).MediaStream();
    const environment = (): MediaEnvironment => ({
      RTCPeerConnection: FakePeerConnection as unknown as typeof RTCPeerConnection,
      mediaDevices: { getUserMedia: async () => stream },
    });
    const errors: string[] = [];
    const aliceBackend = world.backend();
    await aliceBackend.im.login('alice', world.userSig('alice'));
    const room = new WebRtcRoomPort(aliceBackend.room, { clock: world.clock, environment, onListenerError: (e) => errors.push(String(e)) });
    const server = await world.server();
    server.grantRoom(4242, ['alice', 'bob', 'mallory']); // the server's fault: the call invited only Bob
    await Promise.all([room.enter(4242, { userID: 'alice', video: false, audioMuted: false, participants: ['alice', 'bob'] }), world.settle()]);
    const mallory = world.backend();
    await mallory.im.login('mallory', world.userSig('mallory'));
    await Promise.all([mallory.room.enter(4242, { userID: 'mallory', video: false, audioMuted: false }), world.settle()]);
    await mallory.room.relay('alice', JSON.stringify({ kind: 'sdp', description: { type: 'offer', sdp: 'v=0' } }));
    await world.advance(S);
    // The one connection made is the one made ahead, on entering, for Bob, whom the call invited.
    expect([room.peerConnection('mallory'), FakePeerConnection.made]).toEqual([undefined, 1]);
    const forBob = room.peerConnection('bob');
    expect(errors).toEqual(['Error: ignored mallory: the call did not invite them']); // once, however often she tries
    const bob = world.backend();
    await bob.im.login('bob', world.userSig('bob'));
    await Promise.all([bob.room.enter(4242, { userID: 'bob', video: false, audioMuted: false }), world.settle()]);
    await world.advance(S);
    expect(room.peerConnection('bob')).toBeInstanceOf(FakePeerConnection);
    expect([room.peerConnection('bob') === forBob, FakePeerConnection.made]).toEqual([true, 1]);
  });
});

describe('a restart within a deliberate linger', () => {
  it('the room stays its call\'s for the rest of its 5 s only (not --room-idle-ms): its invitee may still use it, then the room is free', async () => {
    const server = await testServer();
    const clients: RawClient[] = [];
    const login = async (userID: string) => {
      const c = await RawClient.login(server.handle.url, userID);
      clients.push(c);
      return c;
    };
    try {
      const alice = await login('alice');
      const bob = await login('bob');
      const call = { inviteID: 'a-1', roomID: 777, invitees: ['bob'], timeout: 60 };
      expect((await alice.request({ type: 'sendC2C', to: 'bob', payload: 'ring', onlineUserOnly: true, call })).type).toBe('ack');
      for (const c of [alice, bob]) expect((await c.request({ type: 'roomEnter', roomID: 777, audio: true, video: false })).type).toBe('roomInfo');
      for (const c of [alice, bob]) expect((await c.request({ type: 'roomExit', roomID: 777 })).type).toBe('ack');
      for (const c of clients.splice(0)) c.terminate();
      await server.handle.close();
      await server.clock.advance(1000);
      await server.restart();
      const late = await login('bob'); // within the linger: the room is still the call's
      expect((await late.request({ type: 'roomMembers', roomID: 777 })).type).toBe('roomInfo');
      const mallory = await login('mallory');
      expect((await mallory.request({ type: 'roomClaim', roomID: 777 })).code).toBe('roomInUse');
      await server.clock.advance(5000); // the linger is over (before: the restart gave it 5 minutes)
      expect((await mallory.request({ type: 'roomClaim', roomID: 777 })).type).toBe('ack');
    } finally {
      for (const c of clients) c.terminate();
      await server.dispose();
    }
  });
});
