/**
 * The API-parity audit's leftovers (2026-12-07): trtc-calling-js's `call()` and `groupCall()` take a per-call
 * `offlinePushInfo` (TSignaling's invite option, spec wire-protocol 3.1; TUICallEngine's `inviteUser()` too, 4.1).
 * The README said ours ignores it, but the types refused it: app code written for trtc-calling-js did not compile.
 * Now typed ({@link OfflinePushInfo}) and still ignored: every INVITE carries the backend's push texts.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_PUSH_DESCRIPTION } from '../../adapters/tencent';
import type { OfflinePushInfo } from '../../src/index';
import { ev } from '../support/ev';
import { type TencentParty, type TencentWorld, withAliceAndBob } from './tencentWorld';

const S = 1000;
const PER_CALL: OfflinePushInfo = { title: 'Per call', description: 'Alice calls (per call)', androidOPPOChannelID: 'per-call', extension: '{"per":1}' };

let world: TencentWorld;
let alice: TencentParty;
let bob: TencentParty;

withAliceAndBob((t) => {
  ({ world, alice, bob } = t);
});

/** The push texts of every INVITE TIM was given, in order (the extension's `userData`: the app's part). */
function invitePushes(): unknown[] {
  return world.im.log.flatMap((m) => {
    const push = (m.options as { offlinePushInfo?: { title: string; description: string; androidOPPOChannelID: string; extension: string } }).offlinePushInfo;
    return push ? [{ to: m.to, title: push.title, description: push.description, channel: push.androidOPPOChannelID, userData: JSON.parse(push.extension).userData }] : [];
  });
}

const backendPush = (to: string) => ({ to, title: '', description: DEFAULT_PUSH_DESCRIPTION, channel: '', userData: '' });

describe('a per-call offlinePushInfo, as trtc-calling-js takes it: typed, and ignored', () => {
  it('Alice call({ userID, type, offlinePushInfo }) -> Bob rings; the INVITE carries the backend\'s push texts', async () => {
    await alice.calling.call({ userID: 'bob', type: 1, offlinePushInfo: PER_CALL });
    await world.advance(S);
    expect(bob.take()).toEqual([ev.invited('alice', ['bob'], { callType: 1 })]);
    expect(invitePushes()).toEqual([backendPush('bob')]);
    await alice.calling.hangup();
  });

  it('Alice groupCall({ userIDList, type, offlinePushInfo }), then inviteUser({ userIDList, offlinePushInfo }) -> each INVITE the backend\'s', async () => {
    const carol = await world.user('carol');
    await alice.calling.groupCall({ userIDList: ['bob'], type: 1, offlinePushInfo: PER_CALL });
    await world.advance(S);
    await alice.calling.inviteUser({ userIDList: ['carol'], offlinePushInfo: PER_CALL });
    await world.advance(S);
    expect(bob.take()).toEqual([ev.invited('alice', ['bob'], { callType: 1 })]);
    expect(carol.take()).toEqual([ev.invited('alice', ['bob', 'carol'], { callType: 1, isFromGroup: true })]);
    expect(invitePushes()).toEqual([backendPush('bob'), backendPush('carol')]);
    await alice.calling.hangup();
  });
});
