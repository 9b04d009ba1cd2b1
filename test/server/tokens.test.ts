/**
 * Resume tokens are compared in constant time (crypto.timingSafeEqual over digests), so the time
 * a resume attempt takes never tells how much of a guessed token was right.
 */
import { createHash } from 'node:crypto';
import * as crypto from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sameToken } from '../../server/hub';
import { RawClient, tencentUserSig, testServer, type TestServer } from './support';

vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  return { ...real, timingSafeEqual: vi.fn(real.timingSafeEqual) };
});

const digest = (text: string) => createHash('sha256').update(text).digest();

describe('resume tokens', () => {
  let server: TestServer | undefined;
  const clients: RawClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.terminate();
    await server?.dispose();
    server = undefined;
  });

  it('sameToken: equal tokens match; any other text, of any length, does not', () => {
    expect([sameToken('abc', 'abc'), sameToken('abd', 'abc'), sameToken('ab', 'abc'), sameToken('', 'abc'), sameToken('abcd', 'abc')]).toEqual([true, false, false, false, false]);
  });

  it('a resume compares the given token with the session\'s through timingSafeEqual, on their digests; a wrong token starts a new session', async () => {
    const { handle } = (server = await testServer());
    const first = await RawClient.login(handle.url, 'alice');
    clients.push(first);
    const token = String(first.ofType('loggedIn')[0]?.session);
    const spy = vi.mocked(crypto.timingSafeEqual);
    spy.mockClear();
    const second = await RawClient.open(handle.url);
    clients.push(second);
    const resumed = await second.request({ type: 'login', userID: 'alice', userSig: tencentUserSig('alice'), resume: token });
    expect(resumed).toMatchObject({ type: 'loggedIn', resumed: true, session: token });
    const compared = spy.mock.calls.map(([a, b]) => [Buffer.from(a as Uint8Array).toString('hex'), Buffer.from(b as Uint8Array).toString('hex')]);
    expect(compared).toContainEqual([digest(token).toString('hex'), digest(token).toString('hex')]);
    spy.mockClear();
    const guess = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    const third = await RawClient.open(handle.url);
    clients.push(third);
    expect(await third.request({ type: 'login', userID: 'alice', userSig: tencentUserSig('alice'), resume: guess })).toMatchObject({ type: 'loggedIn', resumed: false });
    expect(spy.mock.calls.map(([a]) => Buffer.from(a as Uint8Array).toString('hex'))).toContain(digest(guess).toString('hex'));
  });
});
