/**
 * 1v1 calls between Tencent's current web engine, `@tencentcloud/call-engine-js` 3.3.4 (a C++
 * engine in WebAssembly, run unmodified over the Chat SDK 3.6.6's own signaling module:
 * support/callEngineParty.ts), and ours on `tencentBackend`, both directions: accept and hang up by
 * either side, reject, cancel, no answer; and its calls in string rooms, which ours does not ring
 * (its rooms are numeric). Each test asserts both parties' whole ordered event logs
 * and the messages on the wire (who sent which action to whom, under which invite, with which
 * `cmd` and `call_end`). Its events are its own (`onUserJoin`, `onUserReject`, `onCallNotConnected`
 * ...), its payloads carry `callId` and a numeric `callRole` (1 caller, 2 callee).
 */
import { describe, expect, it } from 'vitest';
import { ev } from '../support/ev';
import { ce, ceWire } from './support/callEngineEvents';
import { useInterop } from './support/suite';

const S = 1000;
const t = useInterop();

const wire = ceWire(() => t.world);
const sends = () => wire.sends();
const datas = wire.datas;

describe('call-engine-js 3.3.4 calls ours', () => {
  async function ringing() {
    wire.reset();
    const alice = await t.world.callEngine('alice');
    const bob = await t.world.party('ours', 'bob');
    await t.world.act(alice.engine.call({ userID: 'bob', type: 2 }));
    // Its invite carries `call_end: 0` beside `cmd: "videoCall"`: ours used to read that as an end marker and never rang.
    expect(sends()).toEqual([['alice', 'bob', 1, 'id1', 'videoCall', 0]]);
    expect(alice.take()).toEqual([]);
    expect(bob.take()).toEqual([ev.invited('alice', ['bob'])]);
    return { alice, bob };
  }
  async function connected() {
    const { alice, bob } = await ringing();
    await t.world.act(bob.accept());
    expect(sends()).toEqual([['bob', 'alice', 3, 'id1', 'videoCall', null]]);
    expect(alice.take()).toEqual([ce.join('bob'), ce.audio('bob', true), ce.video('bob', true), ce.accepted('bob'), ce.begin(1)]);
    expect(bob.take()).toEqual([ev.enter('alice'), ev.audio('alice', true)]);
    await t.world.advance(2 * S);
    return { alice, bob };
  }

  it('Alice call(), Bob accept(), Alice hangup() -> Alice CALL_END at once; Bob USER_LEAVE, sends the hangup, CALL_END', async () => {
    const { alice, bob } = await connected();
    await t.world.act(alice.engine.hangup());
    expect(alice.take()).toEqual([ce.end(1, 2)]);
    expect(bob.take()).toEqual([ev.audio('alice', false), ev.leave('alice'), ev.end('alice', 'hangup', 3)]);
    expect(sends()).toEqual([['bob', 'alice', 1, 'id1-hangup', 'hangup', 3]]);
  });

  it('Alice call(), Bob accept(), Bob hangup() -> Alice USER_LEAVE, sends its hangup (call_end 3), CALL_END; Bob CALL_END from it', async () => {
    const { alice, bob } = await connected();
    await t.world.act(bob.hangup());
    expect(alice.take()).toEqual([ce.leave('bob'), ce.end(1, 3)]);
    expect(bob.take()).toEqual([ev.end('alice', 'hangup', 3)]);
    expect(sends()).toEqual([['alice', 'bob', 1, 'id2', 'hangup', 3]]);
  });

  it('Alice call(), Bob reject() -> Alice onUserReject, not connected; Bob nothing more', async () => {
    const { alice, bob } = await ringing();
    await t.world.act(bob.reject());
    expect(sends()).toEqual([['bob', 'alice', 4, 'id1', 'videoCall', null]]);
    expect(alice.take()).toEqual([ce.rejected('bob'), ...ce.notConnected('alice', 1)]);
    expect(bob.take()).toEqual([]);
  });

  it('Alice call(), Alice hangup() while Bob rings -> CANCEL (call_end 0, cmd videoCall); Bob CALLING_CANCEL', async () => {
    const { alice, bob } = await ringing();
    await t.world.act(alice.engine.hangup());
    expect(sends()).toEqual([['alice', 'bob', 2, 'id1', 'videoCall', 0]]);
    expect(alice.take()).toEqual(ce.notConnected('alice', 1));
    expect(bob.take()).toEqual([ev.cancelled('alice')]);
  });

  it('Alice call(), nobody answers -> Bob CALLING_TIMEOUT at 30 s, its notice ends Alice\'s call: onUserNoResponse, not connected', async () => {
    const { alice, bob } = await ringing();
    await t.world.advance(40 * S);
    expect(sends()).toEqual([['bob', 'alice', 5, 'id1', 'videoCall', 0]]);
    expect(alice.take()).toEqual([ce.noResponse(['bob']), ...ce.notConnected('alice', 1)]);
    expect(bob.take()).toEqual([ev.timedOut('alice', ['bob'])]);
  });
});

