/**
 * 1v1 calls between Tencent's successor client, TUICallEngine 3.1.7 (tuicall-engine-webrtc, run
 * unmodified over the Chat SDK 3.6.6's own signaling module: support/tuiParty.ts) and ours on
 * `tencentBackend`, both directions, audio and video: accept (both see the other enter the room),
 * hang up by either side, reject, busy both ways, cancel by the caller, no answer. Each test
 * asserts both parties' whole ordered event logs (the engine's `TUICallEvent`s, our TRTCCalling
 * events) and the messages on the wire (who sent which action to whom, under which invite).
 */
import { describe, expect, it } from 'vitest';
import { ev } from '../support/ev';
import { useInterop } from './support/suite';
import { te } from './support/tuiEvents';

const S = 1000;
const t = useInterop();

/** The wire since the last look, as `[from, to, actionType, inviteID label]`. */
const sends = () => t.world.wire.take().map((m) => [m.from, m.to, m.envelope.actionType, m.envelope.inviteID]);
/** The inner av_call data of each message on the wire since the last look. */
/** The room the first invite names. */
const roomOf = (): number => {
  const envelope = JSON.parse(t.world.im.log[0]?.payload.data ?? '{}') as { data?: string };
  return (JSON.parse(envelope.data ?? '{}') as { room_id?: number }).room_id ?? 0;
};
const datas = () => t.world.wire.take().map((m) => m.envelope.data as Record<string, unknown>);

describe('TUICallEngine calls ours', () => {
  async function ringing(type: 1 | 2) {
    const bob = await t.world.party('ours', 'bob');
    const alice = await t.world.tui('alice');
    await t.world.act(alice.engine.call({ userID: 'bob', type }));
    expect(alice.take()).toEqual([]);
    expect(bob.take()).toEqual([ev.invited('alice', ['bob'], { callType: type })]);
    return { alice, bob };
  }

  async function connected(type: 1 | 2) {
    const { alice, bob } = await ringing(type);
    await t.world.act(bob.accept());
    expect(alice.take()).toEqual([te.enter('bob'), te.begin('inviter', type), te.audio('bob', true), ...(type === 2 ? [te.video('bob', true)] : []), te.accepted('bob')]);
    // The engine publishes its camera only when the app opens it (TUICallKit does): audio only here.
    expect(bob.take()).toEqual([ev.enter('alice'), ev.audio('alice', true)]);
    expect(t.world.rtc.members(roomOf())).toEqual(['alice', 'bob']);
    await t.world.advance(2 * S);
    return { alice, bob };
  }


  it.each([1, 2] as const)('type %i: Alice call(), Bob accept(), Alice hangup() -> Alice CALL_END at once; Bob USER_LEAVE, sends the hangup, CALL_END', async (type) => {
    const { alice, bob } = await connected(type);
    await t.world.act(alice.engine.hangup());
    expect(alice.take()).toEqual([te.end('alice', 'inviter', type, 3)]);
    expect(bob.take()).toEqual([ev.audio('alice', false), ev.leave('alice'), ev.end('alice', 'hangup', 3)]);
    expect(sends()).toEqual([['alice', 'bob', 1, 'id1'], ['bob', 'alice', 3, 'id1'], ['bob', 'alice', 1, 'id1-hangup']]);
  });

  it('Alice call(), Bob accept(), Bob hangup() -> Alice USER_LEAVE, sends the hangup, CALL_END; Bob CALL_END from it', async () => {
    const { alice, bob } = await connected(2);
    await t.world.act(bob.hangup());
    expect(alice.take()).toEqual([te.leave('bob'), te.end('alice', 'inviter', 2, 3)]);
    expect(bob.take()).toEqual([ev.end('alice', 'hangup', 3)]);
    expect(sends()).toEqual([['alice', 'bob', 1, 'id1'], ['bob', 'alice', 3, 'id1'], ['alice', 'bob', 1, 'id2']]);
  });

  it('Alice call(), Bob reject() -> Alice REJECT + CALLING_CANCEL(reject); Bob nothing more', async () => {
    const { alice, bob } = await ringing(2);
    await t.world.act(bob.reject());
    expect(alice.take()).toEqual([te.rejected('bob'), ...te.cancelled('bob', 'inviter', 2, 'reject')]);
    expect(bob.take()).toEqual([]);
    expect(sends()).toEqual([['alice', 'bob', 1, 'id1'], ['bob', 'alice', 4, 'id1']]);
  });

  it('Alice call(), Alice hangup() while Bob rings -> CANCEL; Alice CALLING_CANCEL(normal); Bob CALLING_CANCEL', async () => {
    const { alice, bob } = await ringing(2);
    await t.world.act(alice.engine.hangup());
    expect(alice.take()).toEqual(te.cancelled('alice', 'inviter', 2, 'normal'));
    expect(bob.take()).toEqual([ev.cancelled('alice')]);
    expect(sends()).toEqual([['alice', 'bob', 1, 'id1'], ['alice', 'bob', 2, 'id1']]);
  });

  it('Alice call(), Bob never answers -> at 30 s Bob\'s TIMEOUT (the invite\'s data, byte for byte); Alice CALLING_CANCEL(timeout) + NO_RESP; Bob CALLING_TIMEOUT', async () => {
    const { alice, bob } = await ringing(1);
    await t.world.advance(40 * S);
    expect(alice.take()).toEqual([...te.cancelled('bob', 'inviter', 1, 'timeout'), te.noResp('alice', ['bob'])]);
    expect(bob.take()).toEqual([ev.timedOut('alice', ['bob'])]);
    const [invite, notice] = t.world.wire.raw();
    expect([invite?.actionType, notice?.actionType, notice?.data]).toEqual([1, 5, invite?.data]);
    expect(sends()).toEqual([['alice', 'bob', 1, 'id1'], ['bob', 'alice', 5, 'id1']]);
  });

  it('Bob is in a call with Carol (both ours), Alice call() -> busy REJECT; Alice LINE_BUSY + CALLING_CANCEL(busyline); Bob and Carol hear nothing', async () => {
    const alice = await t.world.tui('alice');
    const bob = await t.world.party('ours', 'bob');
    const carol = await t.world.party('ours', 'carol');
    await t.world.act(carol.call('bob', 1));
    await t.world.act(bob.accept());
    bob.take();
    carol.take();
    t.world.wire.take();
    await t.world.act(alice.engine.call({ userID: 'bob', type: 2 }));
    expect(alice.take()).toEqual([te.busy('bob'), ...te.cancelled('bob', 'inviter', 2, 'busyline')]);
    expect([bob.take(), carol.take()]).toEqual([[], []]);
    const [invite, busy] = datas();
    expect(busy).toMatchObject({ line_busy: 'line_busy', data: { message: 'lineBusy' } });
    expect(invite).toMatchObject({ userData: '', data: { inviter: 'alice', str_room_id: '', excludeFromHistoryMessage: true } });
  });
});

