/**
 * The backlog mark on a cluster (`server/backlogMarks.ts`): what was sent to a user while away waits in
 * its Redis stream, not in the store of the node it logs in to, so the mark waits for the login's take-in
 * from the stream (`HubCluster.loggedIn`) however it ends: the copies handed, or its commit failed (the
 * copies stay in the stream, and come after the mark: the client never holds its backlog for ever).
 * Past the window, the client holds an invitation unconfirmed across pages until what settles it comes.
 * In-process nodes on one Redis (a key prefix of their own).
 */
import { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { embeddedBackend } from '../../src/embedded';
import { TRTCCalling } from '../../src/index';
import { SDKAPPID } from '../support/embeddedWorld';
import { failingInserts } from '../support/failingStore';
import { party, type Party } from '../support/world';
import { type RawClient, tencentUserSig } from '../server/support';
import { inProcessNodes, sendC2C, settleMoves, until } from './support';

/**
 * Alice call()s Bob again, live, and this resolves once it rings on him with what his app heard: her call comes after
 * his backlog (its mark included), so once it rings his client has told (or dropped) all of the backlog. Reading his
 * events as soon as the server's count of stored copies settles proves nothing: the count drops when his receipt
 * comes, and his app may hear of what the receipt confirmed later than that (with the settled invitations told, the
 * events were there at that moment in some runs and not in others).
 */
async function heardUpToHerNextCall(alice: Party, bob: Party): Promise<string[]> {
  await alice.calling.call({ userID: 'bob', type: 1, timeout: 120 });
  const next = alice.calling.getSnapshot().call?.inviteID;
  const heard = () => bob.events.log.map((e) => (e.name === 'onInvited' && (e.payload as { inviteID?: string }).inviteID === next ? 'onInvited (her next call)' : e.name));
  return until('her next call rings', heard, (names) => names.includes('onInvited (her next call)'));
}

/** What `client` heard of its messages and backlog marks, in order. */
const heard = (client: RawClient) =>
  client.frames.flatMap((f) => (f.type === 'message' ? [`message ${String(f.payload)}`] : f.type === 'backlog' ? [`backlog ${String(f.more)}`] : []));

describe('cluster: the backlog mark', () => {
  const t = inProcessNodes();
  const parties: Party[] = [];
  afterEach(async () => void (await Promise.all(parties.splice(0).map((p) => p.calling.destroy()))));

  it('Bob offline; Alice on node b sends him two messages; Bob logs in on node a asking for the mark -> the mark comes after both', async () => {
    const [a, b] = [await t.node('a'), await t.node('b')];
    const alice = await t.login(b, 'alice');
    expect(await sendC2C(alice, 'bob', 'one')).toMatchObject({ type: 'ack' });
    expect(await sendC2C(alice, 'bob', 'two')).toMatchObject({ type: 'ack' });
    for (const n of [a, b]) await settleMoves(n);
    const bob = await t.open(a);
    expect(await bob.request({ type: 'login', userID: 'bob', userSig: tencentUserSig('bob'), backlog: true })).toMatchObject({ type: 'loggedIn', backlog: true });
    await until('the mark', () => heard(bob), (h) => h.some((x) => x.startsWith('backlog')));
    expect(heard(bob)).toEqual(['message one', 'message two', 'backlog false']);
  });

  it("Bob offline; Alice on node b sends him a message; node a's store fails as Bob logs in there -> the mark comes all the same, the message after it once the store heals", async () => {
    const [a, b] = [await t.node('a', { sharedDatabase: true }), await t.node('b')];
    const alice = await t.login(b, 'alice');
    expect(await sendC2C(alice, 'bob', 'one')).toMatchObject({ type: 'ack' });
    for (const n of [a, b]) await settleMoves(n);
    const heal = failingInserts(a.dbPath);
    const bob = await t.open(a);
    expect(await bob.request({ type: 'login', userID: 'bob', userSig: tencentUserSig('bob'), backlog: true })).toMatchObject({ type: 'loggedIn', backlog: true });
    await until('the mark', () => heard(bob), (h) => h.some((x) => x.startsWith('backlog')));
    expect(a.logs.some((l) => l.message === 'could not commit to the store')).toBe(true);
    expect(heard(bob)).toEqual(['backlog false']);
    heal();
    await until(
      'the message',
      async () => {
        await a.clock.advance(1000); // node a's next try
        return heard(bob);
      },
      (h) => h.length > 1,
    );
    expect(heard(bob)).toEqual(['backlog false', 'message one']);
  });

  it('Alice (node b) call()s Bob, offline, and hangup()s; Bob logs in on node a -> nothing rings, both confirmed untold; her next call rings', async () => {
    const [a, b] = [await t.node('a'), await t.node('b')];
    const client = (id: string, url: string) => {
      const p = party(id, new TRTCCalling({ SDKAppID: SDKAPPID, backend: embeddedBackend({ url, WebSocket }) }));
      parties.push(p);
      return p;
    };
    const alice = client('alice', b.handle.url);
    await alice.calling.login({ userID: 'alice', userSig: tencentUserSig('alice') });
    await alice.calling.call({ userID: 'bob', type: 1, timeout: 30 });
    await until('the invitation in his stream', () => t.redis.xlen(`${t.prefix}:i:bob`), (n) => n === 1);
    await alice.calling.hangup();
    for (const n of [a, b]) await settleMoves(n);
    const bob = client('bob', a.handle.url);
    await bob.calling.login({ userID: 'bob', userSig: tencentUserSig('bob') });
    // Both taken in from the stream, then confirmed by Bob's client: out of node a's store.
    await until('both taken in and confirmed', () => a.handle.metrics(), (m) => (m.cluster?.drained ?? 0) >= 2 && m.storedNow === 0);
    expect(await heardUpToHerNextCall(alice, bob)).toEqual(['sdkReady', 'onInvited (her next call)']);
  });

  it("node a's window is 4: Alice (node b) call()s Bob, offline, Carol (node b) call()s and hangup()s twice, Alice hangup()s; Bob logs in on node a -> her invitation on the first page, her cancel on the second: nothing rings, all confirmed; her next call rings", async () => {
    const [a, b] = [await t.node('a', { limits: { maxUnconfirmed: 4 } }), await t.node('b')];
    const client = (id: string, url: string) => {
      const p = party(id, new TRTCCalling({ SDKAppID: SDKAPPID, backend: embeddedBackend({ url, WebSocket }) }));
      parties.push(p);
      return p;
    };
    const [alice, carol] = [client('alice', b.handle.url), client('carol', b.handle.url)];
    for (const [p, userID] of [[alice, 'alice'], [carol, 'carol']] as const) await p.calling.login({ userID, userSig: tencentUserSig(userID) });
    await alice.calling.call({ userID: 'bob', type: 1, timeout: 120 });
    for (let i = 0; i < 2; i++) {
      await carol.calling.call({ userID: 'bob', type: 1, timeout: 120 });
      await until(`Carol's invitation ${i + 1} in his stream`, () => t.redis.xlen(`${t.prefix}:i:bob`), (n) => n === 2 + 2 * i);
      await carol.calling.hangup();
    }
    await alice.calling.hangup();
    await until('all six in his stream', () => t.redis.xlen(`${t.prefix}:i:bob`), (n) => n === 6);
    for (const n of [a, b]) await settleMoves(n);
    const bob = client('bob', a.handle.url);
    await bob.calling.login({ userID: 'bob', userSig: tencentUserSig('bob') });
    await until('all taken in and confirmed', () => a.handle.metrics(), (m) => (m.cluster?.drained ?? 0) >= 6 && m.storedNow === 0);
    expect(await heardUpToHerNextCall(alice, bob)).toEqual(['sdkReady', 'onInvited (her next call)']);
  });
});
