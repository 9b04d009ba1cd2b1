/**
 * A command a node's Redis connection had sent when it died is not sent again on the next connection. ioredis
 * does by default (`autoResendUnfulfilledCommands`, and `maxRetriesPerRequest: 1` kept them for one reconnect),
 * so whatever Redis had run before the connection died ran twice: here a relay's publish, which Bob heard twice.
 * Now such a command fails at once, as one past the command timeout does (which Redis may have run: every
 * caller takes that failure as "maybe ran").
 */
import { describe, expect, it } from 'vitest';
import { caughtUp, heardAll, inProcessNodes, until } from './support';

describe('cluster: a command in flight when the connection dies', () => {
  const t = inProcessNodes();

  it('runs once: a relay Redis published before node a lost its connection reaches Bob once', async () => {
    const { pa, a, b, alice, bob } = await t.inRoom7();
    pa.gag(); // Redis runs what node a sends; node a hears none of its answers
    expect(await alice.request({ type: 'relay', roomID: 7, to: 'bob', data: 'offer' })).toMatchObject({ type: 'ack' });
    await bob.next((f) => f.type === 'relayed' && f.data === 'offer');
    const catchUps = a.handle.metrics().cluster?.catchUps ?? 0;
    pa.cut(); // the connection dies, the publish's answer never came
    pa.restore();
    await caughtUp(a, catchUps + 1);
    await heardAll(b);
    await bob.sync();
    expect(bob.frames.filter((f) => f.type === 'relayed').map((f) => f.data)).toEqual(['offer']);
    await until('node a took the publish as failed', () => a.logs.some((l) => l.fields?.what === 'publish'), (ok) => ok, 10_000);
  });
});
