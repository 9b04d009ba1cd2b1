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
});