describe('ours calls TUICallEngine', () => {
  async function ringing(type: 1 | 2) {
    const alice = await t.world.party('ours', 'alice');
    const bob = await t.world.tui('bob');
    await t.world.act(alice.call('bob', type));
    expect(alice.take()).toEqual([]);
    expect(bob.take()).toEqual(te.invited('alice', ['bob'], { type }));
    return { alice, bob };
  }

  async function connected(type: 1 | 2) {
    const { alice, bob } = await ringing(type);
    await t.world.act(bob.engine.accept());
    expect(alice.take()).toEqual([ev.accepted('bob'), ev.enter('bob'), ev.audio('bob', true)]);
    expect(bob.take()).toEqual([te.audio('alice', true), ...(type === 2 ? [te.video('alice', true)] : []), te.enter('alice'), te.begin('invitee', type)]);
    await t.world.advance(2 * S);
    return { alice, bob };
  }

  it.each([1, 2] as const)('type %i: Alice call(), Bob accept(), Alice hangup() -> Alice CALL_END; Bob USER_LEAVE + CALL_END, sends the hangup', async (type) => {
    const { alice, bob } = await connected(type);
    await t.world.act(alice.hangup());
    expect(alice.take()).toEqual([ev.end('alice', 'hangup', 3)]);
    expect(bob.take()).toEqual([te.leave('alice'), te.end('bob', 'invitee', type, 3)]);
    expect(sends()).toEqual([['alice', 'bob', 1, 'id1'], ['bob', 'alice', 3, 'id1'], ['bob', 'alice', 1, 'id2']]);
  });

  it('Alice call(), Bob accept(), Bob hangup() -> Bob CALL_END at once; Alice USER_LEAVE, sends the hangup, CALL_END', async () => {
    const { alice, bob } = await connected(2);
    await t.world.act(bob.engine.hangup());
    expect(bob.take()).toEqual([te.end('bob', 'invitee', 2, 3)]);
    expect(alice.take()).toEqual([ev.audio('bob', false), ev.leave('bob'), ev.end('alice', 'hangup', 3)]);
    expect(sends()).toEqual([['alice', 'bob', 1, 'id1'], ['bob', 'alice', 3, 'id1'], ['alice', 'bob', 1, 'id1-hangup']]);
  });

  it('Alice call(), Bob reject() -> Alice REJECT + CALL_END(rejected); Bob CALLING_CANCEL(reject)', async () => {
    const { alice, bob } = await ringing(2);
    await t.world.act(bob.engine.reject());
    expect(alice.take()).toEqual([ev.rejected('bob'), ev.end('alice', 'rejected', 0)]);
    expect(bob.take()).toEqual(te.cancelled('bob', 'invitee', 2, 'reject'));
    expect(sends()).toEqual([['alice', 'bob', 1, 'id1'], ['bob', 'alice', 4, 'id1']]);
  });

  it('Alice call(), Alice hangup() while Bob rings -> CANCEL; Alice CALL_END(cancelled); Bob CALLING_CANCEL(normal)', async () => {
    const { alice, bob } = await ringing(2);
    await t.world.act(alice.hangup());
    expect(alice.take()).toEqual([ev.end('alice', 'cancelled', 0)]);
    expect(bob.take()).toEqual(te.cancelled('bob', 'invitee', 2, 'normal'));
    expect(sends()).toEqual([['alice', 'bob', 1, 'id1'], ['alice', 'bob', 2, 'id1']]);
  });

  it('TUICallEngine\'s quirk: Bob hangup() while ringing ends his side alone (CALL_END) and sends nothing; Alice rings on until his Chat SDK\'s timer sends the TIMEOUT at 30 s', async () => {
    const { alice, bob } = await ringing(1);
    await t.world.act(bob.engine.hangup());
    expect(bob.take()).toEqual([te.end('bob', 'invitee', 1, 0)]);
    expect([alice.take(), sends()]).toEqual([[], [['alice', 'bob', 1, 'id1']]]);
    await t.world.advance(30 * S);
    expect(alice.take()).toEqual([ev.noResp('bob', 'alice'), ev.end('alice', 'noResponse', 0)]);
    expect(sends()).toEqual([['bob', 'alice', 5, 'id1']]);
  });

  it('Alice call(), Bob never answers -> at 30 s Bob\'s TIMEOUT; Alice NO_RESP + CALL_END(noResponse); Bob CALLING_CANCEL(timeout)', async () => {
    const { alice, bob } = await ringing(1);
    await t.world.advance(40 * S);
    expect(alice.take()).toEqual([ev.noResp('bob', 'alice'), ev.end('alice', 'noResponse', 0)]);
    expect(bob.take()).toEqual(te.cancelled('bob', 'invitee', 1, 'timeout'));
    expect(sends()).toEqual([['alice', 'bob', 1, 'id1'], ['bob', 'alice', 5, 'id1']]);
  });

  it('Bob is in a call with Carol (both TUICallEngine), Alice call() -> busy REJECT; Alice LINE_BUSY + CALL_END(busy); Bob and Carol hear nothing', async () => {
    const alice = await t.world.party('ours', 'alice');
    const bob = await t.world.tui('bob');
    const carol = await t.world.tui('carol');
    await t.world.act(carol.engine.call({ userID: 'bob', type: 1 }));
    await t.world.act(bob.engine.accept());
    bob.take();
    carol.take();
    t.world.wire.take();
    await t.world.act(alice.call('bob', 2));
    expect(alice.take()).toEqual([ev.busy('bob', 'alice'), ev.end('alice', 'busy', 0)]);
    expect([bob.take(), carol.take()]).toEqual([[], []]);
    expect(datas()[1]).toMatchObject({ line_busy: 'line_busy', data: { message: 'lineBusy' } });
    await t.world.advance(40 * S);
    expect([alice.take(), bob.take(), carol.take(), sends()]).toEqual([[], [], [], []]);
  });
});

