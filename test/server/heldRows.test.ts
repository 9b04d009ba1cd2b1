/**
 * A held message's unconfirmed copies (server/writeBehind.ts `Rows`): kept in two fields for the one copy of a C2C
 * message, in a `Map` from a second on, and read the same way either way: a `Map`'s answers, in a `Map`'s order.
 */
import { describe, expect, it } from 'vitest';
import { Rows } from '../../server/writeBehind';

/** Runs the same steps on a `Rows` and a `Map`, and returns what each said at every step. */
function both(steps: readonly (['set', number, string] | ['delete', number])[]): [string[], string[]] {
  const [rows, map] = [new Rows(), new Map<number, string>()];
  const said = (m: Rows | Map<number, string>, answer: unknown) =>
    `${String(answer)} size=${m.size} [${[...m.entries()].map(([d, to]) => `${d}:${to}`).join(' ')}] keys=${[...m.keys()].join(',')} values=${[...m.values()].join(',')} get7=${m.get(7)} get9=${m.get(9)}`;
  const out: [string[], string[]] = [[], []];
  for (const step of steps) {
    for (const [i, m] of [rows, map].entries()) {
      const answer = step[0] === 'set' ? (m.set(step[1], step[2]), 'set') : m.delete(step[1]);
      out[i]?.push(said(m, answer));
    }
  }
  return out;
}

describe('a held message\'s rows', () => {
  it('one copy: set, read, deleted, deleted again, set again', () => {
    const [rows, map] = both([['set', 7, 'bob'], ['delete', 9], ['delete', 7], ['delete', 7], ['set', 9, 'carol'], ['set', 9, 'dave']]);
    expect(rows).toEqual(map);
  });

  it('a second copy moves them to a map, in the order they came', () => {
    const [rows, map] = both([['set', 9, 'bob'], ['set', 7, 'carol'], ['set', 11, 'dave'], ['delete', 9], ['delete', 11], ['delete', 7], ['set', 7, 'erin']]);
    expect(rows).toEqual(map);
  });

  it('no copy: empty, and delivery -1 is not one', () => {
    const [rows, map] = both([['delete', -1], ['delete', 0], ['set', 0, 'bob'], ['delete', -1], ['delete', 0]]);
    expect(rows).toEqual(map);
  });
});
