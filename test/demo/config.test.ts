/**
 * The demo page's `?config=` (the leftovers of 2026-12-07): a malformed one made the sign-in fail with the parser's
 * bare words ("Unexpected token ..."), naming neither the parameter nor what to do. Now the page reads it once, as it
 * loads, and says what is wrong and what to do (test/e2e/pageLoad.e2e.test.ts shows it on the page).
 */
import { describe, expect, it } from 'vitest';
import { readConfigParam } from '../../demo/config';

describe("the demo's ?config=", () => {
  it('none -> nothing to add; JSON -> handed on as is (the library checks its keys and values)', () => {
    expect(readConfigParam(null)).toEqual({ ok: true, options: {} });
    expect(readConfigParam('{"leaveGraceMs":2000}')).toEqual({ ok: true, options: { config: { leaveGraceMs: 2000 } } });
    expect(readConfigParam('{"nope":1}')).toEqual({ ok: true, options: { config: { nope: 1 } } });
  });

  it('not JSON -> a sentence that names ?config=, the parser\'s reason, and what to do', () => {
    const read = readConfigParam('{leaveGraceMs:2000}');
    expect(read).toEqual({ ok: false, error: expect.stringMatching(/^The address's \?config= is not JSON \(.+\): correct it, or take it out of the address, to sign in\.$/) });
    expect(readConfigParam('')).toMatchObject({ ok: false });
  });
});
