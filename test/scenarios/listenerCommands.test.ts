/**
 * Review of fbef0ed ("reject() with no invitation ringing does nothing and resolves with nothing";
 * hangup() with no call resolves): a command sent from a listener of the event that a call's own
 * timer ended it with never settles. The call actor's ring timer ends it (final state); its notice
 * is relayed to the line, which is idle and emits CALLING_TIMEOUT at once, inside the call actor's
 * step; the listener's reject() / hangup() reaches the line while it is still `busy`, is forwarded
 * to the call actor, which is done: the command is dropped, its promise pending for ever.
 */
import { describe, expect, it } from 'vitest';
import { memoryUsers } from '../support/world';

const S = 1000;
const outcome = (p: Promise<unknown>) =>
  Promise.race([p.then(() => 'settled', () => 'settled'), new Promise((r) => setTimeout(() => r('pending'), 200))]);

describe('commands sent from the listener of a timed-out invitation', () => {
  const t = memoryUsers('alice', 'bob');

  it('reject() in the callee\'s CALLING_TIMEOUT listener settles', async () => {
    let declined: Promise<unknown> | undefined;
    t.bob.calling.on('onCallingTimeout', () => {
      declined = t.bob.calling.reject(); // the app closes its incoming-call dialog the same way as Decline
    });
    await t.alice.calling.call({ userID: 'bob', type: 1, timeout: 2 });
    await t.world.advance(10 * S);
    expect(t.bob.take().map((e) => e.name)).toEqual(['onInvited', 'onCallingTimeout']);
    expect(await outcome(declined ?? Promise.reject(new Error('not called')))).toBe('settled'); // it failed: pending
  });

  it('hangup() in the callee\'s CALLING_TIMEOUT listener settles', async () => {
    let hung: Promise<unknown> | undefined;
    t.bob.calling.on('onCallingTimeout', () => {
      hung = t.bob.calling.hangup();
    });
    await t.alice.calling.call({ userID: 'bob', type: 1, timeout: 2 });
    await t.world.advance(10 * S);
    expect(await outcome(hung ?? Promise.reject(new Error('not called')))).toBe('settled'); // it failed: pending
  });
});
