/**
 * The group commit on its own: writes of one turn in one transaction, effects after it in order
 * (at once when nothing waits), and the `failed` side of effects when the commit fails.
 */
import { describe, expect, it } from 'vitest';
import { TurnCommit } from '../../server/commit';

/** A commit whose turn ends when the test says so. */
function turns(fail = false, onError?: (error: unknown) => void) {
  const log: string[] = [];
  let end: (() => void) | null = null;
  const commit = new TurnCommit(
    (writes) => {
      log.push(`transaction of ${writes.length}`);
      if (fail) throw new Error('disk full');
      for (const write of writes) write();
    },
    (fn) => (end = fn),
    onError ?? ((error) => log.push(`failed: ${(error as Error).message}`)),
    (error) => log.push(`threw: ${(error as Error).message}`),
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

  it('an effect or the failure handler that throws: told, the turn\'s other effects still run, nothing escapes the commit (into the event loop: the process would end)', () => {
    const { commit, log, endTurn } = turns();
    commit.write(() => log.push('write m1'));
    commit.after(() => log.push('ack to alice'));
    commit.after(() => {
      throw new Error('a tap failed');
    });
    commit.after(() => log.push('message to bob'));
    expect(endTurn).not.toThrow();
    expect(log).toEqual(['transaction of 1', 'write m1', 'ack to alice', 'threw: a tap failed', 'message to bob']);
    // The store failing its reads too: the recount after a failed commit throws.
    const broken = turns(true, () => {
      throw new Error('no such table: deliveries');
    });
    broken.commit.write(() => undefined);
    broken.commit.after(
      () => broken.log.push('ack m1'),
      () => broken.log.push('unavailable m1'),
    );
    expect(broken.endTurn).not.toThrow();
    expect(broken.log).toEqual(['transaction of 1', 'threw: no such table: deliveries', 'unavailable m1']);
  });
});
