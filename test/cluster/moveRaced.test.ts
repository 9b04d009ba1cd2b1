/**
 * Attack: "a copy uncounted twice" (the night the cluster was attacked). A node moves the copies it stores for a user
 * it does not hold into that user's stream, and once Redis took them it uncounted them (its sender's total and share,
 * the recipient's backlog, the store's bytes) and deleted their rows in the turn's commit. During the move's round trip
 * to Redis the same copy can go another way first: its recipient logs in on that node and is handed it from the store
 * (his receipt uncounts it and deletes its row, before the move ends or after), or the hourly purge takes it (it
 * expired). The move then uncounted it a second time: its sender's counts on the node stayed a copy (and its bytes)
 * below what it stores until the next recount (minutes apart since recounts are paced by their cost,
 * `recountPace.ts`), and the sender stored a copy past its quota per copy raced. Now a copy's counts go where its row
 * goes (`Store.removeCopy` says whether it deleted one): whoever deletes the row uncounts it, a receipt as a move.
 *
 * Node a reaches Redis through a proxy that holds what it sends (a login's lookup passed on alone); its clock moves
 * only for the purge, and no recount runs before the counts are checked. Alice may store 4 copies: three to Carol (on
 * node a, confirming nothing) wait there throughout. Once Alice logs in again (what she holds in Redis read afresh:
 * nothing), her quota takes one more copy: before the fix, two; and the recount that follows finds nothing to right.
 */
import { describe, expect, it } from 'vitest';
import { type Frame, type RawClient, type TestServer, tencentUserSig } from '../server/support';
import { inProcessNodes, movesDone, sendC2C, settleMoves, until } from './support';

const HOUR = 3_600_000;

