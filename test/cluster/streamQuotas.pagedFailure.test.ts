/**
 * Found by the second review of the stream quotas (2026-12-04), fixed since: drainNow pages with an exclusive start and carries `left` only for refusals.
 * A page whose take-in commit fails returns true (nothing "left"), so the next page is taken in with
 * behind=false and sets `lastIn` past the failed page; the retry drain (1 s) then filters the failed
 * page out (ids <= lastIn): those acked copies never reach the online recipient while his session lasts.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { inProcessNodes, movesDone, payloads, settleMoves, until } from './support';

const CAPS = { maxSenderStored: 500, maxBacklogPerSender: 500, maxBacklog: 500 };

describe('stream quotas: a failed take-in commit on the first page of a paged drain', () => {
  const t = inProcessNodes();
  const { node, login, redis } = t;

  it('70 copies wait in Bob\'s stream; node b fails to commit the first page (m0) once -> the retry still takes m0..m63 in', async () => {
    const a = await node('a', { limits: CAPS, offlineTtlMs: 600_000 });
    const b = await node('b', { limits: CAPS, offlineTtlMs: 600_000, sharedDatabase: true });
    const mallory = await login(a, 'mallory');
    const sent: string[] = [];
    for (let i = 0; i < 70; i++) {
      const answer = await mallory.request({ type: 'sendC2C', to: 'bob', payload: `m${i}`, onlineUserOnly: false });
      expect(answer.type).toBe('ack');
      sent.push(`m${i}`);
      if (i % 10 === 9) await a.clock.advance(1000);
    }
    await settleMoves(a);
    await until('all in the stream', () => redis.xlen(`${t.prefix}:i:bob`), (n) => n === 70);

    const db = new Database(b.dbPath);
    db.exec("CREATE TRIGGER fail BEFORE INSERT ON bodies WHEN NEW.payload = 'm0' BEGIN SELECT RAISE(ABORT, 'disk full'); END;");
    const bob = await login(b, 'bob');
    await until('node b failed to take page 1 in', () => b.logs.some((l) => l.message === 'could not commit to the store'), (failed) => failed);
    db.exec('DROP TRIGGER fail');
    db.close();
    // Node b takes it in again at its next try (1 s on its clock), Bob confirming as he goes.
    await until(
      'all 70 given',
      async () => {
        const last = bob.frames.filter((f) => f.type === 'message').at(-1);
        if (last) bob.send({ type: 'received', upTo: last.seq });
        await b.clock.advance(1000);
        await movesDone(b);
        return new Set(payloads(bob)).size;
      },
      (n) => n === 70,
    );
    bob.send({ type: 'received', upTo: bob.frames.filter((f) => f.type === 'message').at(-1)?.seq });
    await until('his stream emptied', () => redis.xlen(`${t.prefix}:i:bob`), (n) => n === 0);
    await bob.sync();
    expect({ bob: [...new Set(payloads(bob))], stream: await redis.xlen(`${t.prefix}:i:bob`) }).toEqual({ bob: sent, stream: 0 });
  }, 30_000);
});