describe('ours calls call-engine-js 3.3.4', () => {
  async function ringing() {
    wire.reset();
    const bob = await t.world.callEngine('bob');
    const alice = await t.world.party('ours', 'alice');
    await t.world.act(alice.call('bob', 2));
    expect(sends()).toEqual([['alice', 'bob', 1, 'id1', 'videoCall', null]]);
    expect(alice.take()).toEqual([]);
    expect(bob.take()).toEqual(ce.invited('alice', ['bob']));
    return { alice, bob };
  }
  async function connected() {
    const { alice, bob } = await ringing();
    await t.world.act(bob.engine.accept());
    // Its accept names no command (`cmd: ""`) and `data.room_id` 0, its room only at the top.
    expect(sends()).toEqual([['bob', 'alice', 3, 'id1', '', 0]]);
    expect(alice.take()).toEqual([ev.accepted('bob'), ev.enter('bob'), ev.audio('bob', true)]);
    expect(bob.take()).toEqual([ce.begin(2), ce.join('alice'), ce.audio('alice', true), ce.video('alice', true)]);
    await t.world.advance(2 * S);
    return { alice, bob };
  }

  it('Alice call(), Bob accept(), Alice hangup() -> Bob USER_LEAVE, sends its hangup, CALL_END; Alice CALL_END from it', async () => {
    const { alice, bob } = await connected();
    await t.world.act(alice.hangup());
    expect(sends()).toEqual([['bob', 'alice', 1, 'id2', 'hangup', 3]]);
    expect(alice.take()).toEqual([ev.end('alice', 'hangup', 3)]);
    expect(bob.take()).toEqual([ce.leave('alice'), ce.end(2, 3)]);
  });

  it('Alice call(), Bob accept(), Bob hangup() -> Bob CALL_END at once; Alice USER_LEAVE, sends the hangup, CALL_END', async () => {
    const { alice, bob } = await connected();
    await t.world.act(bob.engine.hangup());
    expect(sends()).toEqual([['alice', 'bob', 1, 'id1-hangup', 'hangup', 3]]);
    expect(alice.take()).toEqual([ev.audio('bob', false), ev.leave('bob'), ev.end('alice', 'hangup', 3)]);
    expect(bob.take()).toEqual([ce.end(2, 2)]);
  });

  it('Alice call(), Bob reject() (cmd "", call_end 0) -> Alice REJECT, CALL_END(rejected)', async () => {
    const { alice, bob } = await ringing();
    await t.world.act(bob.engine.reject());
    expect(sends()).toEqual([['bob', 'alice', 4, 'id1', '', 0]]);
    expect(alice.take()).toEqual([ev.rejected('bob'), ev.end('alice', 'rejected', 0)]);
    expect(bob.take()).toEqual(ce.notConnected('bob', 2));
  });

  it('Alice call(), Alice hangup() while Bob rings -> CANCEL; Bob not connected', async () => {
    const { alice, bob } = await ringing();
    await t.world.act(alice.hangup());
    expect(sends()).toEqual([['alice', 'bob', 2, 'id1', 'videoCall', null]]);
    expect(alice.take()).toEqual([ev.end('alice', 'cancelled', 0)]);
    expect(bob.take()).toEqual(ce.notConnected('bob', 2));
  });

  it('Alice call(), nobody answers -> Bob\'s notice at 30 s (our data, byte for byte); Alice NO_RESP, CALL_END(noResponse)', async () => {
    const { alice, bob } = await ringing();
    await t.world.advance(40 * S);
    expect(sends()).toEqual([['bob', 'alice', 5, 'id1', 'videoCall', null]]);
    expect(datas[1]).toBe(datas[0]);
    expect(alice.take()).toEqual([ev.noResp('bob', 'alice'), ev.end('alice', 'noResponse', 0)]);
    expect(bob.take()).toEqual(ce.notConnected('bob', 2));
  });
});

