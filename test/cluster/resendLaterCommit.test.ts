/**
 * An ack that waits for its moves settles once, on its own turn's commit: a resend of the request (same rid,
 * same bytes) while the moves are under way hears that outcome. It looked at the commit pending when the resend
 * came (the review of d865c15): if that later turn's commit failed (an unrelated write), the resend heard
 * `unavailable` although its message was committed and moved. A mail `Held` keeps its outcome the same way.
 */
import Database from 'better-sqlite3';
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { heardAll, inProcessNodes, until } from './support';
import { failingInserts } from '../support/failingStore';


describe('cluster: a resend while its moves are under way', () => {
  const t = inProcessNodes();
  const { node, login } = t;

  it("hears its own commit's outcome (ack), not a later turn's", async () => {
    const pa = await t.proxy();
    const a = await node('a', { redisUrl: pa.url, sharedDatabase: true });
    const alice = await login(a, 'alice');
    await heardAll(a);
    pa.hold();
    const m1 = JSON.stringify({ type: 'sendC2C', rid: 50, to: 'bob', payload: 'm1', onlineUserOnly: false });
    alice.send(m1); // Bob has no session anywhere: stored on a, then moved to his stream (held in the proxy)
    await until('m1 stored on a', () => a.handle.metrics().stored, (n) => n === 1);
    await heardAll(a);
    expect(alice.frames.filter((f) => f.rid === 50)).toEqual([]);
    const heal = failingInserts(a.dbPath);
    // One turn: another message (its commit fails), then m1 again (a resend: same rid, same bytes).
    const socket = (alice as unknown as { ws: { _socket: Socket } }).ws._socket;
    socket.cork();
    alice.send(JSON.stringify({ type: 'sendC2C', rid: 51, to: 'bob', payload: 'm2', onlineUserOnly: false }));
    alice.send(m1);
    socket.uncork();
    await until('m2 refused', () => alice.frames.some((f) => f.rid === 51), (x) => x);
    heal();
    pa.release();
    await until('both answers to rid 50', () => alice.frames.filter((f) => f.rid === 50).length, (n) => n === 2);
    const answers = alice.frames.filter((f) => f.rid === 50).map((f) => (f.type === 'error' ? `error ${String(f.code)}` : String(f.type)));
    expect(answers).toEqual(['ack', 'ack']);
  });
});
