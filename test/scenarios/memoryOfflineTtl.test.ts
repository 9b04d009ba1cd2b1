/**
 * The memory network's offline store expires what it holds, as the embedded server's does
 * (`offlineTtlMs`, 7 days by default): a soak test calling users who never log in again must not
 * grow the hub for ever, and a user back after the TTL hears nothing of what expired. Within the
 * TTL an offline invitation is handed out as before, and the core's staleness rule alone decides
 * whether it rings (races.test.ts: "offline invitations that still ring"). Virtual time.
 */
import { describe, expect, it } from 'vitest';
import { TRTCCalling } from '../../src/index';
import { createMemoryNetwork, SimulatedClock } from '../../src/testing';
import { ev } from '../support/ev';
import { failOnCoreFaults, party, type Party } from '../support/world';

const S = 1000;
const DAY = 24 * 3600 * S;

async function world(offlineTtlMs?: number) {
  const net = createMemoryNetwork({ clock: new SimulatedClock(), ...(offlineTtlMs === undefined ? {} : { offlineTtlMs }) });
  const client = (userID: string): Party => party(userID, new TRTCCalling({ SDKAppID: 1400000001, backend: net.backend() }));
  const alice = client('alice');
  await alice.calling.login({ userID: 'alice', userSig: 'sig' });
  await net.settle();
  expect(alice.take()).toEqual([ev.ready()]);
  return { net, alice, client };
}

describe('memory network: offline messages expire (offlineTtlMs)', () => {
  it('Alice call(Carol, timeout 0) while Carol is offline; 7 days pass (the default TTL) -> the hub holds nothing for Carol; she logs in and nothing rings', async () => {
    const { net, alice, client } = await world();
    await alice.calling.call({ userID: 'carol', type: 2, timeout: 0 }); // no timeout: it would ring whenever it came
    await net.advance(S);
    expect(net.im.stored('carol')).toBe(1);
    await net.advance(7 * DAY - S);
    expect(net.im.stored('carol')).toBe(0);
    expect(net.im.stored()).toBe(0);
    const carol = client('carol');
    await carol.calling.login({ userID: 'carol', userSig: 'sig' });
    await net.advance(S);
    expect(carol.take()).toEqual([ev.ready()]);
    expect(carol.calling.getSnapshot().call).toBeNull();
    expect(net.im.log.filter((m) => m.to === 'carol').map((m) => `${m.fate}${m.reason ? `(${m.reason})` : ''} @${m.at}`)).toEqual([
      'stored(offline) @0',
      `dropped(expired) @${7 * DAY}`,
    ]);
    expect(alice.take()).toEqual([]); // still dialling, as asked
    await alice.calling.hangup();
    await net.advance(S);
    expect(alice.take()).toEqual([ev.end('alice', 'cancelled', 0)]);
    failOnCoreFaults();
  });

  it('the same, Carol back 1 s before the TTL -> the invitation (no timeout) rings, as over the embedded server', async () => {
    const { net, alice, client } = await world();
    await alice.calling.call({ userID: 'carol', type: 2, timeout: 0 });
    await net.advance(7 * DAY - S);
    const carol = client('carol');
    await carol.calling.login({ userID: 'carol', userSig: 'sig' });
    await net.advance(S);
    expect(carol.take()).toEqual([ev.ready(), ev.invited('alice', ['carol'])]);
    expect(net.im.stored()).toBe(0);
    await carol.calling.accept();
    await net.advance(S);
    expect(alice.take()).toEqual([ev.accepted('carol'), ...ev.arrives('carol')]);
    expect(carol.take()).toEqual(ev.arrives('alice'));
    failOnCoreFaults();
  });

  it('offlineTtlMs: 60 s; Alice calls Bob (timeout 30) and hangs up, Bob offline; Bob back at 61 s -> nothing rings, nothing is told; the hub holds nothing for him', async () => {
    const { net, alice, client } = await world(60 * S);
    await alice.calling.call({ userID: 'bob', type: 1, timeout: 30 });
    await net.advance(S);
    await alice.calling.hangup();
    await net.advance(S);
    expect(alice.take()).toEqual([ev.end('alice', 'cancelled', 0)]);
    expect(net.im.stored('bob')).toBe(2); // the invitation and its cancel
    await net.advance(59 * S);
    const bob = client('bob');
    await bob.calling.login({ userID: 'bob', userSig: 'sig' });
    await net.advance(S);
    expect(bob.take()).toEqual([ev.ready()]);
    expect(net.im.stored()).toBe(0);
    expect(net.im.log.filter((m) => m.to === 'bob').map((m) => m.fate)).toEqual(['stored', 'stored', 'dropped', 'dropped']);
    failOnCoreFaults();
  });
});
