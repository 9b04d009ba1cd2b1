/**
 * Attack: "a session outlives its credentials". A session ends when its userSig expires
 * (KICKED_OUT with reason `userSigExpired`), and a session kicked by a newer login cannot come
 * back with its old userSig and kick the newer one.
 */
import { deflateSync, inflateSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TRTCCalling } from '../../src/index';
import { ev } from '../support/ev';
import { SDKAPPID, tencentUserSig, type EmbeddedWorld } from '../support/embeddedWorld';
import { party, type Party } from '../support/world';
import { defaultLimitsWorld, honestCall } from './support';

const S = 1000;

describe('credentials end sessions', () => {
  let world: EmbeddedWorld;
  let bob: Party;

  beforeEach(async () => {
    world = defaultLimitsWorld();
    bob = await world.user('bob');
  });
  afterEach(() => world.dispose());

  it("Alice's userSig runs out mid-call -> KICKED_OUT (userSigExpired) and CALL_END kickedOut; Bob sees her leave; she stays out", async () => {
    const alice = world.client('alice');
    await alice.calling.login({ userID: 'alice', userSig: tencentUserSig('alice', 60) });
    await world.settle();
    expect(alice.take()).toEqual([ev.ready()]);
    await alice.calling.call({ userID: 'bob', type: 2, timeout: 30 });
    await world.advance(S);
    await bob.calling.accept();
    await world.advance(S);
    expect(alice.take()).toEqual([ev.accepted('bob'), ...ev.arrives('bob')]);
    expect(bob.take()).toEqual([ev.invited('alice', ['bob']), ...ev.arrives('alice')]);
    await world.advance(62 * S);
    expect(alice.take()).toEqual([ev.kicked('userSigExpired'), ev.end('alice', 'kickedOut')]);
    expect(bob.take()).toEqual([ev.leave('alice'), ev.end('alice', 'hangup')]);
    await world.advance(60 * S);
    expect([alice.take(), bob.take()]).toEqual([[], []]);
    expect((await world.server()).metrics()).toMatchObject({ loggedInUsers: 1 });
    await expect(alice.calling.call({ userID: 'bob', type: 2 })).rejects.toThrow(/not logged in/);
  });

  it("a fresh userSig given to the backend before the old one runs out extends the session: no kick, the call goes on", async () => {
    const backend = world.backend();
    const alice = party('alice', new TRTCCalling({ SDKAppID: SDKAPPID, backend }));
    await alice.calling.login({ userID: 'alice', userSig: tencentUserSig('alice', 60) });
    await world.settle();
    expect(alice.take()).toEqual([ev.ready()]);
    await alice.calling.call({ userID: 'bob', type: 2, timeout: 30 });
    await world.advance(S);
    await bob.calling.accept();
    await world.advance(50 * S);
    await backend.im.login('alice', tencentUserSig('alice', 3600)); // TRTCCalling.login() refuses while logged in
    await world.advance(60 * S);
    expect(alice.take()).toEqual([ev.accepted('bob'), ...ev.arrives('bob')]);
    await alice.calling.hangup();
    await world.advance(S);
    expect(alice.take()).toEqual([ev.end('alice', 'hangup')]);
    expect(bob.take()).toEqual([ev.invited('alice', ['bob']), ...ev.arrives('alice'), ev.leave('alice'), ev.end('alice', 'hangup')]);
  });

  it("Carol's first tab, kicked by her newer login, cannot log in again with its userSig and kick the newer one back", async () => {
    const oldTab = world.client('carol');
    const oldSig = tencentUserSig('carol', 86_400);
    await oldTab.calling.login({ userID: 'carol', userSig: oldSig });
    await world.settle();
    const newTab = world.client('carol');
    await newTab.calling.login({ userID: 'carol', userSig: tencentUserSig('carol', 86_399) });
    await world.advance(S);
    expect(oldTab.take()).toEqual([ev.ready(), ev.kicked('multipleAccount')]);
    expect(newTab.take()).toEqual([ev.ready()]);
    // The old tab logs in again with what it has, as an app that reconnects on its own would.
    // 2024 is also "not logged in": the server's code says that the userSig is spent, not that a login is missing.
    await expect(oldTab.calling.login({ userID: 'carol', userSig: oldSig })).rejects.toMatchObject({
      code: 2024,
      reason: 'backend',
      cause: expect.objectContaining({ name: 'ImPortError', code: 2024, serverCode: 'sessionSuperseded' }),
    });
    await world.advance(S);
    expect([oldTab.take(), newTab.take()]).toEqual([[], []]);
    await honestCall(world, bob, newTab);
  });

  it("Carol's kicked tab re-encodes its old userSig (deflated again, JSON spaced, padding dropped): still refused, the newer login stays", async () => {
    const oldTab = world.client('carol');
    const oldSig = tencentUserSig('carol', 86_400);
    await oldTab.calling.login({ userID: 'carol', userSig: oldSig });
    await world.settle();
    const newTab = world.client('carol');
    await newTab.calling.login({ userID: 'carol', userSig: tencentUserSig('carol', 86_399) });
    await world.advance(S);
    expect(oldTab.take()).toEqual([ev.ready(), ev.kicked('multipleAccount')]);
    expect(newTab.take()).toEqual([ev.ready()]);
    const doc = JSON.parse(inflateSync(Buffer.from(oldSig.replace(/_/g, '=').replace(/-/g, '/').replace(/\*/g, '+'), 'base64')).toString()) as Record<string, unknown>;
    const reencoded = deflateSync(Buffer.from(JSON.stringify(doc, null, 1)), { level: 9 })
      .toString('base64').replace(/\+/g, '*').replace(/\//g, '-').replace(/=+$/, '');
    expect(reencoded).not.toBe(oldSig);
    await expect(oldTab.calling.login({ userID: 'carol', userSig: reencoded })).rejects.toMatchObject({ code: 2024 });
    await world.advance(S);
    expect([oldTab.take(), newTab.take()]).toEqual([[], []]);
    await honestCall(world, bob, newTab);
  });
});