describe('call-engine-js 3.3.4 calls ours in a string room (`roomID: 0`, `strRoomID`)', () => {
  it.each(['room-abc', '424242'])('1v1 in the string room %s: ours does not ring a call it cannot join (its app hears of it through onDropped); Alice\'s own timer ends it at 35 s', async (strRoomID) => {
    wire.reset();
    const alice = await t.world.callEngine('alice');
    const bob = await t.world.party('ours', 'bob');
    await t.world.act(alice.engine.call({ userID: 'bob', type: 2, roomID: 0, strRoomID }));
    expect([alice.take(), bob.take()]).toEqual([[], []]);
    expect(bob.kind === 'ours' && bob.dropped).toEqual([`malformed: a call in the string room "${strRoomID}", which this client cannot join`]);
    await t.world.advance(40 * S);
    expect(alice.take()).toEqual([ce.noResponse(['bob']), ...ce.notConnected('alice', 1, { strRoom: strRoomID })]);
    expect(bob.take()).toEqual([]);
    expect(sends()).toEqual([['alice', 'bob', 1, 'id1', 'videoCall', 0], ['alice', 'bob', 5, 'id1', 'videoCall', 0]]);
  });

  it('a group call in a string room (room_id 0 to the group): ours does not ring (TRTCCalling\'s "no room" marker: no call of ours); 3.3.4\'s Carol joins; Alice\'s timer names Bob at 35 s', async () => {
    wire.reset();
    t.world.im.createGroup('g1', ['alice', 'bob', 'carol']);
    const alice = await t.world.callEngine('alice');
    const bob = await t.world.party('ours', 'bob');
    const carol = await t.world.callEngine('carol');
    const g1 = { type: 1, group: 'g1', strRoom: 'grp-room' } as const;
    await t.world.act(alice.engine.groupCall({ userIDList: ['bob', 'carol'], type: 1, groupID: 'g1', strRoomID: 'grp-room' }));
    expect([alice.take(), bob.take(), bob.kind === 'ours' && bob.dropped]).toEqual([[], [], []]);
    expect(carol.take()).toEqual(ce.invited('alice', ['bob', 'carol'], g1));
    await t.world.act(carol.engine.accept(), 2 * S);
    expect(alice.take()).toEqual([ce.join('carol'), ce.accepted('carol'), ce.begin(1, g1), ce.audio('carol', true)]);
    expect(carol.take()).toEqual([ce.begin(2, g1), ce.join('alice'), ce.audio('alice', true)]);
    await t.world.advance(40 * S);
    expect([alice.take(), bob.take(), carol.take()]).toEqual([[ce.noResponse(['bob'])], [], [ce.noResponse(['bob'])]]);
    expect(sends()).toEqual([['alice', 'g1', 1, 'id1', 'audioCall', 0], ['carol', 'g1', 3, 'id1', '', 0], ['alice', 'g1', 5, 'id1', 'audioCall', 0]]);
  });
});

describe('call-engine-js 3.3.4 calls ours while ours is offline', () => {
  it('Alice (3.3.4) call(); Bob (ours) logs in 10 s later -> our replay rings it (its invite excluded from the unread count); Bob accepts: connected', async () => {
    wire.reset();
    const alice = await t.world.callEngine('alice');
    const bob = await t.world.party('ours', 'bob', { login: false });
    await t.world.act(alice.engine.call({ userID: 'bob', type: 1 }));
    await t.world.advance(10 * S);
    await t.world.act(bob.login(), 2 * S);
    expect(bob.take()).toEqual([ev.ready(), ev.invited('alice', ['bob'], { callType: 1 })]);
    await t.world.act(bob.accept(), 2 * S);
    expect(alice.take()).toEqual([ce.join('bob'), ce.audio('bob', true), ce.accepted('bob'), ce.begin(1, { type: 1 })]);
    expect(bob.take()).toEqual([ev.enter('alice'), ev.audio('alice', true)]);
    expect(sends()).toEqual([['alice', 'bob', 1, 'id1', 'audioCall', 0], ['bob', 'alice', 3, 'id1', 'audioCall', null]]);
  });
});
