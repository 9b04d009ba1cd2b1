/**
 * The API-parity audit's leftovers (2026-12-07): `startRemoteView()` for a user not in the call yet, and either view
 * with no call, rejected with `InvalidStateError`, where trtc-calling-js resolves and shows nothing (it plays only a
 * stream it has): app code that lays out its call screen as it dials got a rejection it never had (unhandled, most
 * likely). Now, in a call, the remote view is remembered and played once the user enters (before `USER_ENTER` is
 * told); with no call, both resolve and do nothing; logged out, both are refused, as trtc-calling-js's throw
 * ("not login"). test/interop/appCode.test.ts runs the early call against trtc-calling-js 1.0.6 and ours.
 */
import { describe, expect, it } from 'vitest';
import { RoomPortError } from '../../adapters/RoomPort';
import { InvalidStateError, TRTCCalling } from '../../src/index';
import { ev } from '../support/ev';
import { memoryUsers } from '../support/world';

const S = 1000;

describe('a view asked for before its user is in the call', () => {
  const t = memoryUsers('alice', 'bob');
  const views = (userID: string) => t.world.net.rooms.views(userID);
  /** Alice calls Bob again and he accepts: a later call, in which a forgotten view must play nothing. */
  const nextCallAnswered = async () => {
    await t.alice.calling.call({ userID: 'bob', type: 2 });
    await t.world.advance(S);
    await t.bob.calling.accept();
    await t.world.advance(S);
  };

  it('Alice call(), startRemoteView(bob) while dialing -> resolves; Bob accept() -> bob plays there as Alice hears USER_ENTER', async () => {
    await t.alice.calling.call({ userID: 'bob', type: 2 });
    await expect(t.alice.calling.startRemoteView({ userID: 'bob', videoViewDomID: 'remote-bob' })).resolves.toBeUndefined();
    expect(views('alice')).toEqual([]);
    const seen: unknown[] = [];
    t.alice.calling.on(TRTCCalling.EVENT.USER_ENTER, () => seen.push(views('alice')));
    await t.world.advance(S);
    await t.bob.calling.accept();
    await t.world.advance(S);
    expect(seen).toEqual([[{ kind: 'remote', userID: 'bob', domID: 'remote-bob' }]]);
    expect(t.alice.take()).toEqual([ev.accepted('bob'), ...ev.arrives('bob')]);
  });

  it('Bob ringing, startRemoteView(alice) and startLocalView() -> resolve; Bob accept() -> both play', async () => {
    await t.alice.calling.call({ userID: 'bob', type: 2 });
    await t.world.advance(S);
    await t.bob.calling.startRemoteView({ userID: 'alice', videoViewDomID: 'them' });
    await t.bob.calling.startLocalView({ userID: 'bob', videoViewDomID: 'me' });
    await t.bob.calling.accept();
    await t.world.advance(S);
    expect(views('bob')).toEqual([{ kind: 'local', userID: 'bob', domID: 'me' }, { kind: 'remote', userID: 'alice', domID: 'them' }]);
    expect(t.bob.take()).toEqual([ev.invited('alice', ['bob']), ...ev.arrives('alice')]);
  });

  it('stopRemoteView(bob) before Bob enters -> nothing plays; one of two elements stopped -> the other plays', async () => {
    await t.alice.calling.call({ userID: 'bob', type: 2 });
    await t.alice.calling.startRemoteView({ userID: 'bob', videoViewDomID: 'a' });
    await t.alice.calling.startRemoteView({ userID: 'bob', videoViewDomID: 'b' });
    await t.alice.calling.stopRemoteView({ userID: 'bob', videoViewDomID: 'a' });
    await t.world.advance(S);
    await t.bob.calling.accept();
    await t.world.advance(S);
    expect(views('alice')).toEqual([{ kind: 'remote', userID: 'bob', domID: 'b' }]);
    await t.alice.calling.hangup();
    await t.world.advance(S);
    await t.alice.calling.call({ userID: 'bob', type: 2 });
    await t.alice.calling.startRemoteView({ userID: 'bob', videoViewDomID: 'c' });
    await t.alice.calling.stopRemoteView({ userID: 'bob' });
    await t.world.advance(S);
    await t.bob.calling.accept();
    await t.world.advance(S);
    expect(views('alice')).toEqual([]);
  });

  it('Bob reject()s -> the view that waited for him is forgotten: his next call\'s entry plays nothing there', async () => {
    await t.alice.calling.call({ userID: 'bob', type: 2 });
    await t.alice.calling.startRemoteView({ userID: 'bob', videoViewDomID: 'remote-bob' });
    await t.world.advance(S);
    await t.bob.calling.reject();
    await t.world.advance(S);
    await nextCallAnswered();
    expect(views('alice')).toEqual([]);
  });

  it('Bob ringing, startRemoteView(alice) -> Alice cancels, or Bob rejects (no CALL_END for Bob) -> her next call, accepted, plays nothing there', async () => {
    for (const end of ['cancel', 'reject'] as const) {
      await t.alice.calling.call({ userID: 'bob', type: 2 });
      await t.world.advance(S);
      await t.bob.calling.startRemoteView({ userID: 'alice', videoViewDomID: `them-${end}` });
      await (end === 'cancel' ? t.alice.calling.hangup() : t.bob.calling.reject());
      await t.world.advance(S);
      await nextCallAnswered();
      expect(views('bob')).toEqual([]);
      await t.alice.calling.hangup();
      await t.world.advance(S);
    }
  });

  it('glare: Alice and Bob call() each other, each startRemoteView() of the other at once -> one call, both videos play (the loser\'s view kept as its call merges)', async () => {
    await Promise.all([t.alice.calling.call({ userID: 'bob', type: 2 }), t.bob.calling.call({ userID: 'alice', type: 2 })]);
    await t.alice.calling.startRemoteView({ userID: 'bob', videoViewDomID: 'remote-bob' });
    await t.bob.calling.startRemoteView({ userID: 'alice', videoViewDomID: 'remote-alice' });
    await t.world.advance(S);
    expect(views('alice')).toEqual([{ kind: 'remote', userID: 'bob', domID: 'remote-bob' }]);
    expect(views('bob')).toEqual([{ kind: 'remote', userID: 'alice', domID: 'remote-alice' }]);
  });

  /** Carol, on a client whose room refuses `startRemoteView` into `domID` with `refusal` (the memory room has no DOM). */
  async function carolRefusing(domID: string, refusal: RoomPortError) {
    const { room } = t.world.net.backend();
    const start = room.startRemoteView.bind(room);
    room.startRemoteView = async (userID, id) => (id === domID ? Promise.reject(refusal) : start(userID, id));
    const carol = t.world.client('carol', { ...t.world.net.backend(), room });
    await carol.calling.login({ userID: 'carol', userSig: 'sig-carol' });
    await t.world.advance(S);
    carol.take();
    return carol;
  }

  it('the element gone once Bob enters -> skipped, nothing told (as a pending local view, and as trtc-calling-js tells nothing of a play into no element); his other element plays; the call goes on', async () => {
    const carol = await carolRefusing('gone', new RoomPortError(-1202, 'no element with id "gone"', 'invalidParameter'));
    await carol.calling.call({ userID: 'bob', type: 2 });
    await carol.calling.startRemoteView({ userID: 'bob', videoViewDomID: 'gone' });
    await carol.calling.startRemoteView({ userID: 'bob', videoViewDomID: 'tile' });
    await t.world.advance(S);
    await t.bob.calling.accept();
    await t.world.advance(S);
    expect(carol.take()).toEqual([ev.accepted('bob'), ...ev.arrives('bob')]);
    expect(views('carol')).toEqual([{ kind: 'remote', userID: 'bob', domID: 'tile' }]);
    expect(carol.calling.getCallStatus()).toBe('connected');
  });

  it('the room failing the view once Bob enters (not its element) -> ERROR (after USER_ENTER: nobody awaits it) with the room\'s failure as its cause; the call goes on', async () => {
    const failure = new RoomPortError(65535, 'the room broke');
    const carol = await carolRefusing('tile', failure);
    await carol.calling.call({ userID: 'bob', type: 2 });
    await carol.calling.startRemoteView({ userID: 'bob', videoViewDomID: 'tile' });
    await t.world.advance(S);
    await t.bob.calling.accept();
    await t.world.advance(S);
    expect(carol.take()).toEqual([ev.accepted('bob'), ...ev.arrives('bob'), ev.error(65535, failure)]);
    expect(carol.calling.getCallStatus()).toBe('connected');
  });

  it('no call: startRemoteView() and startLocalView() resolve and show nothing, as trtc-calling-js\'s; logged out: InvalidStateError', async () => {
    await expect(t.alice.calling.startRemoteView({ userID: 'bob', videoViewDomID: 'remote-bob' })).resolves.toBeUndefined();
    await expect(t.alice.calling.startLocalView({ userID: 'alice', videoViewDomID: 'local' })).resolves.toBeUndefined();
    await t.alice.calling.call({ userID: 'bob', type: 2 });
    await t.world.advance(S);
    await t.bob.calling.accept();
    await t.world.advance(S);
    expect(views('alice')).toEqual([]);
    const out = t.alice.calling.logout();
    await t.world.advance(S);
    await out;
    await expect(t.alice.calling.startRemoteView({ userID: 'bob', videoViewDomID: 'remote-bob' })).rejects.toThrow(InvalidStateError);
    await expect(t.alice.calling.startLocalView({ userID: 'alice', videoViewDomID: 'local' })).rejects.toThrow(/startLocalView: not logged in/);
  });
});

