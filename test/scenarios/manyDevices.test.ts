/** Many devices over the memory network and over the embedded server (`--multi-device`). */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TRTCCalling } from '../../src/index';
import { ev } from '../support/ev';
import { makeEmbeddedWorld, SDKAPPID } from '../support/embeddedWorld';
import { memoryWorld, party, type Party } from '../support/world';
import { type DevicesWorld, describeManyDevicesScenarios } from './manyDevicesScenarios';

describeManyDevicesScenarios('the memory network', (): DevicesWorld => {
  const world = memoryWorld({ multiDevice: true });
  const devices: Party[] = [];
  return {
    ...world,
    async device(userID, deviceID, multiDevice = true) {
      const p = party(userID, new TRTCCalling({ SDKAppID: 1400000001, backend: world.net.backend({ multiDevice, deviceID }) }));
      devices.push(p);
      await p.calling.login({ userID, userSig: `sig-${userID}` });
      await world.net.settle();
      p.take();
      return p;
    },
    async dispose() {
      for (const p of devices) void p.calling.destroy();
      await world.dispose();
    },
  };
});

describeManyDevicesScenarios('the embedded server', (): DevicesWorld => {
  const world = makeEmbeddedWorld({ server: { multiDevice: true } });
  const devices: Party[] = [];
  return {
    ...world,
    user: (userID) => world.user(userID),
    async device(userID, deviceID, multiDevice = true) {
      const p = party(userID, new TRTCCalling({ SDKAppID: SDKAPPID, backend: world.backend({ multiDevice, deviceID }) }));
      devices.push(p);
      await p.calling.login({ userID, userSig: world.userSig(userID) });
      await world.settle();
      p.take();
      return p;
    },
    async dispose() {
      for (const p of devices) void p.calling.destroy();
      await world.dispose();
    },
  };
}, 'holdsAnswers', false);

// The memory network's fault rules make a late message exact.
describe('many devices over the memory network: a glare invite that lands late', () => {
  let world: ReturnType<typeof memoryWorld>;
  beforeEach(() => {
    world = memoryWorld({ multiDevice: true });
  });
  afterEach(() => world.dispose());
  const device = async (userID: string, deviceID: string) => {
    const p = party(userID, new TRTCCalling({ SDKAppID: 1400000001, backend: world.net.backend({ multiDevice: true, deviceID }) }));
    await p.calling.login({ userID, userSig: `sig-${userID}` });
    await world.net.settle();
    p.take();
    return p;
  };

  // The winner, in the call by then, declines it: a busy answer the network would hold from Alice
  // (the laptop is not busy), and the laptop would ring on for a call that is under way.
  it("Alice's invite lands 3 s late, Bob's phone (which won) already in the call with her -> the phone declines it: the laptop stops ringing at once", async () => {
    const alice = await world.user('alice');
    const [bob1, bob2] = [await device('bob', 'phone'), await device('bob', 'laptop')];
    world.net.im.addRule({ match: (m) => m.from === 'alice' && /"actionType":1/.test(m.payload), action: { delay: 3000 } });
    await Promise.all([bob1.calling.call({ userID: 'alice', type: 2, timeout: 30 }), alice.calling.call({ userID: 'bob', type: 2, timeout: 30 })]);
    await world.advance(2000);
    expect(alice.take()).toEqual([ev.accepted('bob'), ...ev.arrives('bob')]);
    expect(bob1.take()).toEqual([ev.accepted('alice'), ...ev.arrives('alice')]);
    await world.advance(2000);
    expect(bob2.take()).toEqual([ev.invited('alice', ['bob']), ev.end('alice', 'rejected', 0)]);
    expect([alice.calling.getCallStatus(), bob1.calling.getCallStatus(), bob2.calling.getCallStatus()]).toEqual(['connected', 'connected', 'idle']);
    for (const p of [bob1, bob2]) void p.calling.destroy();
  });

  // Not a late glare: a new call, sent once the call was up (past LATE_GLARE_MS). Busy, held by the network
  // while Alice's laptop rings; also before Bob's media reached Alice (her call answered, not yet connected).
  it.each([
    ['in the call', 20],
    ['answered, before his media reached her', 5000],
  ])("Alice's phone in a call with Bob's phone (%s); Bob's laptop then calls Alice -> Alice's laptop rings (not declined by her phone)", async (_, roomLatency) => {
    const [alice1, alice2] = [await device('alice', 'phone'), await device('alice', 'laptop')];
    const [bob1, bob2] = [await device('bob', 'phone'), await device('bob', 'laptop')];
    world.net.rooms.setLatency(roomLatency);
    await alice1.calling.call({ userID: 'bob', type: 2, timeout: 30 });
    world.net.rooms.setLatency(20);
    await world.advance(100);
    await bob1.calling.accept();
    await world.advance(3000);
    expect(alice1.calling.getCallStatus()).toBe('connected');
    for (const p of [alice1, alice2, bob1, bob2]) p.take();
    await bob2.calling.call({ userID: 'alice', type: 2, timeout: 30 });
    await world.advance(1000);
    expect(alice2.take()).toEqual([ev.invited('bob', ['alice'])]);
    expect(bob2.take()).toEqual([]);
    for (const p of [alice1, alice2, bob1, bob2]) void p.calling.destroy();
  });
});