describe('cluster: a copy moved out while it goes another way on the same node', () => {
  const t = inProcessNodes();

  /** Node a, Carol on it holding c1-c3 of Alice's unconfirmed, its Redis held from now on. */
  async function heldNode(options: Parameters<typeof t.node>[1] = {}) {
    const pa = await t.proxy();
    const a = await t.node('a', { redisUrl: pa.url, limits: { maxSenderStored: 4 }, ...options });
    const carol = await t.login(a, 'carol');
    const alice = await t.login(a, 'alice');
    for (const p of ['c1', 'c2', 'c3']) expect((await sendC2C(alice, 'carol', p)).type).toBe('ack');
    await until('carol was handed them', () => carol.ofType('message').length, (n) => n === 3);
    await movesDone(a);
    pa.hold(); // node a's commands wait in the proxy; what Redis answers still flows
    return { pa, a, alice };
  }

  /**
   * Bob logs in on node a as Alice's m to him (offline) moves out: his login's lookup passes, the move waits. Resolves
   * once he was handed m from node a's store; `sent` is Alice's ack (it waits for the move).
   */
  async function bobMidMove(pa: Awaited<ReturnType<typeof t.proxy>>, a: TestServer, alice: RawClient) {
    const bob = await t.open(a);
    bob.send({ type: 'login', rid: 1, userID: 'bob', userSig: tencentUserSig('bob'), protocol: 1 });
    await until("bob's login looked up", () => pa.holding().includes(`${t.prefix}:d:bob`), (ok) => ok);
    const sent = sendC2C(alice, 'bob', 'm'); // Bob has no session on node a yet: m moves to his stream
    await until('the move of m on its way', () => pa.holding().includes(`${t.prefix}:i:bob`), (ok) => ok);
    pa.passUntil(`${t.prefix}:d:bob`); // his login's lookup alone: the move still waits
    expect(await bob.next((f) => f.rid === 1)).toMatchObject({ type: 'loggedIn' });
    const m = await bob.next((f) => f.type === 'message' && f.payload === 'm', 'm from the store of node a');
    return { bob, m, sent };
  }

  /** m came back from his stream (the move put it there): a second copy with its id, which a client passes on once. */
  async function takenAgain(bob: RawClient, m: Frame): Promise<void> {
    const again = await bob.next((f) => f.type === 'message' && f.payload === 'm', 'm taken in from his stream');
    expect(again.id).toBe(m.id);
    bob.send({ type: 'received', upTo: again.seq });
  }

  /** Alice logs in again and sends Carol two more copies: what her quota answers, and what node a stores then. */
  async function quotaLeft(a: TestServer, alice: RawClient) {
    await until('node a stores only c1-c3', () => a.handle.metrics().storedNow, (n) => n === 3);
    await movesDone(a);
    expect((await alice.request({ type: 'logout' })).type).toBe('ack');
    const again = await t.login(a, 'alice');
    const answers = [await sendC2C(again, 'carol', 'c4'), await sendC2C(again, 'carol', 'c5')].map((f) => f.code ?? f.type);
    const stored = a.handle.metrics().storedNow;
    // The recount the moves asked for finds the counts as the store holds them (before the fix: off, and it righted them).
    const before = a.handle.metrics().cluster?.recounts ?? 0;
    await settleMoves(a);
    const { recounts = 0, recountsOff } = a.handle.metrics().cluster ?? {};
    return { answers, stored, recounted: recounts > before, recountsOff };
  }

  it('Alice -> Bob (offline) m; the move of m waits for Redis; Bob logs in on node a, is handed m, confirms it; Redis takes m -> Alice holds 3 of her 4: one more copy, then quotaExceeded', async () => {
    const { pa, a, alice } = await heldNode();
    const { bob, m, sent } = await bobMidMove(pa, a, alice);
    bob.send({ type: 'received', upTo: m.seq });
    await until("his receipt deleted m's row", () => a.handle.metrics().storedNow, (n) => n === 3);
    pa.release(); // Redis takes m: its move ends
    expect((await sent).type).toBe('ack');
    await movesDone(a);
    await takenAgain(bob, m);
    expect(await quotaLeft(a, alice)).toEqual({ answers: ['ack', 'quotaExceeded'], stored: 4, recounted: true, recountsOff: 0 });
  }, 30_000);

  it('... Bob is handed m; Redis takes m; Bob confirms m only then -> Alice holds 3 of her 4', async () => {
    const { pa, a, alice } = await heldNode();
    const { bob, m, sent } = await bobMidMove(pa, a, alice);
    pa.release(); // Redis takes m while Bob holds it unconfirmed
    expect((await sent).type).toBe('ack');
    await movesDone(a);
    // The move deleted m's row (uncounted there, once): its receipt deletes nothing, and uncounts nothing.
    expect(a.handle.metrics().storedNow).toBe(4); // c1-c3, and m again, taken in from his stream
    bob.send({ type: 'received', upTo: m.seq });
    await takenAgain(bob, m);
    expect(await quotaLeft(a, alice)).toEqual({ answers: ['ack', 'quotaExceeded'], stored: 4, recounted: true, recountsOff: 0 });
  }, 30_000);

  it('Alice -> Bob (offline) m; the move of m waits for Redis; m expires and the hourly purge takes it; Redis takes m -> Alice holds 3 of her 4', async () => {
    // Copies live 20 s; the purge runs an hour after the start. m is sent 30 s before it, c1-c3 25 s later: they outlive it.
    const pa = await t.proxy();
    const a = await t.node('a', { redisUrl: pa.url, limits: { maxSenderStored: 4 }, offlineTtlMs: 20_000, idleTimeoutMs: 4 * HOUR });
    const carol = await t.login(a, 'carol');
    const alice = await t.login(a, 'alice');
    await a.clock.advance(HOUR - 30_000);
    await movesDone(a);
    pa.hold(); // node a's commands wait in the proxy (for a clock's minute: a command times out after 2 s of real time)
    const sent = sendC2C(alice, 'bob', 'm'); // Bob is nowhere: m moves to his stream
    await until('the move of m on its way', () => pa.holding().includes(`${t.prefix}:i:bob`), (ok) => ok);
    await a.clock.advance(25_000);
    const later = ['c1', 'c2', 'c3'].map((p) => sendC2C(alice, 'carol', p)); // their acks wait behind m's
    await until('carol was handed them', () => carol.ofType('message').length, (n) => n === 3);
    await until('they are stored', () => a.handle.metrics().storedNow, (n) => n === 4);
    await a.clock.advance(7_500); // the purge: m expired
    expect(a.handle.metrics().storedNow).toBe(3);
    pa.release(); // Redis takes m: its move ends
    expect((await Promise.all([sent, ...later])).map((f) => f.type)).toEqual(['ack', 'ack', 'ack', 'ack']);
    expect(a.logs.filter((l) => l.level !== 'info')).toEqual([]); // the move went through (no command timed out)
    expect(await quotaLeft(a, alice)).toEqual({ answers: ['ack', 'quotaExceeded'], stored: 4, recounted: true, recountsOff: 0 });
  }, 30_000);
});
