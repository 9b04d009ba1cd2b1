/**
 * A node's commands to Redis in one turn of its event loop go out in one socket write
 * (`server/cluster/coalesce.ts`), each still answered alone and in order; a new socket after a
 * reconnection is corked the same way.
 */
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { writeBatches } from '../../server/cluster/coalesce';
import { connectRedis } from '../../server/cluster/scripts';
import { REDIS_URL } from './support';

describe('a node’s Redis commands of one turn', () => {
  const opened: { redis: { disconnect(): void }; sub: { disconnect(): void } }[] = [];
  afterEach(() => {
    for (const { redis, sub } of opened.splice(0)) (redis.disconnect(), sub.disconnect());
  });

  /** Sends `n` INCRs in one turn; says how the socket wrote them and what they answered. */
  async function turn(redis: Awaited<ReturnType<typeof connectRedis>>['redis'], key: string, n: number) {
    const socket = (redis as unknown as { stream: Socket }).stream;
    const writev = vi.spyOn(socket as unknown as { _writev: (...a: unknown[]) => void }, '_writev');
    const write = vi.spyOn(socket as unknown as { _write: (...a: unknown[]) => void }, '_write');
    const answers = await Promise.all(Array.from({ length: n }, () => redis.incr(key)));
    const writes = { writev: writev.mock.calls.map((c) => (c[0] as unknown[]).length), write: write.mock.calls.length };
    writev.mockRestore();
    write.mockRestore();
    return { answers, writes };
  }

  it('go out in one write, answered in order; so do the next turn’s, and those after a reconnection', async () => {
    const connection = await connectRedis(REDIS_URL);
    opened.push(connection);
    const { redis } = connection;
    const key = `hc-test:coalesce:${process.pid}:${Date.now()}`;
    try {
      expect(await turn(redis, key, 20)).toEqual({ answers: Array.from({ length: 20 }, (_, i) => i + 1), writes: { writev: [20], write: 0 } });
      expect(await turn(redis, key, 3)).toEqual({ answers: [21, 22, 23], writes: { writev: [3], write: 0 } });
      const before = (redis as unknown as { stream: Socket }).stream;
      const ready = new Promise<void>((resolve) => redis.once('ready', () => resolve()));
      before.destroy();
      await ready;
      expect((redis as unknown as { stream: Socket }).stream).not.toBe(before);
      expect(await turn(redis, key, 5)).toEqual({ answers: [24, 25, 26, 27, 28], writes: { writev: [5], write: 0 } });
    } finally {
      await redis.del(key);
    }
  });

  it('sent from inside the check phase (the turn\'s commit ending), go out as the commit calls writeBatches(), not a turn later', async () => {
    const connection = await connectRedis(REDIS_URL);
    opened.push(connection);
    const { redis } = connection;
    const key = `hc-test:coalesce:late:${process.pid}:${Date.now()}`;
    const socket = (redis as unknown as { stream: Socket }).stream;
    // One command corked goes out through _write (more than one, _writev).
    const writes = vi.spyOn(socket as unknown as { _write: (...a: unknown[]) => void }, '_write');
    try {
      const seen = await new Promise<{ before: number; after: number; answer: Promise<number> }>((resolve) =>
        setImmediate(() => {
          const answer = redis.incr(key);
          const before = writes.mock.calls.length;
          writeBatches();
          resolve({ before, after: writes.mock.calls.length, answer });
        }),
      );
      expect([seen.before, seen.after, await seen.answer]).toEqual([0, 1, 1]);
    } finally {
      writes.mockRestore();
      await redis.del(key);
    }
  });
});
