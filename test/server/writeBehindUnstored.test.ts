/**
 * The write-behind's side of a cluster's moves from memory (`server/cluster/outbox.ts`), on its own: which copies a move
 * may read (`unstoredFor`), and what a move does to them (`moved`). A held copy whose turn's commit is under way is not
 * readable (moved then, it could not be taken back if that commit failed), nor is any later one; a copy whose write is
 * under way is (in that gap it is in neither memory nor the store); a copy moved while its write was under way is not
 * written again if that write fails. A cluster node's write-behind (it keeps what is not stored per recipient), a real
 * store on a temporary file, a commit whose turn ends when the test says so.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../adapters/memory/SimulatedClock';
import { TurnCommit } from '../../server/commit';
import { type Body, Store } from '../../server/store';
import { type Held, WriteBehind } from '../../server/writeBehind';

const WINDOW = 200;

describe('write-behind: copies not in the store yet, as a cluster move reads them', () => {
  const dirs: string[] = [];
  const stores: Store[] = [];
  afterEach(() => {
    for (const s of stores.splice(0)) s.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  function setup() {
    const dir = mkdtempSync(join(tmpdir(), 'hc-unstored-'));
    dirs.push(dir);
    const store = new Store(join(dir, 'calling.db'));
    stores.push(store);
    const clock = new SimulatedClock(1_000_000);
    const log: string[] = [];
    let failing = false;
    let end: (() => void) | null = null;
    const commit = new TurnCommit(
      (writes) => {
        if (failing) throw new Error('disk full');
        store.transact(writes);
      },
      (fn) => (end = fn),
      () => log.push('commit failed'),
    );
    const wb = new WriteBehind(store, commit, clock, WINDOW, 1 << 20, {
      dropped: (held) => log.push(`dropped ${held.body.payload}`),
      heldAgain: (held) => log.push(`held again ${held.body.payload} [${[...held.rows.keys()].join(',')}]`),
      writtenLate: (held) => log.push(`written late ${held.body.payload}`),
    }, true);
    const hold = (payload: string, to: readonly string[]): Held => {
      const body: Body = { id: store.bodyID(), msgID: payload, from: 'alice', groupID: null, payload, sentAt: clock.now(), expiresAt: clock.now() + 60_000, call: null };
      const held = wb.hold(body, payload.length, to.map((user) => ({ delivery: store.deliveryID(), to: user })));
      held.whenSettled((ok) => log.push(`settled ${payload} ${ok}`));
      return held;
    };
    const readable = (user: string) => wb.unstoredFor(user, 0, clock.now()).map((c) => `${c.held.body.payload}#${c.delivery}`);
    const endTurn = () => {
      const fn = end;
      end = null;
      fn?.();
    };
    return { store, commit, wb, log, hold, readable, endTurn, fail: (on: boolean) => (failing = on) };
  }

  it('m1 held on a quiet turn; m2 held while its turn writes (a grant), then m3 -> a move reads m1 only; the turn commits -> m1, m2, m3', () => {
    const { commit, hold, readable, endTurn } = setup();
    hold('m1', ['bob']);
    commit.write(() => undefined); // the turn's other write (a room grant, say)
    hold('m2', ['bob']);
    hold('m3', ['bob', 'carol']);
    expect([readable('bob'), readable('carol')]).toEqual([['m1#1'], []]);
    endTurn();
    expect([readable('bob'), readable('carol')]).toEqual([['m1#1', 'm2#2', 'm3#3'], ['m3#4']]);
  });

  it("m1 held while its turn writes, that commit failing -> never readable, dropped, settled failed; nothing of it stored", () => {
    const { store, commit, hold, readable, endTurn, log, fail, wb } = setup();
    commit.write(() => undefined);
    hold('m1', ['bob']);
    fail(true);
    endTurn();
    expect({ readable: readable('bob'), log, held: wb.size, stored: store.storedCount() }).toEqual({ readable: [], log: ['commit failed', 'dropped m1', 'settled m1 false'], held: 0, stored: 0 });
  });

  it('m (to Bob and Carol) moved for Bob while held -> not written for him; moved for Carol -> gone from memory, settled, never stored', () => {
    const { store, hold, readable, wb, log } = setup();
    const m = hold('m', ['bob', 'carol']);
    expect(wb.moved(m, 1)).toEqual({ bodyGone: false });
    expect([readable('bob'), readable('carol')]).toEqual([[], ['m#2']]);
    expect(wb.moved(m, 2)).toEqual({ bodyGone: true });
    expect({ held: wb.size, bytes: wb.heldBytes, moved: wb.movedOut, log }).toEqual({ held: 0, bytes: 0, moved: 2, log: ['settled m true'] });
    wb.flush();
    expect(store.storedCount()).toBe(0);
  });

  it('m written as its window ends, the commit still to come -> still readable; moved then -> null (its row is the mover\'s to delete); the commit fails -> held again without that copy', () => {
    const { hold, readable, wb, log, endTurn, fail } = setup();
    const m = hold('m', ['bob', 'carol']);
    wb.flush(); // its write, in this turn's commit
    expect({ held: wb.size, bob: readable('bob') }).toEqual({ held: 0, bob: ['m#1'] });
    expect(wb.moved(m, 1)).toBeNull();
    expect(readable('bob')).toEqual([]);
    fail(true);
    endTurn();
    expect({ log, held: wb.size, bob: readable('bob'), carol: readable('carol') }).toEqual({ log: ['commit failed', 'held again m [2]'], held: 1, bob: [], carol: ['m#2'] });
  });

  it('m to Bob alone, moved while its write is under way, the commit failing -> not held again: settled (it is in his stream)', () => {
    const { hold, wb, log, endTurn, fail } = setup();
    const m = hold('m', ['bob']);
    wb.flush();
    expect(wb.moved(m, 1)).toBeNull();
    fail(true);
    endTurn();
    expect({ log, held: wb.size, bytes: wb.heldBytes }).toEqual({ log: ['commit failed', 'settled m true'], held: 0, bytes: 0 });
  });

  it('m written and committed -> not readable (it is stored: the move reads it there)', () => {
    const { store, hold, readable, wb, endTurn } = setup();
    hold('m', ['bob']);
    wb.flush();
    endTurn();
    expect({ readable: readable('bob'), stored: store.pendingFor('bob', 0, 1_000_000, 16).map((c) => c.delivery) }).toEqual({ readable: [], stored: [1] });
  });
});
