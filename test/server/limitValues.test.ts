/** Limit values that cannot work are refused when the server starts, never taken for something else. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, resolveLimits } from '../../server/limits';

describe('limit values', () => {
  it('the fragment, frame-read and pipelining counts are whole numbers the socket layer can hold (2 ** 32 was read as 0: no limit)', () => {
    const refused = (limits: Parameters<typeof resolveLimits>[0]) => {
      try {
        resolveLimits(limits);
        return 'taken';
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect([
      refused({ maxFragments: 2 ** 32 }),
      refused({ maxFrameReads: 2 ** 31 }),
      refused({ maxFrameReads: 0.5 }),
      refused({ httpPipelined: 1.5 }),
      refused({ maxFragments: 2 ** 31 - 1, maxFrameReads: 1, httpPipelined: 1 }),
    ]).toEqual([
      'limit maxFragments must be a whole number from 1 to 2147483647',
      'limit maxFrameReads must be a whole number from 1 to 2147483647',
      'limit maxFrameReads must be a whole number from 1 to 2147483647',
      'limit httpPipelined must be a whole number from 1 to 2147483647',
      'taken',
    ]);
    expect(resolveLimits()).toEqual(DEFAULT_LIMITS);
  });

  it('output per connection: at least 64 KiB (deliveries pause at a quarter of it, at or past the 16 KiB high-water mark the server gives its sockets, whose drain resumes them)', () => {
    expect(() => resolveLimits({ maxBufferedBytes: 64 * 1024 - 1 })).toThrow('maxBufferedBytes (--max-buffered-bytes) must be at least 65536');
    expect(resolveLimits({ maxBufferedBytes: 64 * 1024 }).maxBufferedBytes).toBe(64 * 1024);
  });
});
