/**
 * Bob is kicked out (his second login) while an invitation rings; then the ringing screen's Decline or Accept is
 * tapped. trtc-calling-js 1.0.6 keeps the invitation past KICKED_OUT (its onKickedOut only emits) and answers it: TIM
 * refuses the send ('SDK is not ready', 6014), so `reject()` rejects; `accept()` enters the TRTC room, then fails (its
 * catch reads the answer it never got: a TypeError) and leaves. Nothing reaches Alice, whose call rings on: the app is
 * told its answer failed. From 574a3da ours resolved both with nothing ("nothing was ringing"), citing trtc-calling-js;
 * refused again now ('not logged in'). Kicked with nothing ringing, both resolve with nothing (no invitation to answer).
 * From inside the KICKED_OUT listener (the app's "signed in elsewhere" handler declining what rang), ours resolved
 * `reject()` with nothing while the kicked call still ended and refused `accept()`: both are refused now, as there.
 */
import { describe, expect, it } from 'vitest';
import type { Kind, Party } from './support/interopWorld';
import { useInterop } from './support/suite';

const S = 1000;
const t = useInterop();
const KINDS: Kind[] = ['official', 'ours'];

const api = (p: Party) => p.calling as unknown as { accept(): Promise<unknown>; reject(): Promise<unknown>; on(name: string, listener: () => void): void };

/** How an answer settled. */
const settled = (answer: Promise<unknown>) => answer.then((value) => (value === undefined ? 'resolved with nothing' : 'resolved'), () => 'rejected');

describe.each(KINDS)('Bob kicked out, against %s', (kind) => {
  it.each(['reject', 'accept'] as const)('Alice call(); Bob rings; Bob logs in elsewhere -> KICKED_OUT; the first Bob %s() -> rejects (the answer is not sent)', async (answer) => {
    const alice = await t.world.party('official', 'alice');
    const bob = await t.world.party(kind, 'bob');
    await t.world.act(alice.call('bob', 2));
    await t.world.advance(S);
    const elsewhere = await t.world.party(kind, 'bob', { login: false });
    await t.world.act(elsewhere.login(), 100);
    await t.world.advance(S);
    expect(await t.world.act(settled(api(bob)[answer]()))).toBe('rejected');
    t.world.unhandled.splice(0);
  });

  it('Alice call(); Bob rings; Bob logs in elsewhere -> KICKED_OUT, whose listener reject()s, then accept()s -> both reject', async () => {
    const alice = await t.world.party('official', 'alice');
    const bob = await t.world.party(kind, 'bob');
    await t.world.act(alice.call('bob', 2));
    await t.world.advance(S);
    const answers: Promise<string>[] = [];
    api(bob).on('onKickedOut', () => answers.push(settled(api(bob).reject()), settled(api(bob).accept())));
    const elsewhere = await t.world.party(kind, 'bob', { login: false });
    await t.world.act(elsewhere.login(), 100);
    await t.world.advance(S);
    expect(await t.world.act(Promise.all(answers))).toEqual(['rejected', 'rejected']);
    t.world.unhandled.splice(0);
  });

  it.each(['reject', 'accept'] as const)('nothing rings; Bob logs in elsewhere -> KICKED_OUT; the first Bob %s() -> resolves with nothing', async (answer) => {
    const bob = await t.world.party(kind, 'bob');
    const elsewhere = await t.world.party(kind, 'bob', { login: false });
    await t.world.act(elsewhere.login(), 100);
    await t.world.advance(S);
    expect(await t.world.act(settled(api(bob)[answer]()))).toBe('resolved with nothing');
  });
});
