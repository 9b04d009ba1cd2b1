/**
 * A sender's share of each recipient's backlog (server/senders.ts): kept as one entry while it has copies waiting for
 * one recipient, a map from a second on, and read the same either way: `full` says whether one more copy would take
 * more than its share (`maxBacklogPerSender` copies, `maxBacklogBytesPerSender` bytes).
 */
import { describe, expect, it } from 'vitest';
import { SenderQuotas } from '../../server/senders';

const limits = { maxSenderStored: 1000, maxSenderStoredBytes: 1_000_000, maxBacklogPerSender: 2, maxBacklogBytesPerSender: 100 };
const quotas = (rows: { from: string; to: string; count: number; bytes: number }[] = []) => new SenderQuotas(limits, { senderBacklogs: () => rows, senderBodies: () => [] });

/** Whether one more copy of `bytes` from alice would be refused, for each recipient. */
const fullFor = (q: SenderQuotas, bytes = 1) => ['bob', 'carol', 'dave'].map((to) => `${to}:${q.full('alice', to, bytes)}`).join(' ');

describe("a sender's shares", () => {
  it('one recipient, then a second and a third: each counted apart, confirmed back to none', () => {
    const q = quotas();
    const log: string[] = [];
    const step = (what: string, fn: () => void) => {
      fn();
      log.push(`${what}: ${fullFor(q)} | 60 bytes to bob: ${q.full('alice', 'bob', 60)}`);
    };
    step('bob 1', () => q.copy('alice', 'bob', 10));
    step('bob 2', () => q.copy('alice', 'bob', 10));
    step('carol 1', () => q.copy('alice', 'carol', 50));
    step('dave confirmed (never held)', () => q.confirmed('alice', 'dave', 5));
    step('bob -1', () => q.confirmed('alice', 'bob', 10));
    step('carol -1', () => q.confirmed('alice', 'carol', 50));
    step('dave 1', () => q.copy('alice', 'dave', 100));
    step('bob -1', () => q.confirmed('alice', 'bob', 10));
    step('dave -1', () => q.confirmed('alice', 'dave', 100));
    expect(log).toEqual([
      'bob 1: bob:false carol:false dave:false | 60 bytes to bob: false',
      'bob 2: bob:true carol:false dave:false | 60 bytes to bob: true',
      'carol 1: bob:true carol:false dave:false | 60 bytes to bob: true',
      'dave confirmed (never held): bob:true carol:false dave:false | 60 bytes to bob: true',
      'bob -1: bob:false carol:false dave:false | 60 bytes to bob: false',
      'carol -1: bob:false carol:false dave:false | 60 bytes to bob: false',
      'dave 1: bob:false carol:false dave:true | 60 bytes to bob: false',
      'bob -1: bob:false carol:false dave:true | 60 bytes to bob: false',
      'dave -1: bob:false carol:false dave:false | 60 bytes to bob: false',
    ]);
  });

  it('read again from the store: one recipient or two', () => {
    const q = quotas([
      { from: 'alice', to: 'bob', count: 2, bytes: 20 },
      { from: 'alice', to: 'carol', count: 1, bytes: 95 },
    ]);
    expect(fullFor(q)).toBe('bob:true carol:false dave:false');
    expect(fullFor(q, 10)).toBe('bob:true carol:true dave:false');
    const one = quotas([{ from: 'alice', to: 'carol', count: 2, bytes: 2 }]);
    expect(fullFor(one)).toBe('bob:false carol:true dave:false');
  });
});
