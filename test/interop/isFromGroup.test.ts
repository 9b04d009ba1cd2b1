/**
 * INVITED's `isFromGroup` (the leftovers of 2026-12-07: our Bob, group-called alone without an IM group, heard
 * `false`, and a user invited into the call later `true`). trtc-calling-js 1.0.6 decides it from the invitation as it
 * arrives, and the call with it (a group call or a 1v1 one): an IM group, or two or more invitees named (the
 * envelope's inviteeList, or `data.userIDs`). Its C2C groupCall() names the users of that groupCall() alone, so a
 * group call of one rings as a 1v1 call, and so does one user added by its groupCall() during the call; ours, adding
 * users (groupCall() during the call, inviteUser()), names everyone invited so far, so they ring into a group call.
 * Ours reads every invitation as trtc-calling-js does: whoever the callee is, it says what Tencent's says.
 */
import { describe, expect, it } from 'vitest';
import type { Ev, Kind, Party } from './support/interopWorld';
import { useInterop } from './support/suite';

const S = 1000;
const t = useInterop();
const KINDS: Kind[] = ['official', 'ours'];

const fromGroup = (p: Party) => p.take().filter((e: Ev) => e.name === 'onInvited').map((e) => (e.payload as { isFromGroup: boolean }).isFromGroup);

describe.each(KINDS)('Alice (%s) group-calls Bob alone without an IM group, then adds Carol with groupCall()', (caller) => {
  it.each(KINDS)('callees %s -> Bob: false (a group call of one rings as 1v1); Carol: true if ours named Bob and her, false from Tencent\'s naming her alone', async (callee) => {
    const alice = await t.world.party(caller, 'alice');
    const bob = await t.world.party(callee, 'bob');
    const carol = await t.world.party(callee, 'carol');
    await t.world.act(alice.groupCall(['bob'], 1));
    expect(fromGroup(bob)).toEqual([false]);
    await t.world.act(bob.accept());
    await t.world.act(alice.groupCall(['carol'], 1), 300);
    expect(fromGroup(carol)).toEqual([caller === 'ours']);
    await t.world.act(carol.reject());
    await t.world.act(alice.hangup(), S);
  });
});
