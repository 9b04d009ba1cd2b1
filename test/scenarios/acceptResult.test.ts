/**
 * The review of fbef0ed (2026-12-04; fixed since): accept() resolves with the invitation it read from the view *before* it awaited
 * the devices; the command it then sends carries no inviteID, so it answers whatever rings by then.
 */
import { describe, expect, it } from 'vitest';
import { type Backend, TRTCCalling } from '../../src/index';
import { memoryWorld, party } from '../support/world';

const S = 1000;

describe('accept() resolves with the invitation it answered', () => {
  it('the invitation changed while the devices were being captured: the result names the one accepted', async () => {
    const w = memoryWorld();
    const alice = await w.user('alice');
    const carol = await w.user('carol');
    // Bob's first capture takes a while (a browser's permission prompt): it waits for `release`.
    const backend: Backend = w.net.backend();
    const room = backend.room as { prepare: (o: { video: boolean }) => Promise<void> };
    const prepare = room.prepare.bind(room);
    let release = () => undefined as void;
    const gate = new Promise<void>((r) => (release = r));
    let first = true;
    room.prepare = async (o) => {
      if (first) {
        first = false;
        await gate;
      }
      return prepare(o);
    };
    const bob = party('bob', new TRTCCalling({ SDKAppID: 1400000001, backend }));
    await bob.calling.login({ userID: 'bob', userSig: 'sig-bob' });
    await w.net.settle();

    await alice.calling.call({ userID: 'bob', type: 1 });
    await w.advance(S);
    const fromAlice = bob.calling.getSnapshot().call?.inviteID;
    const accepting = bob.calling.accept(); // tapped for Alice's call
    await alice.calling.hangup(); // Alice cancels while Bob's capture runs
    await w.advance(S);
    const fromCarol = await carol.calling.call({ userID: 'bob', type: 1 });
    await w.advance(S);
    expect(bob.calling.getSnapshot().call?.inviteID).toBe(fromCarol.inviteID);
    release();
    const result = await accepting;
    await w.advance(S);

    const now = bob.calling.getSnapshot().call;
    // What accept() answered and what it says it answered must agree.
    if (now?.state === 'inCall') expect(result?.inviteID).toBe(now.inviteID); // it failed: Alice's cancelled inviteID
    else expect(result).toBeUndefined();
    expect(result?.inviteID === fromAlice && now?.sponsor === 'carol').toBe(false);
    void bob.calling.destroy();
    await w.dispose();
  });
});
