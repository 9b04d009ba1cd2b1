/**
 * A room left as the connection drops: the `roomExit` reached the server, its answer did not. On
 * the reconnection the room port took itself for still in the room (the exit unanswered) and,
 * the server saying it was in none, entered it again; then the exit, sent again, was answered
 * from the server's reply cache without being done twice: the user stayed in the room on the
 * server, a ghost the others saw, while her client had ended the call (its next call refused
 * `alreadyInRoom`). Found by the property runs over the embedded server (seed 1752843277).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ev } from '../../support/ev';
import { makeEmbeddedWorld, type EmbeddedWorld } from '../../support/embeddedWorld';

describe('a hangup whose roomExit answer the connection lost', () => {
  let world: EmbeddedWorld;
  beforeEach(() => {
    world = makeEmbeddedWorld();
  });
  afterEach(() => world.dispose());

  it('Alice hangs up, her connection drops before the exit is answered; she reconnects -> not in the room again, and her next call to Bob connects', async () => {
    const alice = await world.user('alice');
    const bob = await world.user('bob');
    await alice.calling.call({ userID: 'bob', type: 1, timeout: 30 });
    await world.advance(1_000);
    await bob.calling.accept();
    await world.advance(1_000);
    alice.take();
    bob.take();

    // The answer to Alice's roomExit (the first ack after her hangup) is lost, and then her connection drops.
    let lose = true;
    world.net.intercept = (data) => {
      if (!lose || !data.includes('"type":"ack"')) return 'deliver';
      lose = false;
      return 'drop';
    };
    const hangup = alice.calling.hangup();
    await world.settle();
    const enters = world.net.trace.filter((step) => step.endsWith('< roomEnter'));
    expect(lose).toBe(false);
    (await world.server()).dropConnections('alice');
    await world.advance(5_000);
    await hangup;
    expect(bob.take()).toEqual([ev.leave('alice'), ev.end('alice', 'hangup', expect.any(Number))]);

    // She is out of the room on the server too: nothing entered it again, and she can call.
    await world.advance(5_000);
    expect(world.net.trace.filter((step) => step.endsWith('< roomEnter'))).toEqual(enters);
    await alice.calling.call({ userID: 'bob', type: 1, timeout: 30 });
    await world.advance(1_000);
    await bob.calling.accept();
    await world.advance(1_000);
    expect(alice.take()).toContainEqual(ev.enter('bob'));
  });
});
