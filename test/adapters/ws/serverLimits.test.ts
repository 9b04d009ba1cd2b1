/**
 * A server started with limits below its defaults says so in `loggedIn` (`limits`), and the client
 * keeps under them: its rate model (adapters/ws/outRate.ts), the WebRTC room's pace and its largest
 * relay, and the spacing of its receipts. Before, the client was sized for the defaults alone, and
 * on a server with `--rate 15` its receipts (one every 50 ms, 20 a second) of a stream of messages went past the rate, each frame
 * refused a strike, until the server closed the user: logged out by other users' messages.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { EmbeddedBackend } from '../../../adapters/ws/embeddedBackend';
import { SERVER_LIMITS } from '../../../adapters/ws/outRate';
import type { EmbeddedWorld } from '../../support/embeddedWorld';
import { defaultLimitsWorld } from '../../security/support';

const rate = { perSecond: 15, burst: 60 };

describe('a server with limits below its defaults', () => {
  let world: EmbeddedWorld;
  afterEach(async () => {
    await world.dispose();
  });

  it('says them at login, and the connection takes them; a server that says nothing leaves the defaults', async () => {
    world = defaultLimitsWorld({ server: { rate: { perSecond: 30, burst: 60 }, limits: { userRate: { perSecond: 15, burst: 100 }, maxRelayBytes: 4096 } } });
    const bob = world.backend();
    await bob.connection.login('bob', world.userSig('bob'));
    expect(bob.connection.rate.limits).toEqual({ perSecond: 15, burst: 60, maxRelayBytes: 4096, maxFrameBytes: 64 * 1024 });
    bob.connection.rate.learn(undefined);
    expect(bob.connection.rate.limits).toEqual(SERVER_LIMITS);
  });

  it('--rate 15: ten users send Bob 40 messages a second for 20 s -> his receipts keep under the rate, he stays logged in and takes every message', async () => {
    world = defaultLimitsWorld({ server: { rate, limits: { userRate: rate } } });
    const bob = world.backend();
    await bob.connection.login('bob', world.userSig('bob'));
    let kicked = false;
    bob.im.onKickedOut(() => void (kicked = true));
    let got = 0;
    bob.im.onMessage(() => void got++);
    const senders: EmbeddedBackend[] = [];
    for (let i = 0; i < 10; i++) {
      const s = world.backend();
      await s.connection.login(`s${i}`, world.userSig(`s${i}`));
      senders.push(s);
    }
    await world.settle();
    for (let tick = 0; tick < 800; tick++) {
      await senders[tick % 10]!.im.sendToUser('bob', `hello ${tick}`, { onlineUserOnly: false }).catch((e: unknown) => e);
      await world.advance(25);
    }
    await world.advance(2000);
    expect({ kicked, got }).toEqual({ kicked: false, got: 800 });
    expect((await world.server()).metrics().refused.rateLimited).toBeUndefined();
  }, 60_000);
});
