/**
 * The line's tombstones (the inviteIDs that must never ring again) against a flood (the review of
 * 2026-12-04): a cancel that overtakes its invitation leaves one, so the late copy does not ring
 * for a call that is over. Any user could push 256 junk cancels into the list and evict it: the
 * late copy rang. A signal of another user now leaves `<sender> <inviteID>`, settling only that
 * sender's invitation, and one sender holds at most 16 of the list.
 */
import { describe, expect, it } from 'vitest';
import type { InMemoryImPort } from '../../adapters/memory/InMemoryImHub';
import { memoryUsers } from '../support/world';

const S = 1000;
const data = JSON.stringify({ businessID: 'av_call', version: 4, call_type: 1, room_id: 5, data: { cmd: 'audioCall', room_id: 5, message: '' } });
const cancel = (inviteID: string, inviter: string) =>
  JSON.stringify({ businessID: 1, inviteID, inviter, actionType: 2, inviteeList: ['bob'], data, timeout: 0, groupID: '' });

describe('tombstones against a flood of junk cancels', () => {
  const t = memoryUsers('alice', 'bob');

  it("Alice's cancel overtakes her invitation, then Mallory sends Bob 256 junk cancels: the late invitation still does not ring", async () => {
    const mallory = t.world.net.im.connect() as InMemoryImPort;
    await mallory.login('mallory', 'sig-mallory');
    t.world.net.im.addRule({ match: (m) => m.from === 'alice' && /"actionType":1/.test(m.payload), action: { delay: 5 * S } });
    await t.alice.calling.call({ userID: 'bob', type: 1 });
    await t.world.advance(S);
    await t.alice.calling.hangup(); // the cancel overtakes the invite
    await t.world.advance(S);
    for (let i = 0; i < 256; i++) await mallory.sendToUser('bob', cancel(`junk-${i}`, 'mallory'), { onlineUserOnly: false });
    await t.world.advance(5 * S);
    expect(t.bob.take().map((e) => e.name)).toEqual([]);
    expect(t.bob.calling.getSnapshot().call).toBe(null);
  });
});
