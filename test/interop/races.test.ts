/**
 * Races between ours and Tencent's official client (found 2026-12-03 by a review sweeping the
 * timings 1 ms at a time; each case alongside two of Tencent's clients, what its users know):
 * - A caller that hangs up a group call just as a member's ACCEPT lands (that member in the room with
 *   another, its media not at the caller yet): the member and the others go on talking. Ours told the
 *   member the call had ended (a hangup notice to "who answered but never came"): Tencent's member
 *   showed CALL_END while it stayed in the call; ours left it.
 * - The same in a 1v1 call: Tencent's callee gets one CALL_END (it got two: the notice, then the room).
 * - A 1v1 caller's CANCEL crossing Tencent's callee's ACCEPT: one CALL_END (ours answered the late ACCEPT
 *   with a hangup notice besides, and Tencent's client ended the call for each; its own caller sends none).
 * - `call()` in `hangup()`'s continuation goes out (ours refused it while leaving the room).
 */
import { describe, expect, it } from 'vitest';
import type { Kind, Party } from './support/interopWorld';
import { useInterop } from './support/suite';

const S = 1000;
const t = useInterop();

/** Lets the clock run 1 ms at a time until `from`'s ACCEPT has landed (the IM's latency is 20 ms). */
async function untilAcceptLanded(from: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    const sent = t.world.im.log.find((m) => m.from === from && (JSON.parse(m.payload.data) as { actionType: number }).actionType === 3);
    if (sent && t.world.clock.now() >= sent.at + 20) return;
    await t.world.advance(1);
  }
  throw new Error(`${from} sent no ACCEPT`);
}

const callEnds = (p: Party) => p.take().filter((e) => e.name === 'onCallEnd');

describe("a group call's caller hangs up as Bob's ACCEPT lands, Carol (Tencent's) in the call", () => {
  describe.each([
    { caller: 'ours', bob: 'official' },
    { caller: 'official', bob: 'official' },
    { caller: 'ours', bob: 'ours' },
  ] as { caller: Kind; bob: Kind }[])('caller $caller, Bob $bob', ({ caller, bob: bobKind }) => {
    it.each(['IM group', 'C2C'] as const)('through %s: Bob and Carol go on talking, Bob hears no CALL_END, nothing ends it 40 s later', async (via) => {
      t.world.im.createGroup('team', ['alice', 'bob', 'carol']);
      const alice = await t.world.party(caller, 'alice');
      const bob = await t.world.party(bobKind, 'bob');
      const carol = await t.world.party('official', 'carol');
      await t.world.act(alice.groupCall(['bob', 'carol'], 2, via === 'IM group' ? 'team' : undefined));
      await t.world.act(carol.accept());
      await t.world.advance(2 * S);
      bob.take();
      const accepting = bob.accept();
      await untilAcceptLanded('bob');
      await t.world.act(Promise.all([accepting, alice.hangup()]), 3 * S);
      expect([bob.getCallStatus(), carol.getCallStatus()]).toEqual(['connected', 'connected']);
      expect(callEnds(bob)).toEqual([]);
      await t.world.advance(40 * S);
      expect([bob.getCallStatus(), carol.getCallStatus()]).toEqual(['connected', 'connected']);
      expect(callEnds(bob)).toEqual([]);
    });
  });
});

describe("1v1: the caller hangs up as Tencent's Bob's ACCEPT lands", () => {
  it.each(['ours', 'official'] as Kind[])('caller %s: Bob gets one CALL_END, his last event', async (caller) => {
    const alice = await t.world.party(caller, 'alice');
    const bob = await t.world.party('official', 'bob');
    await t.world.act(alice.call('bob', 2));
    bob.take();
    const accepting = bob.accept();
    await untilAcceptLanded('bob');
    await t.world.act(Promise.all([accepting, alice.hangup()]), 3 * S);
    await t.world.advance(40 * S);
    const saw = bob.take().map((e) => e.name);
    expect(saw.filter((name) => name === 'onCallEnd')).toHaveLength(1);
    expect(saw.at(-1)).toBe('onCallEnd');
  });
});

/** Lets the clock run 1 ms at a time until `from` has sent its ACCEPT (it has not landed yet). */
async function untilAcceptSent(from: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (t.world.im.log.some((m) => m.from === from && (JSON.parse(m.payload.data) as { actionType: number }).actionType === 3)) return;
    await t.world.advance(1);
  }
  throw new Error(`${from} sent no ACCEPT`);
}

describe("1v1: the caller's CANCEL crosses Tencent's Bob's ACCEPT", () => {
  it.each(['ours', 'official'] as Kind[])('caller %s: Bob gets one CALL_END, his last event; nothing answers his ACCEPT but the CANCEL', async (caller) => {
    const alice = await t.world.party(caller, 'alice');
    const bob = await t.world.party('official', 'bob');
    await t.world.act(alice.call('bob', 2));
    bob.take();
    const accepting = bob.accept();
    await untilAcceptSent('bob');
    await t.world.act(Promise.all([accepting, alice.hangup()]), 3 * S);
    await t.world.advance(40 * S);
    const saw = bob.take().map((e) => e.name);
    // Ours cancels within the ACCEPT's flight; Tencent's caller may take the ACCEPT first (then hangs up).
    if (caller === 'ours') expect(saw).toContain('onCallingCancel');
    expect(saw.filter((name) => name === 'onCallEnd')).toHaveLength(1);
    expect(saw.at(-1)).toBe('onCallEnd');
    expect(callEnds(alice)).toHaveLength(1);
    expect([alice.getCallStatus(), bob.getCallStatus()]).toEqual(['idle', 'idle']);
    const fromAlice = t.world.im.log.filter((m) => m.from === 'alice').map((m) => (JSON.parse(m.payload.data) as { actionType: number }).actionType);
    if (caller === 'ours') expect(fromAlice).toEqual([1, 2]); // the invite and its cancel: no hangup notice
  });
});

describe("a second call right after hangup() resolved (a cancel while Tencent's Bob rings)", () => {
  it.each(['ours', 'official'] as Kind[])("caller %s: call() in hangup()'s continuation goes out, the status said idle", async (caller) => {
    const alice = await t.world.party(caller, 'alice');
    await t.world.party('official', 'bob');
    const carol = await t.world.party('official', 'carol');
    await t.world.act(alice.call('bob', 2));
    let statusThen = '';
    const second = alice.hangup().then(() => {
      statusThen = alice.getCallStatus();
      return alice.call('carol', 2);
    });
    expect(await t.world.act(second.then(() => 'ok', (e: unknown) => `refused: ${String(e)}`), 2 * S)).toBe('ok');
    expect(statusThen).toBe('idle');
    expect(carol.take().map((e) => e.name)).toEqual(['onInvited']);
  });
});
