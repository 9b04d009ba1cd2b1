/**
 * destroy() tells the CALL_END of a call whose hangup() resolved (destroy.test.ts): its listeners run inside destroy(),
 * and a clean-up hangup() there resolves, as for any CALL_END (README: "hanging up twice ... is harmless"; a listener's
 * hangup() is "an app's clean-up after the call"). The review of e8c2808 found it rejected with InvalidStateError
 * "hangup: destroyed" (the commands were closed first): fired and forgotten, an unhandled rejection on every pagehide.
 */
import { describe, expect, it } from 'vitest';
import { memoryUsers } from '../support/world';

const S = 1000;

describe("a CALL_END listener's clean-up hangup()", () => {
  const t = memoryUsers('alice', 'bob');

  async function talking() {
    await t.alice.calling.call({ userID: 'bob', type: 1, timeout: 30 });
    await t.world.advance(S);
    await t.bob.calling.accept();
    await t.world.advance(S);
  }

  it('CALL_END of a call the peer ended -> the listener\'s hangup() resolves (reference)', async () => {
    await talking();
    const hangups: Promise<string>[] = [];
    t.alice.calling.on('onCallEnd', () => void hangups.push(t.alice.calling.hangup().then(() => 'resolved', (e: unknown) => (e as Error).message)));
    await t.bob.calling.hangup();
    await t.world.advance(2 * S);
    expect(await Promise.all(hangups)).toEqual(['resolved']);
  });

  it('await hangup(); destroy() -> the CALL_END listener\'s hangup() resolves as for any CALL_END (or the listener is not run)', async () => {
    await talking();
    const hangups: Promise<string>[] = [];
    t.alice.calling.on('onCallEnd', () => void hangups.push(t.alice.calling.hangup().then(() => 'resolved', (e: unknown) => (e as Error).message)));
    await t.alice.calling.hangup();
    const done = t.alice.calling.destroy();
    await t.world.advance(2 * S);
    await done;
    for (const outcome of await Promise.all(hangups)) expect(outcome).toBe('resolved');
  });
});
