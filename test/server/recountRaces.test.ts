/**
 * A recount in slices runs over many turns, and the mailer's moves go on between its steps: copies stored, confirmed,
 * moved out (a copy two of them race for: the second delete takes nothing and uncounts nothing), held by write-behind,
 * confirmed in memory, written late (held again when that write fails), senders whose last copy goes, senders and
 * recipients never seen before. Each key is replaced by what the store holds in one step, and every change after counts
 * on top of it (`server/recount.ts`): so a pass that ends with nothing off the store since it was asked for (no commit
 * failed, no row went behind the counts, no step failed) leaves the counts exactly what a server starting on that store
 * would count, whatever ran between its steps. Random interleavings (fast-check, a fixed seed), slices of 7 copies.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Copy, recountWorld } from './recountWorld';

const USERS = ['a', 'b', 'c', 'd', 'e', 'f'];
const user = fc.constantFrom(...USERS);
const recipients = fc.uniqueArray(user, { minLength: 1, maxLength: 3 });

type Op =
  | { readonly op: 'step' }
  | { readonly op: 'send' | 'hold'; readonly from: string; readonly to: readonly string[]; readonly bytes: number }
  | { readonly op: 'remove' | 'confirmHeld' | 'writeHeld'; readonly pick: number }
  | { readonly op: 'endTurn' | 'failCommit' | 'purge' | 'failStep' | 'ask'; readonly pick: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.constant({ op: 'step' as const }), weight: 8 },
  { arbitrary: fc.record({ op: fc.constantFrom('send' as const, 'hold' as const), from: user, to: recipients, bytes: fc.integer({ min: 1, max: 30 }) }), weight: 6 },
  { arbitrary: fc.record({ op: fc.constantFrom('remove' as const, 'confirmHeld' as const, 'writeHeld' as const), pick: fc.nat() }), weight: 6 },
  { arbitrary: fc.record({ op: fc.constantFrom('endTurn' as const, 'failCommit' as const, 'purge' as const, 'failStep' as const, 'ask' as const), pick: fc.nat() }), weight: 3 },
);

describe('a recount in slices while the mailer moves copies between its steps', () => {
  it('any interleaving -> every pass asked for after the last failure or purge ends with the counts exactly the store\'s (and what is held)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ from: user, to: recipients, bytes: fc.integer({ min: 1, max: 30 }) }), { maxLength: 40 }), fc.array(op, { maxLength: 120 }), async (initial, ops) => {
        const w = recountWorld(7);
        const live: Copy[] = [];
        for (const m of initial) live.push(...w.send(m.from, m.to, m.bytes));
        w.endTurn();
        /** Bumped by whatever puts the counts off the store (a failed commit, a purge) or stops a pass midway. */
        let offSince = 0;
        const checked: string[] = [];
        const ask = () => {
          const asked = offSince;
          w.recount.request(
            () => {
              // Ended in a step (no write waiting): the store is as the counts should say now.
              if (asked === offSince) expect(w.kept(USERS)).toEqual(w.truth(USERS));
              checked.push(asked === offSince ? 'checked' : 'skipped');
            },
            () => checked.push('failed'),
          );
        };
        ask();
        for (const o of ops) {
          const pickFrom = <T>(xs: readonly T[], i: number): T | undefined => xs[i % Math.max(1, xs.length)];
          switch (o.op) {
            case 'step':
              w.step();
              break;
            case 'send':
              live.push(...w.send(o.from, o.to, o.bytes));
              break;
            case 'hold':
              w.hold(o.from, o.to, o.bytes);
              break;
            case 'remove': {
              const copy = pickFrom(live, o.pick); // stays in `live`: removed again later, it is the losing side of a race
              if (copy) w.remove(copy);
              break;
            }
            case 'confirmHeld': {
              const h = pickFrom(w.held, o.pick);
              const delivery = h && pickFrom([...h.rows.keys()], o.pick);
              if (h && delivery !== undefined) w.confirmHeld(h, delivery);
              break;
            }
            case 'writeHeld': {
              const h = pickFrom(w.held, o.pick);
              if (!h) break;
              live.push(...[...h.rows].map(([delivery, to]) => ({ delivery, body: h.body.id, from: h.body.from, to, bytes: h.bytes })));
              w.writeHeld(h);
              break;
            }
            case 'endTurn':
              w.endTurn();
              break;
            case 'failCommit':
              // Its writes undone, their counts kept (a receipt's uncount, a send's count): the server asks for a recount.
              offSince++;
              w.failNextCommit();
              w.endTurn();
              break;
            case 'purge':
              // Rows gone behind the counts (the hourly purge), and a recount asked for, as the purge does.
              w.endTurn();
              offSince++;
              w.store.db.prepare('DELETE FROM deliveries WHERE id % 5 = ?').run(o.pick % 5);
              w.store.db.exec('DELETE FROM bodies WHERE id NOT IN (SELECT body_id FROM deliveries)');
              ask();
              break;
            case 'failStep':
              w.breakReads(true);
              if (w.step()) offSince++; // a pass may have stopped midway
              w.breakReads(false);
              ask(); // the next move asks again
              break;
            case 'ask':
              ask();
              break;
          }
        }
        w.endTurn();
        ask(); // a last pass, after everything: it must leave the counts exact
        while (w.step()) w.endTurn();
        expect(checked.at(-1)).toBe('checked');
        expect(w.kept(USERS)).toEqual(w.truth(USERS));
      }),
      { numRuns: 300, seed: 20261207 },
    );
  });
});
