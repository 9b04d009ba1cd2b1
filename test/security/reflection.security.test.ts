/**
 * Reflection (the review of 2026-12-04), over the real embedded server and its default per-user
 * limits (50 frames a second, a burst of 200; 10 refused frames close the connection): Bob's client
 * answers a switch request for no call of his with a refusal, and an invitation while he is busy
 * with a busy answer. Three Mallories, each within her own budget, flooded him with them: Bob's
 * client answered them all, spent his own budget, and the server closed him mid-call
 * (`KICKED_OUT`, `CALL_END`). His automatic replies now have a budget of their own (5, one more a
 * second); the others are dropped.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EmbeddedBackend } from '../../adapters/ws/embeddedBackend';
import { makeEmbeddedWorld, type EmbeddedWorld } from '../support/embeddedWorld';
import type { Party } from '../support/world';
import { rawInvite } from './support';

const S = 1000;

const switchRequest = (from: string, n: number) =>
  rawInvite(from, `${from}-sw-${n}`, 4242, { cmd: 'switchToAudio', switch_to_audio_call: 'switch_to_audio_call' });
/** Each a new call, with a room of its own (the server grants one per invitation). */
const inviteRoom = (from: string, n: number) => 5000 + 1000 * (Number(from.slice(-1)) - 1) + n;
const invite = (from: string, n: number) => rawInvite(from, `${from}-inv-${n}`, inviteRoom(from, n));

describe('automatic replies cannot be turned against their sender', () => {
  let world: EmbeddedWorld;
  let alice: Party;
  let bob: Party;
  const mallories: EmbeddedBackend[] = [];
  const got = new Map<EmbeddedBackend, string[]>();

  beforeEach(async () => {
    world = makeEmbeddedWorld();
    alice = await world.user('alice');
    bob = await world.user('bob');
    for (const id of ['mallory1', 'mallory2', 'mallory3']) {
      const m = world.backend();
      await m.connection.login(id, world.userSig(id));
      const seen: string[] = [];
      m.im.onMessage((message) => seen.push(message.payload));
      got.set(m, seen);
      mallories.push(m);
    }
  });
  afterEach(() => {
    mallories.length = 0;
    return world.dispose();
  });

  it.each([
    ['switch requests', switchRequest],
    ['invitations (each a new call: answered busy)', invite],
  ])('Bob, in a call with Alice, keeps his connection and hears nothing while three users flood him with %s', async (_, payload) => {
    await alice.calling.call({ userID: 'bob', type: 2 });
    await world.advance(S);
    await bob.calling.accept();
    await world.advance(S);
    alice.take();
    bob.take();
    const sends: Promise<unknown>[] = [];
    mallories.forEach((m, i) => {
      for (let n = 0; n < 190; n++)
        sends.push(
          m.connection
            .request({ type: 'sendC2C', to: 'bob', payload: payload(`mallory${i + 1}`, n), onlineUserOnly: false, ...(payload === invite ? { call: { inviteID: `mallory${i + 1}-inv-${n}`, roomID: inviteRoom(`mallory${i + 1}`, n), invitees: ['bob'], timeout: 30 } } : {}) })
            .catch((e: unknown) => e),
        );
    });
    await Promise.all(sends);
    await world.advance(S);
    expect(bob.take().map((e) => e.name)).toEqual([]);
    // His replies: the budget's five, and one more a second at most (the flood and the step took ~1 s).
    const replies = mallories.reduce((n, m) => n + got.get(m)!.length, 0);
    expect(replies).toBeGreaterThanOrEqual(5);
    expect(replies).toBeLessThanOrEqual(8);
    // Bob can still end his call, and Alice hears it.
    await bob.calling.hangup();
    await world.advance(S);
    expect(alice.take().map((e) => e.name)).toContain('onCallEnd');
  });
});
