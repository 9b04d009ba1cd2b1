/**
 * The group commit on its own: writes of one turn in one transaction, effects after it in order
 * (at once when nothing waits), and the `failed` side of effects when the commit fails.
 */
import { describe, expect, it } from 'vitest';
import { TurnCommit } from '../../server/commit';

/** A commit whose turn ends when the test says so. */
function turns(fail = false) {
  const log: string[] = [];
  let end: (() => void) | null = null;
  const commit = new TurnCommit(
    (writes) => {
      log.push(`transaction of ${writes.length}`);
      if (fail) throw new Error('disk full');
      for (const write of writes) write();
    },
    (fn) => (end = fn),
    (error) => log.push(`failed: ${(error as Error).message}`),
  );
  return { commit, log, endTurn: () => end?.() };
}

describe('group commit', () => {
  it('one transaction per turn; what is said after a write waits for it, in order; nothing waits on a quiet turn', () => {
    const { commit, log, endTurn } = turns();
    commit.after(() => log.push('pong (nothing pending: at once)'));
    commit.write(() => log.push('write m1'));
    commit.after(() => log.push('ack m1'));
    commit.write(() => log.push('write m2'));
    commit.after(() => log.push('pong (queued behind m1)'));
    commit.after(() => log.push('ack m2'));
    expect(log).toEqual(['pong (nothing pending: at once)']);
    endTurn();
    expect(log).toEqual(['pong (nothing pending: at once)', 'transaction of 2', 'write m1', 'write m2', 'ack m1', 'pong (queued behind m1)', 'ack m2']);
    expect([commit.commits, commit.written, commit.pending]).toEqual([1, 2, false]);
  });

  it('a failed commit runs the failed side of each effect (an error instead of the ack); plain effects still run', () => {
    const { commit, log, endTurn } = turns(true);
    commit.write(() => log.push('write m1'));
    commit.after(
      () => log.push('ack m1'),
      () => log.push('unavailable m1'),
    );
    commit.after(() => log.push('pong'));
    endTurn();
    expect(log).toEqual(['transaction of 1', 'failed: disk full', 'unavailable m1', 'pong']);
    expect(commit.commits).toBe(0);
  });
});
