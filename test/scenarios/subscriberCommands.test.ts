/**
 * The review of 77b8960 (2026-12-04; fixed since: the line settles a command for a call that ended in that step, and commands go at once again): "a command a listener sends goes once the machines' step is over" covers only
 * listeners of on() (#emitting is counted around #onNotice's emit). A subscribe() listener runs inside
 * the same step (the store is refreshed from the inspection observer on every actor snapshot), and so
 * does an ERROR listener when a subscriber threw (reportError emits directly). The commit's own defect
 * (a command reaching a call actor that has just finished, dropped, its promise pending for ever) stays
 * for them: an app whose subscriber cleans up with hangup() (harmless twice, the README says) or
 * closes its incoming-call dialog with reject() once the status goes idle.
 */
import { describe, expect, it } from 'vitest';
import { TRTCCalling } from '../../src/index';
import { memoryUsers } from '../support/world';

const S = 1000;
const outcome = (p: Promise<unknown>) =>
  Promise.race([p.then(() => 'settled', () => 'settled'), new Promise((r) => setTimeout(() => r('pending'), 200))]);

describe('commands sent from a subscribe() listener as a call times out', () => {
  const t = memoryUsers('alice', 'bob');

  for (const cmd of ['reject', 'hangup'] as const)
    it(`${cmd}() from the callee's subscriber when the status goes idle settles`, async () => {
      await t.alice.calling.call({ userID: 'bob', type: 1, timeout: 2 });
      await t.world.advance(S);
      expect(t.bob.calling.getCallStatus()).toBe('calling');
      const sent: Promise<unknown>[] = [];
      let was = t.bob.calling.getCallStatus();
      const off = t.bob.calling.subscribe(() => {
        const now = t.bob.calling.getCallStatus();
        if (was !== 'idle' && now === 'idle') sent.push(t.bob.calling[cmd]());
        was = now;
      });
      await t.world.advance(10 * S);
      off();
      expect(sent.length).toBeGreaterThan(0);
      expect(await Promise.all(sent.map(outcome))).toEqual(sent.map(() => 'settled')); // it failed: pending
    });

  it('hangup() from an ERROR listener, the ERROR of a subscriber that threw as the call timed out, settles', async () => {
    await t.alice.calling.call({ userID: 'bob', type: 1, timeout: 2 });
    await t.world.advance(S);
    const sent: Promise<unknown>[] = [];
    let armed = false;
    t.bob.calling.on(TRTCCalling.EVENT.ERROR, () => { if (armed) { armed = false; sent.push(t.bob.calling.hangup()); } });
    const off = t.bob.calling.subscribe(() => {
      if (t.bob.calling.getCallStatus() === 'idle' && !sent.length && !armed) { armed = true; throw new Error('app bug'); }
    });
    await t.world.advance(10 * S);
    off();
    expect(sent.length).toBe(1);
    expect(await outcome(sent[0] as Promise<unknown>)).toBe('settled');
  });
});
