/**
 * The budget of automatic replies covers the call's own too (the review of my own fixes,
 * 2026-12-04): the call answers its own peer's invitations busy and a late accept with a hangup.
 * Any user becomes Bob's peer by ringing him once, then could flood him with invitations, each
 * answered busy with no budget (over the real server, one for one with her own rate).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EmbeddedBackend } from '../../adapters/ws/embeddedBackend';
import type { InMemoryImPort } from '../../adapters/memory/InMemoryImHub';
import { makeEmbeddedWorld, type EmbeddedWorld } from '../support/embeddedWorld';
import { memoryUsers, type Party } from '../support/world';
import { rawInvite } from './support';

const S = 1000;
const invite = (from: string, n: number, roomID: number) => rawInvite(from, `${from}-inv-${n}`, roomID);

describe('memory: the ringing peer floods Bob with invitations', () => {
  const t = memoryUsers('bob');
  it('Mallory rings Bob, then sends 30 more invitations: Bob answers at most the budget (5, +1/s)', async () => {
    const mallory = t.world.net.im.connect() as InMemoryImPort;
    await mallory.login('mallory', 'sig-mallory');
    const got: string[] = [];
    mallory.onMessage((m) => got.push(m.payload));
    await mallory.sendToUser('bob', invite('mallory', 0, 500), { onlineUserOnly: false });
    await t.world.advance(S);
    expect(t.bob.take().map((e) => e.name)).toEqual(['onInvited']);
    for (let n = 1; n <= 30; n++) await mallory.sendToUser('bob', invite('mallory', n, 500 + n), { onlineUserOnly: false });
    await t.world.advance(100);
    const busy = got.filter((p) => JSON.parse(p).actionType === 4).length;
    expect(busy).toBeLessThanOrEqual(6);
  });
});

// Found by an adversarial review (2026-12-05): an invitation naming its inviter as the invitee made Bob's ringing call
// take Mallory for the invitee of a dial of its own, so each later invitation of hers was a glare "we won" and
// declined with no budget (the glare guards read `invitees[0]` whatever the role; declineGlare was not budgeted).
describe('memory: the ringing peer names herself the invitee, then floods Bob (the glare path)', () => {
  const t = memoryUsers('bob');
  it('Mallory rings Bob with inviteeList [mallory], then sends 30 more invitations sorting after hers: Bob answers at most the budget', async () => {
    const mallory = t.world.net.im.connect() as InMemoryImPort;
    await mallory.login('mallory', 'sig-mallory');
    const got: string[] = [];
    mallory.onMessage((m) => got.push(m.payload));
    const naming = (n: number) => rawInvite('mallory', `m-${String(n).padStart(4, '0')}`, 500).replace('"inviteeList":["bob"]', '"inviteeList":["mallory"]');
    await mallory.sendToUser('bob', naming(0), { onlineUserOnly: false });
    await t.world.advance(S);
    expect(t.bob.take().map((e) => e.name)).toEqual(['onInvited']);
    for (let n = 1; n <= 30; n++) await mallory.sendToUser('bob', naming(n), { onlineUserOnly: false });
    await t.world.advance(100);
    const replies = got.filter((p) => JSON.parse(p).actionType === 4).length;
    expect(replies).toBeLessThanOrEqual(6);
  });
});

describe('embedded server: the same flood, unbudgeted', () => {
  let world: EmbeddedWorld;
  let bob: Party;
  let mallory: EmbeddedBackend;
  const got: string[] = [];
  beforeEach(async () => {
    got.length = 0;
    world = makeEmbeddedWorld();
    bob = await world.user('bob');
    mallory = world.backend();
    await mallory.connection.login('mallory', world.userSig('mallory'));
    mallory.im.onMessage((m) => got.push(m.payload));
  });
  afterEach(() => world.dispose());

  it('Mallory rings Bob, then 199 more invitations within her own rate: Bob\'s busy replies stay within the budget (5 + 1/s: about 11 in 6 s)', async () => {
    const send = (n: number) =>
      mallory.connection
        .request({ type: 'sendC2C', to: 'bob', payload: invite("mallory", n, 5000), onlineUserOnly: false, call: { inviteID: `mallory-inv-${n}`, roomID: 5000, invitees: ['bob'], timeout: 30 } })
        .catch((e: unknown) => e);
    await send(0);
    await world.advance(S);
    expect(bob.take().map((e) => e.name)).toEqual(['onInvited']);
    const sends: Promise<unknown>[] = [];
    for (let n = 1; n < 200; n++) sends.push(send(n));
    await Promise.all(sends);
    await world.advance(S);
    // Then within her own rate (50 a second) for five more seconds.
    for (let w = 0; w < 5; w++) {
      const wave: Promise<unknown>[] = [];
      for (let n = 0; n < 45; n++) wave.push(send(1000 + 100 * w + n));
      await Promise.all(wave);
      await world.advance(S);
    }
    const busy = got.filter((p) => JSON.parse(p).actionType === 4).length;
    expect({ busy, bobEvents: bob.take().map((e) => e.name) }).toEqual({ busy: expect.any(Number), bobEvents: [] });
    expect(busy).toBeLessThanOrEqual(11);
  });
});
