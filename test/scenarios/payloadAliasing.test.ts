/**
 * an event's payload shares its arrays with the call
 * machine's context. NO_RESP's `userIDList` is the very array the call keeps as `noResponse` (the next
 * NO_RESP is built from it), and INVITED's `userIDList` is the callee's `invitees`. A listener that edits
 * the list it was handed (pops the user it is about, clears it after rendering) rewrites what later events
 * say, although getSnapshot() is deep-frozen so that a UI's writes "change nothing".
 */
import { describe, expect, it } from 'vitest';
import { memoryUsers } from '../support/world';

const S = 1000;

describe('a listener that edits its payload changes nothing inside', () => {
  const t = memoryUsers('alice', 'bob', 'carol');

  it('Alice groupCall(bob, carol), nobody answers; her NO_RESP listener empties userIDList -> the second NO_RESP still lists both', async () => {
    const lists: string[][] = [];
    t.alice.calling.on('onNoResp', ({ userIDList }) => {
      lists.push([...userIDList]);
      (userIDList as string[]).length = 0; // the app's own copy, as far as it knows: it is done with it
    });
    await t.alice.calling.groupCall({ userIDList: ['bob', 'carol'], type: 1, timeout: 5 });
    await t.world.advance(60 * S);
    // "userIDList = every invitee that has not answered so far" (README, Events)
    expect(lists).toEqual([['bob'], ['bob', 'carol']]); // it failed: [['bob'], ['carol']]
  });
});