describe('glare: ours (Alice) and TUICallEngine (Bob) call each other, the invites crossing', () => {
  /** Lets the clock run until someone sends a message (the engine enters its room before it invites). */
  async function untilSent(): Promise<void> {
    const before = t.world.im.log.length;
    for (let ms = 0; t.world.im.log.length === before; ms++) {
      if (ms > 5 * S) throw new Error('nothing was sent');
      await t.world.advance(1);
    }
  }

  it.each(['low', 'high'] as const)('our inviteIDs sort %s: Bob answers Alice\'s invite busy, so she takes his -> one call in Bob\'s room, connected past 40 s, until Bob hangs up', async (inviteIDs) => {
    const alice = await t.world.party('ours', 'alice', { inviteIDs });
    const bob = await t.world.tui('bob');
    const bobCalls = bob.engine.call({ userID: 'alice', type: 2 });
    await untilSent();
    await t.world.act(Promise.all([alice.call('bob', 2), bobCalls]), 2 * S);
    expect(alice.take()).toEqual([ev.accepted('bob'), ev.enter('bob'), ev.audio('bob', true)]);
    // Unlike trtc-calling-js, the engine does not report its own busy answer.
    expect(bob.take()).toEqual([te.enter('alice'), te.begin('inviter', 2), te.audio('alice', true), te.video('alice', true), te.accepted('alice')]);
    expect(sends()).toEqual([['bob', 'alice', 1, 'id1'], ['alice', 'bob', 1, 'id2'], ['bob', 'alice', 4, 'id2'], ['alice', 'bob', 3, 'id1']]);
    expect(t.world.rtc.members(roomOf())).toEqual(['bob', 'alice']);
    await t.world.advance(40 * S);
    expect([alice.getCallStatus(), bob.engine.getCallStatus(), alice.take(), bob.take()]).toEqual(['connected', 'connected', [], []]);
    await t.world.act(bob.engine.hangup(), 2 * S);
    expect(bob.take()).toEqual([te.end('bob', 'inviter', 2, expect.any(Number))]);
    expect(alice.take()).toEqual([ev.audio('bob', false), ev.leave('bob'), ev.end('bob', 'hangup')]);
    expect(sends()).toEqual([['alice', 'bob', 1, 'id1-hangup']]);
  });
});
