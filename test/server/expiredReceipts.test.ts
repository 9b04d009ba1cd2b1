/**
 * The hourly purge drops expired copies and recounts what is stored; a receipt arriving later for
 * a copy it purged must not count that copy down again. Until 2026-12-04 it did: a sender whose
 * accomplice held its receipts back got past limits.maxSenderStored (each recipient session up to
 * its window, 256, until the next recount). Found by the review of 2026-12-04.
 */
import { afterEach, expect, it } from 'vitest';
import { RawClient, testServer, type TestServer } from './support';

const MIN = 60_000;
let server: TestServer;
const clients: RawClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.terminate();
  await server.dispose();
});

it('late receipts for purged copies do not let a sender past maxSenderStored', async () => {
  server = await testServer({ offlineTtlMs: 30 * MIN, idleTimeoutMs: 10 * 60 * MIN, limits: { maxSenderStored: 3 } });
  const url = server.handle.url;
  const alice = await RawClient.login(url, 'alice');
  const bob = await RawClient.login(url, 'bob'); // alice's accomplice: holds his receipts back
  clients.push(alice, bob);
  const send = (to: string, payload: string) => alice.request({ type: 'sendC2C', to, payload, onlineUserOnly: false });

  // t=0: three copies handed to Bob, unconfirmed (stored: alice's count is 3 = the quota).
  for (const p of ['b1', 'b2', 'b3']) expect(await send('bob', p)).toMatchObject({ type: 'ack' });
  await bob.next((f) => f.type === 'message' && f.payload === 'b3');
  expect(await send('dave', 'refused')).toMatchObject({ type: 'error', code: 'quotaExceeded' });

  // t=31 min: Bob's copies expired (not yet purged). Alice still at quota; Bob confirms one (1 row deleted, count 2).
  await server.clock.advance(31 * MIN);
  bob.send({ type: 'received', upTo: 1 });
  await bob.sync();
  // t=40 min: alice stores one for offline Carol (count 3 again: b2, b3, c1).
  await server.clock.advance(9 * MIN);
  expect(await send('carol', 'c1')).toMatchObject({ type: 'ack' });
  expect(await send('dave', 'refused')).toMatchObject({ type: 'error', code: 'quotaExceeded' });

  // t=60 min: the purge drops b2, b3 and recounts: alice holds 1 (c1), truly.
  await server.clock.advance(21 * MIN);
  await alice.sync();
  expect(server.handle.metrics().storedNow).toBe(1);

  // Bob now confirms b2, b3: already purged, they are counted down again (alice's count: 1 - 2 = -1).
  bob.send({ type: 'received', upTo: 3 });
  await bob.sync();

  // Alice fills up to her quota from here.
  let accepted = 0;
  for (let i = 0; i < 10; i++) {
    const reply = await send(`dave${i}`, `d${i}`);
    if (reply.type !== 'ack') break;
    accepted++;
  }
  await alice.sync();
  // The store must never hold more than maxSenderStored (3) of hers.
  expect({ accepted, storedNow: server.handle.metrics().storedNow }).toEqual({ accepted: 2, storedNow: 3 });
});
