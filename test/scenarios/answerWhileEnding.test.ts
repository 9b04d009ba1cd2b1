/**
 * The review of fbef0ed (2026-12-04; fixed since): accept() / reject() "with no invitation ringing (none came, the caller cancelled,
 * a second tap, a call already connected) do nothing and resolve with nothing, as trtc-calling-js's".
 * Once hangup() resolved (getCallStatus() 'idle', the call leaving its room: `call.state` 'ending')
 * they still reject with InvalidStateError "the call is ending" (callMachine's `ending` state kept
 * its settleRefused), where before the call (idle) and in it (connected) they resolve with nothing.
 */
import { describe, expect, it } from 'vitest';
import { memoryUsers } from '../support/world';

const S = 1000;

describe('accept() / reject() while the call leaves its room', () => {
  const t = memoryUsers('alice', 'bob');

  async function connected() {
    await t.alice.calling.call({ userID: 'bob', type: 1 });
    await t.world.advance(S);
    await t.bob.calling.accept();
    await t.world.advance(S);
  }

  it('reject() right after hangup() resolved (status idle, nothing rings) resolves with nothing', async () => {
    await connected();
    await t.bob.calling.hangup();
    expect([t.bob.calling.getCallStatus(), t.bob.calling.getSnapshot().call?.state]).toEqual(['idle', 'ending']);
    await expect(t.bob.calling.reject()).resolves.toBeUndefined(); // it failed: InvalidStateError "reject: the call is ending"
  });

  it('accept() right after hangup() resolved (a second tap) resolves with nothing', async () => {
    await connected();
    await t.bob.calling.hangup();
    await expect(t.bob.calling.accept()).resolves.toBeUndefined(); // it failed: InvalidStateError "accept: the call is ending"
  });
});
