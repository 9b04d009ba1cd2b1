/**
 * Presence through the public API over the memory network: a member whose media connection is
 * lost (the memory room's `setMediaConnected` knob: both stay in the room) is let go after
 * `config.leaveGraceMs`, and the call ends with reason `error`; one that comes back in time
 * was never gone.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { TRTCCalling } from '../../src/index';
import { ev } from '../support/ev';
import { failOnCoreFaults, memoryWorld, party, type MemoryWorld, type Party } from '../support/world';

const S = 1000;

describe('presence over the memory network', () => {
  let world: MemoryWorld;
  afterEach(() => world.dispose());

  async function talking(config: { leaveGraceMs?: number } = {}) {
    world = memoryWorld();
    const user = async (userID: string): Promise<Party> => {
      const p = party(userID, new TRTCCalling({ SDKAppID: 1400000001, backend: world.net.backend(), config }));
      await p.calling.login({ userID, userSig: 's' });
      await world.net.settle();
      p.take();
      return p;
    };
    const alice = await user('alice');
    const bob = await user('bob');
    await alice.calling.call({ userID: 'bob', type: 2, timeout: 30 });
    await world.advance(S);
    await bob.calling.accept();
    await world.advance(S);
    expect(alice.take()).toEqual([ev.accepted('bob'), ...ev.arrives('bob')]);
    expect(bob.take()).toEqual([ev.invited('alice', ['bob']), ...ev.arrives('alice')]);
    return { alice, bob };
  }

  it("Bob's media connection dies, both stay in the room -> nothing for 5 s; then both USER_LEAVE, CALL_END error", async () => {
    const { alice, bob } = await talking();
    world.net.rooms.setMediaConnected('bob', false);
    await world.advance(4_900);
    expect([alice.take(), bob.take()]).toEqual([[], []]);
    await world.advance(200);
    expect(alice.take()).toEqual([ev.leave('bob'), ev.end('alice', 'error', 6)]);
    expect(bob.take()).toEqual([ev.leave('alice'), ev.end('alice', 'error', 6)]);
    failOnCoreFaults();
  });

  it("Bob's media connection dies and comes back after 3 s -> nobody sees anything; the call goes on", async () => {
    const { alice, bob } = await talking();
    world.net.rooms.setMediaConnected('bob', false);
    await world.advance(3 * S);
    world.net.rooms.setMediaConnected('bob', true);
    await world.advance(60 * S);
    expect([alice.take(), bob.take()]).toEqual([[], []]);
    await alice.calling.hangup();
    await world.advance(S);
    expect(bob.take()).toEqual([ev.leave('alice'), ev.end('alice', 'hangup', 64)]);
  });

  it('config.leaveGraceMs 2000 -> the lost member is let go after 2 s', async () => {
    const { alice } = await talking({ leaveGraceMs: 2_000 });
    world.net.rooms.setMediaConnected('bob', false);
    await world.advance(1_900);
    expect(alice.take()).toEqual([]);
    await world.advance(200);
    expect(alice.take()).toEqual([ev.leave('bob'), ev.end('alice', 'error', 3)]);
  });
});
