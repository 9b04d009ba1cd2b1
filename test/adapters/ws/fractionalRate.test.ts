/**
 * Found by the review of a158770 (2026-12-05): `loggedIn.limits` is read by the client's schema as numbers of at least 1
 * (adapters/ws/protocol.ts PositiveSchema), but the server takes any positive rate (server/options.ts:
 * `perSecond > 0`; resolveLimits: positive): a server started (startServer) with a sustained rate
 * below one frame a second sends a `loggedIn` the client drops as malformed, and no login completes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { EmbeddedWorld } from '../../support/embeddedWorld';
import { defaultLimitsWorld } from '../../security/support';

describe('a server whose rate is below one frame a second', () => {
  let world: EmbeddedWorld;
  afterEach(async () => {
    await world.dispose();
  });

  it('startServer({ limits: { userRate: { perSecond: 0.5, burst: 100 } } }): Bob logs in', async () => {
    world = defaultLimitsWorld({ server: { limits: { userRate: { perSecond: 0.5, burst: 100 } } } });
    const bob = world.backend();
    const errors: unknown[] = [];
    let done = false;
    const login = bob.connection.login('bob', world.userSig('bob')).then(
      () => void (done = true),
      (e: unknown) => void errors.push(e),
    );
    for (let i = 0; i < 20 && !done && errors.length === 0; i++) await world.advance(1000);
    void login;
    expect({ done, errors: errors.map(String) }).toEqual({ done: true, errors: [] });
  }, 30_000);
});
