/**
 * The interop property test's cross-client checks, on a real world: what they flag, and what they
 * must not (a whole call between ours and Tencent's client).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { interopWorld, type InteropWorld } from '../interop/support/interopWorld';
import { checkAllOver, checkQuiescent, oursViolations } from './interopInvariants';
import { act, createInteropSystem, harvest, type InteropSystem } from './interopSystem';

let world: InteropWorld | undefined;
afterEach(async () => {
  await world?.dispose();
  world = undefined;
});

/** Our Alice calls Bob on trtc-calling-js; he accepts; both in the room, seeing each other. */
async function connected(): Promise<InteropSystem> {
  world = interopWorld();
  const s = await createInteropSystem(world, ['ours', 'official']);
  await act(s.seats[0]!, { op: 'call', to: 'bob', type: 2 });
  await world.advance(1_000);
  await act(s.seats[1]!, { op: 'accept' });
  await world.advance(120_000);
  harvest(s);
  return s;
}

type Seat = InteropSystem['seats'][number];

/**
 * Our Alice and Carol, Bob on trtc-calling-js: a 1v1 call between Bob and Carol (`dialler` dials, the other
 * accepts) that Bob hangs up himself, the start of every shape of seed 2042405571's run 748.
 */
async function bobHungUp(dialler: 'bob' | 'carol'): Promise<{ s: InteropSystem; world: InteropWorld; alice: Seat; bob: Seat; carol: Seat }> {
  const w = interopWorld();
  world = w;
  const s = await createInteropSystem(w, ['ours', 'official', 'ours']);
  const [alice, bob, carol] = s.seats as [Seat, Seat, Seat];
  const [from, to] = dialler === 'bob' ? [bob, carol] : [carol, bob];
  await act(from, { op: 'call', to: to.id, type: 1 });
  await w.advance(300);
  await act(to, { op: 'accept' });
  await w.advance(1_000);
  await act(bob, { op: 'hangup' });
  await w.advance(300);
  return { s, world: w, alice, bob, carol };
}

/** Every timer run out: the rooms are `rooms` (Bob alone in his), and the invariants hold (his quirk exempted). */
async function quiescent(w: InteropWorld, s: InteropSystem, rooms: string[][] = [['bob']]): Promise<void> {
  await w.advance(120_000);
  harvest(s);
  expect(w.rtc.rooms().map((r) => r.members)).toEqual(rooms);
  expect([checkQuiescent(s), oursViolations(s)]).toEqual([[], []]);
}

