/**
 * The unsent changes at their bound (MAX_UNSENT) while a read sends them again: a change that fails meanwhile drops
 * the oldest kept, which may be the one on its way. The send then took the next change off the list as sent, once
 * the first was answered: that change never went to Redis (no node but this one had it), and its number stayed
 * open for good, the floor of every later SHARE (P:ran kept every number after it). Runs `Replica` on a fake Redis.
 */
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { MAX_UNSENT, Replica } from '../../server/cluster/replica';
import type { ServerClock } from '../../server/options';
import { until } from './support';

type Call = { seq: number; floor: number; room: number; answer: (ok: boolean) => void };

function fakeRedis() {
  const calls: Call[] = [];
  let failing = true;
  const redis = {
    status: 'reconnecting',
    defineCommand: () => undefined,
    hcShare: (_h: string, _v: string, _r: string, frame: string, _ttl: number, _reset: string, _c: string, seq: number, floor: number) =>
      new Promise<[number, number]>((resolve, reject) => {
        const room = (JSON.parse(frame) as { roomID: number }).roomID;
        if (failing) return reject(new Error('Stream isn\'t writeable'));
        calls.push({ seq, floor, room, answer: (ok) => (ok ? resolve([seq, 1]) : reject(new Error('timed out'))) });
      }),
    hcCompact: () => Promise.resolve(0),
    hcForgetClaim: () => Promise.resolve(0),
    get: () => Promise.resolve('0'),
    scan: () => Promise.resolve(['0', []]),
  };
  return { redis: redis as unknown as Redis, calls, back: () => (failing = false), down: () => (failing = true) };
}

describe('cluster: SHARE with the unsent changes at their bound', () => {
  it('sends every change it kept, and its floor moves on', async () => {
    const { redis, calls, back, down } = fakeRedis();
    const clock = { now: () => 0, setTimeout: () => 0, clearTimeout: () => undefined } as unknown as ServerClock;
    const replica = new Replica({ redis, prefix: 'P', node: 'a', clock, apply: () => undefined, lost: () => undefined, published: () => undefined, warn: () => undefined });
    const grant = (room: number) => replica.send({ t: 'grant', node: 'a', op: 'x', roomID: room });
    for (let room = 1; room <= MAX_UNSENT; room++) grant(room); // Redis away: all kept
    await new Promise((r) => setImmediate(r));
    back();
    const loaded = replica.load(); // sends them again, in order: room 1's on its way
    await until('room 1 on its way', () => calls.length, (n) => n === 1);
    down();
    grant(MAX_UNSENT + 1); // fails: the oldest kept (room 1's, on its way) is dropped
    await new Promise((r) => setImmediate(r));
    back();
    (calls[0] as Call).answer(true);
    for (let i = 1; ; i++) {
      await new Promise((r) => setImmediate(r)); // the next one is sent once the last answer is taken
      const call = calls[i];
      if (!call) break;
      call.answer(true);
    }
    await loaded;
    const sent = new Set(calls.map((c) => c.room));
    for (let room = 2; room <= MAX_UNSENT; room++) expect(sent.has(room), `room ${room} sent`).toBe(true);
    // A change made now is the only one open: the oldest this node may still send is its own.
    grant(MAX_UNSENT + 2);
    const last = calls[calls.length - 1] as Call;
    expect(last.room).toBe(MAX_UNSENT + 2);
    expect(last.floor).toBe(last.seq);
    replica.stop();
  });
});
