/**
 * What a ringing callee was handed early (the caller's offer and addresses, issue 14) does not
 * outlive an invitation it never answered: declined, withdrawn, timed out, answered on another
 * device. The call tells its
 * room (`room.forget` -> `RoomPort.forgetInvitation`), and the room port drops what it kept for
 * that room at once, rather than when newer rooms push it out or the connection ends.
 * Over the real embedded server on a simulated clock; the caller relays as a browser would.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EmbeddedBackend } from '../../adapters/ws/embeddedBackend';
import { TRTCCalling } from '../../src/index';
import { type EmbeddedWorld, makeEmbeddedWorld, SDKAPPID } from '../support/embeddedWorld';
import { type Party, party } from '../support/world';

const OFFER = JSON.stringify({ kind: 'sdp', description: { type: 'offer', sdp: 'offer from alice' } });
const ROOM = 1001; // the world's first room ID

describe('early relays of an invitation not answered are forgotten (embedded)', () => {
  let world: EmbeddedWorld;
  beforeEach(() => {
    world = makeEmbeddedWorld();
  });
  afterEach(async () => {
    await world.dispose();
  });

  /** A logged-in user (one of its devices, with `deviceID`), with the backend under its TRTCCalling (to read what its room port kept). */
  async function user(userID: string, deviceID?: string): Promise<{ party: Party; backend: EmbeddedBackend }> {
    const backend = world.backend(deviceID ? { multiDevice: true, deviceID } : {});
    const p = party(userID, new TRTCCalling({ SDKAppID: SDKAPPID, backend }));
    await p.calling.login({ userID, userSig: world.userSig(userID) });
    await world.settle();
    p.take();
    return { party: p, backend };
  }

  /** Alice calls Bob and, in her room, sends him her offer, which the server hands him while he rings. */
  async function ringing() {
    const alice = await user('alice');
    const bob = await user('bob');
    await alice.party.calling.call({ userID: 'bob', type: 2, timeout: 30 });
    await world.settle();
    await alice.backend.room.relay('bob', OFFER);
    await world.settle();
    expect(bob.party.take().map((e) => e.name)).toEqual(['onInvited']);
    return { alice, bob };
  }

  const endings = {
    'Bob declines': async ({ bob }: Awaited<ReturnType<typeof ringing>>) => bob.party.calling.reject(),
    'Alice hangs up while it rings': async ({ alice }: Awaited<ReturnType<typeof ringing>>) => alice.party.calling.hangup(),
    'nobody answers in 30 s': async () => world.advance(30_000),
  };

  it.each(Object.keys(endings) as (keyof typeof endings)[])('%s -> nothing of Alice\'s is left in Bob\'s room port', async (ending) => {
    const call = await ringing();
    await endings[ending](call);
    await world.settle();
    expect(call.bob.party.calling.getSnapshot().line).toBe('idle');
    expect(call.bob.backend.room.takeEarly(ROOM)).toEqual([]);
  });

  it('many devices: Bob accepts on his phone -> his laptop stops ringing and keeps nothing of Alice\'s', async () => {
    await world.dispose();
    world = makeEmbeddedWorld({ server: { multiDevice: true } });
    const alice = await user('alice');
    const laptop = await user('bob', 'laptop');
    const phone = await user('bob', 'phone');
    await alice.party.calling.call({ userID: 'bob', type: 2, timeout: 30 });
    await world.settle();
    await alice.backend.room.relay('bob', OFFER);
    await world.settle();
    await phone.party.calling.accept();
    await world.settle();
    expect(laptop.party.take().map((e) => e.name)).toEqual(['onInvited', 'onCallEnd']);
    expect(laptop.backend.room.takeEarly(ROOM)).toEqual([]);
  });

  it('Bob accepts: what he was handed is his enter\'s to apply, and nothing is kept after it', async () => {
    const { bob } = await ringing();
    const relayed: string[] = [];
    bob.backend.room.onRelay((r) => relayed.push(`${r.from}: ${r.data}`));
    await bob.party.calling.accept();
    await world.settle();
    // The enter brings it (no WebRTC here takes it early): told once, and nothing is kept.
    expect(relayed).toEqual([`alice: ${OFFER}`]);
    expect(bob.backend.room.takeEarly(ROOM)).toEqual([]);
  });
});