describe('interop invariants', () => {
  it('a call going on: agreement holds; but nobody hung up -> both still connected, the room occupied', async () => {
    const s = await connected();
    expect([checkQuiescent(s), oursViolations(s)]).toEqual([[], []]);
    const room = s.seats[0]!.user!.calling.getSnapshot().call!.roomID;
    expect(checkAllOver(s)).toEqual([
      'alice (ours) still connected after everyone hung up',
      'bob (official) still connected after everyone hung up',
      `TRTC room ${room} still has ["alice","bob"] after everyone hung up`,
    ]);
  });

  it('ours sees Bob in the room, Bob does not see ours -> flagged; both hang up -> all over', async () => {
    const s = await connected();
    s.seats[1]!.sees.delete('alice');
    const room = s.seats[0]!.user!.calling.getSnapshot().call!.roomID;
    expect(checkQuiescent(s)).toEqual([`alice (ours) sees bob (official) in room ${room}, but bob does not see alice`]);
    await act(s.seats[0]!, { op: 'hangup' });
    await world!.advance(60_000);
    harvest(s);
    expect([checkAllOver(s), oursViolations(s)]).toEqual([[], []]);
  });

  // Found by the interop property tier (seed 1174423502): TUICallEngine's own wait (test/interop/tuiQuirks.test.ts).
  it('Bob (TUI) group-calls ours and Carol (TUI); ours accepts and logs out, Carol accepts as Bob hangs up -> Carol alone in the room, exempted', async () => {
    world = interopWorld();
    const s = await createInteropSystem(world, ['ours', 'tui', 'tui']);
    const [alice, bob, carol] = s.seats as [InteropSystem['seats'][number], InteropSystem['seats'][number], InteropSystem['seats'][number]];
    await act(bob, { op: 'groupCall', to: ['alice', 'carol'], type: 1, viaGroup: false });
    await world.advance(1_000);
    await act(alice, { op: 'accept' });
    await world.advance(1_000);
    await act(alice, { op: 'logout' });
    await world.advance(300);
    await act(carol, { op: 'accept' });
    await act(bob, { op: 'hangup' });
    await world.advance(120_000);
    harvest(s);
    expect(world.rtc.rooms().map((r) => r.members)).toEqual([['carol']]);
    expect([checkQuiescent(s), oursViolations(s)]).toEqual([[], []]);
  });

  // Found by the interop property tier (seed 2042405571): trtc-calling-js's stale mid-call invitation (test/interop/officialQuirks.test.ts).
  it.each(['call', 'logout'] as const)('Carol (trtc-calling-js) calls our Dave, he accepts and hangs up as she groupCall()s Bob (trtc-calling-js); Bob accepts, then our Alice calls Carol, or Carol logs out -> Bob alone in the room, exempted (%s)', async (then) => {
    world = interopWorld();
    const s = await createInteropSystem(world, ['ours', 'official', 'official', 'ours']);
    const [alice, bob, carol, dave] = s.seats as [InteropSystem['seats'][number], InteropSystem['seats'][number], InteropSystem['seats'][number], InteropSystem['seats'][number]];
    await act(carol, { op: 'call', to: 'dave', type: 1 });
    await world.advance(1_000);
    await act(dave, { op: 'accept' });
    await world.advance(1_000);
    await act(dave, { op: 'hangup' });
    await act(carol, { op: 'groupCall', to: ['bob'], type: 1, viaGroup: false });
    await world.advance(1_000);
    await act(bob, { op: 'accept' });
    await act(then === 'call' ? alice : carol, then === 'call' ? { op: 'call', to: 'carol', type: 1 } : { op: 'logout' });
    await world.advance(120_000);
    harvest(s);
    expect(world.rtc.rooms().map((r) => r.members)).toEqual([['bob']]);
    expect([checkQuiescent(s), oursViolations(s)]).toEqual([[], []]);
  });

  // Found by the interop property tier (seed 2042405571, its run 748): trtc-calling-js's next call after one it hung up (test/interop/officialQuirks.test.ts).
  it('Bob (trtc-calling-js) calls our Carol, she accepts, he hangs up; our Alice group-calls him through the group, he accepts, she logs out -> Bob alone in the room, exempted', async () => {
    const { s, world: w, alice, bob } = await bobHungUp('bob');
    await act(alice, { op: 'groupCall', to: ['bob'], type: 1, viaGroup: true });
    await w.advance(1_000);
    await act(bob, { op: 'accept' });
    await w.advance(1_000);
    await act(alice, { op: 'logout' });
    await quiescent(w, s);
  });

  it('the same shrunk another way: our Carol calls Bob (trtc-calling-js), he accepts and hangs up, group-calls our Alice, she accepts and logs out -> Bob alone in the room, exempted', async () => {
    const { s, world: w, alice, bob } = await bobHungUp('carol');
    await act(bob, { op: 'groupCall', to: ['alice'], type: 1, viaGroup: false });
    await w.advance(1_000);
    await act(alice, { op: 'accept' });
    await w.advance(1_000);
    await act(alice, { op: 'logout' });
    await quiescent(w, s);
  });

  // Found by the interop property tier (seed 2042405571, its run 748 shrunk a third way, replayPath "////W:f"):
  // the same stuck call, its last word another's group invitation it answered busy timing out (test/interop/officialQuirks.test.ts).
  it.each(['onCallingTimeout', 'onUserAccept'] as const)('Bob (trtc-calling-js) calls our Carol, she accepts, he hangs up, group-calls our Alice, she rejects and group-calls Carol and him through the group; he answers busy, Carol lets it ring out or accepts (he hears %s) -> Bob alone in the room, exempted', async (heard) => {
    const { s, world: w, alice, bob, carol } = await bobHungUp('bob');
    await act(bob, { op: 'groupCall', to: ['alice'], type: 1, viaGroup: false });
    await w.advance(1_000);
    await act(alice, { op: 'reject', busy: false });
    await act(alice, { op: 'groupCall', to: ['carol', 'bob'], type: 1, viaGroup: true });
    if (heard === 'onUserAccept') {
      await w.advance(1_000);
      await act(carol, { op: 'accept' });
    }
    await quiescent(w, s, heard === 'onUserAccept' ? [['bob'], ['alice', 'carol']] : [['bob']]);
    expect(bob.log.map((e) => e.name).slice(-3)).toEqual(['onReject', 'onLineBusy', heard]);
  });

  it('call-engine-js 3.3.4 invited with another through an IM group by ours, who hangs up once the other accepted: it stops ringing (our timeout notice, not the CANCEL it ignores: no exemption needed); ringing for a group invitation nobody else answered: flagged', async () => {
    const w = interopWorld();
    world = w;
    const s = await createInteropSystem(w, ['ours', 'callEngine', 'callEngine', 'callEngine']);
    const [alice, bob, carol, dave] = s.seats as [Seat, Seat, Seat, Seat];
    await act(alice, { op: 'groupCall', to: ['bob', 'carol'], type: 1, viaGroup: true });
    await w.advance(1_000);
    await act(bob, { op: 'accept' });
    await w.advance(1_000);
    await act(alice, { op: 'hangup' });
    await w.advance(120_000);
    harvest(s);
    expect(carol.ringing).toBe(false);
    expect([checkQuiescent(s), oursViolations(s)]).toEqual([[], []]);
    expect(checkAllOver(s)).toEqual([]);
    // Dave's invitation, its caller (3.3.4) gone without a word and nobody else answering: not the quirk.
    dave.log.push({ name: 'onInvited', payload: { callerId: 'bob', chatGroupID: 'everyone', callId: 'x', roomID: 1 } });
    dave.ringing = true;
    dave.phase = 'calling';
    s.oursRooms.add(1);
    expect(checkAllOver(s)).toEqual(['dave (callEngine) still calling after everyone hung up']);
  });
});
