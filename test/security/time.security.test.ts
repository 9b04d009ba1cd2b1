/**
 * Attack: "time and numbers from the wire are trusted". Server times are converted with the
 * server clock offset (a client whose clock is 30 s fast still rings), and `timeout` is bounded
 * (one day) by the API, the codec and the server.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../adapters/clock';
import { decodeSignal } from '../../adapters/signalingCodec';
import { TRTCCalling, encodeSignal } from '../../src/index';
import { ev } from '../support/ev';
import { SDKAPPID, type EmbeddedWorld } from '../support/embeddedWorld';
import { party, type Party } from '../support/world';
import { RawClient, defaultLimitsWorld } from './support';

const S = 1000;

describe('time and numbers are sane', () => {
  let world: EmbeddedWorld;
  let alice: Party;

  beforeEach(async () => {
    world = defaultLimitsWorld();
    alice = await world.user('alice');
  });
  afterEach(() => world.dispose());

  /** Bob on a clock `skewMs` ahead of the server's (its timers still run on the world's time). */
  async function skewedBob(skewMs: number): Promise<Party> {
    const clock: Clock = {
      now: () => world.clock.now() + skewMs,
      setTimeout: (fn, ms) => world.clock.setTimeout(fn, ms),
      clearTimeout: (id) => world.clock.clearTimeout(id),
    };
    const bob = party('bob', new TRTCCalling({ SDKAppID: SDKAPPID, backend: world.backend({ clock }) }));
    await bob.calling.login({ userID: 'bob', userSig: world.userSig('bob') });
    await world.settle();
    bob.take();
    return bob;
  }

  it.each([
    ['30 s fast', 30_000],
    ['an hour slow', -3_600_000],
  ])("Bob's clock is %s: Alice's invitation (timeout 30 s) still rings, and times out after 30 s", async (_, skew) => {
    const bob = await skewedBob(skew);
    await alice.calling.call({ userID: 'bob', type: 2, timeout: 30 });
    await world.advance(S);
    expect(bob.take()).toEqual([ev.invited('alice', ['bob'])]);
    await world.advance(29 * S);
    expect(bob.take()).toEqual([ev.timedOut('alice', ['bob'])]);
  });

  it('a timeout over one day is refused by call(), by the codec and by the server', async () => {
    await expect(alice.calling.call({ userID: 'bob', type: 2, timeout: 86_401 })).rejects.toMatchObject({ code: -1202 });
    await expect(alice.calling.groupCall({ userIDList: ['bob'], type: 2, timeout: 2 ** 31 })).rejects.toMatchObject({ code: -1202 });
    await alice.calling.call({ userID: 'bob', type: 2, timeout: 86_400 }); // one day is fine
    await alice.calling.hangup();
    const signal = {
      kind: 'invite', inviteID: 'i-1', inviter: 'mallory', groupID: '', callType: 2, invitees: ['bob'], roomID: 7,
      onlineUserOnly: false, isGroup: false, consumed: false,
    } as const;
    expect(decodeSignal(encodeSignal({ ...signal, timeout: 86_400 * 30 }), 'mallory')).toMatchObject({ ok: false, reason: 'malformed' });
    const mallory = await RawClient.login((await world.server()).url, 'mallory');
    const call = { inviteID: 'i-1', roomID: 7, invitees: ['bob'], timeout: 86_401 };
    expect(await mallory.request({ type: 'sendC2C', to: 'bob', payload: 'x', onlineUserOnly: false, call })).toMatchObject({
      type: 'error',
      code: 'badFrame',
      message: expect.stringContaining('call.timeout'),
    });
    mallory.terminate();
  });
});