// The leftovers of 2026-12-07: the view that waited played once; Bob back in the same group call came back to no video.
describe('a view asked for before its user is in the group call, the user leaving and coming back', () => {
  const t = memoryUsers('alice', 'bob', 'carol');
  const views = (userID: string) => t.world.net.rooms.views(userID);
  const bobsTile = [{ kind: 'remote', userID: 'bob', domID: 'tile-bob' }];

  /** Alice group-calls Bob and Carol with Bob's tile laid out as she dials; both accept; Bob hangs up (Carol stays). */
  async function bobLeft() {
    await t.alice.calling.groupCall({ userIDList: ['bob', 'carol'], type: 2 });
    await t.alice.calling.startRemoteView({ userID: 'bob', videoViewDomID: 'tile-bob' });
    await t.world.advance(S);
    await t.bob.calling.accept();
    await t.carol.calling.accept();
    await t.world.advance(S);
    expect(views('alice')).toEqual(bobsTile);
    await t.bob.calling.hangup();
    await t.world.advance(S);
    expect(views('alice')).toEqual([]);
    t.alice.take();
  }

  /** Alice invites Bob again, he accepts: what Alice's room shows as she hears his USER_ENTER. */
  async function bobBack(): Promise<unknown[]> {
    const seen: unknown[] = [];
    t.alice.calling.on(TRTCCalling.EVENT.USER_ENTER, () => seen.push(views('alice')));
    await t.alice.calling.inviteUser({ userIDList: ['bob'] });
    await t.world.advance(S);
    await t.bob.calling.accept();
    await t.world.advance(S);
    expect(t.alice.take()).toEqual([ev.accepted('bob'), ev.enter('bob'), ev.roster(['carol', 'bob']), ev.audio('bob', true), ev.video('bob', true)]);
    return seen;
  }

  it('Bob leaves and is invited back -> his video is in his tile again as Alice hears USER_ENTER', async () => {
    await bobLeft();
    expect(await bobBack()).toEqual([bobsTile]);
  });

  it('Bob\'s tile not on the page as he first enters -> skipped, nothing told; on the page as he comes back -> his video is there', async () => {
    const { room } = t.world.net.backend(); // a client of dave's whose page has no 'tile-bob' until `mounted`
    let mounted = false;
    const start = room.startRemoteView.bind(room);
    room.startRemoteView = async (userID, id) => (mounted ? start(userID, id) : Promise.reject(new RoomPortError(-1202, `no element with id "${id}"`, 'invalidParameter')));
    const dave = t.world.client('dave', { ...t.world.net.backend(), room });
    await dave.calling.login({ userID: 'dave', userSig: 'sig-dave' });
    await dave.calling.groupCall({ userIDList: ['bob', 'carol'], type: 2 });
    await dave.calling.startRemoteView({ userID: 'bob', videoViewDomID: 'tile-bob' });
    await t.world.advance(S);
    await t.bob.calling.accept();
    await t.carol.calling.accept();
    await t.world.advance(S);
    expect(views('dave')).toEqual([]);
    await t.bob.calling.hangup();
    await t.world.advance(S);
    mounted = true;
    await dave.calling.inviteUser({ userIDList: ['bob'] });
    await t.world.advance(S);
    await t.bob.calling.accept();
    await t.world.advance(S);
    expect(views('dave')).toEqual(bobsTile);
    const joins = (userID: string, roster: string[]) => [ev.accepted(userID), ev.enter(userID), ev.roster(roster), ev.audio(userID, true), ev.video(userID, true)];
    expect(dave.take()).toEqual([ev.ready(), ...joins('bob', ['bob']), ...joins('carol', ['bob', 'carol']), ev.leave('bob'), ev.roster(['carol']), ...joins('bob', ['carol', 'bob'])]);
  });

  it('stopRemoteView(bob) while he is away -> he comes back to no tile', async () => {
    await bobLeft();
    await t.alice.calling.stopRemoteView({ userID: 'bob', videoViewDomID: 'tile-bob' });
    expect(await bobBack()).toEqual([[]]);
  });
});
