/** Invitations settled while their invitee was offline ring nothing at login: over the memory network. */
import { describe, expect, it } from 'vitest';
import { decodeSignal } from '../../src/index';
import { ev } from '../support/ev';
import { memoryWorld } from '../support/world';
import { describeSettledOffline } from './settledOfflineScenarios';

const S = 1000;

describeSettledOffline('the memory network', () => memoryWorld());

describe('invitations settled while offline, the memory hub', () => {
  const kindOf = (m: { from: string; payload: string }) => {
    const d = decodeSignal(m.payload, m.from);
    return d.ok ? d.signal.kind : 'none';
  };

  it("Bob's network down while Alice call()s and hangup()s; it comes back -> the hub logs both dropped (settled), Bob hears nothing", async () => {
    const world = memoryWorld();
    const alice = await world.user('alice');
    const bob = await world.user('bob');
    world.net.im.setReachable('bob', false);
    await alice.calling.call({ userID: 'bob', type: 2, timeout: 30 });
    await world.advance(2 * S);
    await alice.calling.hangup();
    await world.advance(S);
    world.net.im.setReachable('bob', true);
    await world.advance(S);
    expect(bob.take()).toEqual([ev.notReady(), ev.ready()]);
    expect(world.net.im.log.filter((m) => m.to === 'bob').map((m) => `${kindOf(m)} ${m.fate}${m.reason ? ` (${m.reason})` : ''}`)).toEqual([
      'invite stored (offline)',
      'cancel stored (offline)',
      'invite dropped (settled)',
      'cancel dropped (settled)',
    ]);
    expect(world.net.im.stored('bob')).toBe(0);
    await world.dispose();
  });
});
