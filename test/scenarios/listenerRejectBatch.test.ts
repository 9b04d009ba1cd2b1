/**
 * The review of 77b8960 (2026-12-04; fixed since: the line settles a command for a call that ended in that step, and commands go at once again): a command sent from a listener is now sent in a microtask, after whatever else the
 * backend hands the core in the same turn (Tencent's MESSAGE_RECEIVED carries an array of messages,
 * TimImPort delivers them in one loop; the embedded client reads several frames in one read, see
 * embedded.batched.test.ts). reject() reads the ringing invitation when called and sends no `expected`
 * (unlike accept()), so an app that declines every invitation from its INVITED listener (do not disturb)
 * declines the wrong one and is told another: messages [Alice invites, Alice cancels, Carol invites] in one
 * turn: the reject() of Alice's INVITED declines Carol and resolves with Alice's inviteID; the reject() of
 * Carol's INVITED resolves with nothing. Before the commit each reject() went right after its own step.
 */
import { describe, expect, it } from 'vitest';
import { type Backend, type ImMessage, TRTCCalling } from '../../src/index';
import { memoryWorld, party } from '../support/world';

const S = 1000;

describe('reject() from an INVITED listener when messages come in one turn', () => {
  it('each reject() declines the invitation its INVITED told of, and says so', async () => {
    const w = memoryWorld();
    const alice = await w.user('alice');
    const carol = await w.user('carol');
    const backend: Backend = w.net.backend();
    // Bob's IM hands the core what it holds in one turn (one MESSAGE_RECEIVED with several messages).
    let hold = false;
    const held: ImMessage[] = [];
    let deliver: (m: ImMessage) => void = () => undefined;
    const im = backend.im;
    const onMessage = im.onMessage.bind(im);
    im.onMessage = (listener) => {
      deliver = listener;
      return onMessage((m) => (hold ? held.push(m) : listener(m)));
    };
    const bob = party('bob', new TRTCCalling({ SDKAppID: 1400000001, backend }));
    await bob.calling.login({ userID: 'bob', userSig: 'sig-bob' });
    await w.net.settle();

    const declined: Array<{ invited: string; result: Promise<unknown> }> = [];
    bob.calling.on(TRTCCalling.EVENT.INVITED, ({ inviteID }) => {
      declined.push({ invited: inviteID, result: bob.calling.reject() });
    });
    hold = true;
    const fromAlice = await alice.calling.call({ userID: 'bob', type: 1 });
    await w.advance(S);
    await alice.calling.hangup();
    await w.advance(S);
    const fromCarol = await carol.calling.call({ userID: 'bob', type: 1 });
    await w.advance(S);
    hold = false;
    expect(held.length).toBe(3);
    for (const m of held.splice(0)) deliver(m);
    await w.advance(S);

    expect(declined.map((d) => d.invited)).toEqual([fromAlice.inviteID, fromCarol.inviteID]);
    const results = await Promise.all(declined.map((d) => d.result.then((r) => (r as { inviteID?: string } | undefined)?.inviteID)));
    // What each reject() says it declined is what its listener was told rang: it failed, [Alice's, undefined]
    // while Carol's invitation was the one declined.
    expect(results).toEqual([fromAlice.inviteID, fromCarol.inviteID]);
    void bob.calling.destroy();
    await w.dispose();
  });
});
