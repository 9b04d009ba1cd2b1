/**
 * Virtual time over real sockets is reproducible: the same script run twice over two fresh
 * servers moves the same frames in the same order and gives every user the same events.
 */
import { describe, expect, it } from 'vitest';
import { makeEmbeddedWorld } from '../support/embeddedWorld';

const S = 1000;

/** A busy group call with concurrent answers, timeouts and a drop; returns the frame trace and the logs. */
async function run() {
  const world = makeEmbeddedWorld();
  try {
    const [alice, bob, carol, dave] = [await world.user('alice'), await world.user('bob'), await world.user('carol'), await world.user('dave')];
    await world.createGroup('team', ['alice', 'bob', 'carol', 'dave']);
    await alice!.calling.groupCall({ userIDList: ['bob', 'carol', 'dave'], type: 2, groupID: 'team', timeout: 20 });
    await world.advance(S);
    // Answers made in the same instant on three sockets.
    await Promise.all([bob!.calling.accept(), carol!.calling.accept(), dave!.calling.reject()]);
    await world.advance(S);
    (await world.server()).dropConnections('carol');
    await Promise.all([bob!.calling.closeCamera(), alice!.calling.setMicMute(true)]);
    await world.advance(30 * S);
    await bob!.calling.hangup();
    await world.advance(15 * S);
    const logs = [alice, bob, carol, dave].map((p) => p!.take());
    return { trace: [...world.net.trace], logs };
  } finally {
    await world.dispose();
  }
}

describe('determinism of the embedded world', () => {
  it('two runs of one script: the same frames in the same order, the same events', async () => {
    const first = await run();
    const second = await run();
    expect(first.trace.length).toBeGreaterThan(50);
    expect(second.trace).toEqual(first.trace);
    expect(second.logs).toEqual(first.logs);
  });
});
