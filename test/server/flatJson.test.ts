/**
 * `flatJson` (server/conn.ts): the text of a reply kept past its turn, made flat rather than left the rope of parts V8's
 * JSON writer returns. Whether a string is flat cannot be seen from JavaScript (bench/server/inflightProbe.ts measures
 * what it saves); what can is that it is the very text `JSON.stringify` writes, at every length around the parts' size.
 */
import { describe, expect, it } from 'vitest';
import { flatJson } from '../../server/conn';

describe('flatJson', () => {
  it('writes what JSON.stringify writes, short or long, escapes and characters beyond ASCII included', () => {
    const values: unknown[] = [
      { type: 'ack', rid: 2, id: 'MA_bH7VELvftLe9g-3-u43pepjf', sentAt: 1796682490651 },
      { type: 'error', rid: 9, code: 'unavailable', message: 'the server could not store this: try again' },
      { type: 'ack', rid: 1 },
      { note: 'quotes " and \\ and \n, 中文, emoji 😀' },
      '',
      'x',
      7,
      null,
    ];
    for (let n = 0; n < 80; n++) values.push({ s: 'a'.repeat(n) }, 'é'.repeat(n));
    for (const value of values) expect(flatJson(value)).toBe(JSON.stringify(value));
  });
});
