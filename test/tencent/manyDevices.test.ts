/**
 * Many devices (issue 11) on the tencent backend, through the public TRTCCalling API: Bob is
 * logged in on two TIM terminals (the fake IM cloud with multi-terminal login), both opted in
 * (`tencentBackend({ multiDevice: true })`). TIM rings every terminal and syncs what a terminal
 * sends to the others, so an answer on one ends the ring on the other: the shared scenarios that
 * rest on that alone run here (and show where it differs: nothing holds or filters answers in
 * TIM; see the README's "Many devices per user").
 */
import { afterEach, describe, expect, it } from 'vitest';
import { tencentBackend } from '../../src/tencent';
import { ev } from '../support/ev';
import { describeManyDevicesScenarios } from '../scenarios/manyDevicesScenarios';
import { SDK_APP_ID, tencentWorld, type TencentParty, type TencentWorld } from './tencentWorld';

const S = 1000;
const TIMEOUT = 30;

describeManyDevicesScenarios(
  'the tencent backend (TIM multi-terminal login)',
  () => {
    const world = tencentWorld({ multiTerminal: true });
    // TIM knows no device IDs: each instance is a terminal.
    return { ...world, device: (userID, _deviceID, multiDevice) => world.device(userID, multiDevice) };
  },
  'syncsOnly',
);

describe('a terminal that is not in the call', () => {
  let world: TencentWorld;
  afterEach(() => world.dispose());

  it("sends nothing for it: Carol's switch request reaches both of Bob's terminals, only the one in the call answers", async () => {
    world = tencentWorld({ multiTerminal: true });
    const [carol, bob1] = [await world.user('carol'), await world.device('bob')];
    await world.device('bob');
    await carol.calling.call({ userID: 'bob', type: 1, timeout: TIMEOUT });
    await world.advance(S);
    await bob1.calling.accept();
    await world.advance(S);
    const switched = carol.calling.switchToVideoCall();
    await world.advance(S);
    await switched;
    // TIM's action types: 3 accept, 4 reject. The idle terminal refuses no switch (without multiDevice it would).
    const answers = world.im.log.filter((m) => m.from === 'bob').map((m) => JSON.parse(m.payload.data).actionType);
    expect(answers).toEqual([3, 3]);
    expect(world.errors).toEqual([]);
  });
});

// TIM stamps a message's time in whole seconds, so its send time can read up to a second late: a glare
// invite that lands late must still be told from a new call (declined, so the other terminal stops).
describe('a glare invite landing late on TIM (send times in whole seconds)', () => {
  let world: TencentWorld;
  afterEach(() => world.dispose());

  /** TIM hands `from`'s invites to `party`'s terminal `ms` late (other messages on time). */
  function delayInvitesFrom(party: TencentParty, from: string, ms: number): void {
    const tim = party.tim as unknown as { receive(messages: { from: string; payload: { data: string } }[]): void };
    const receive = tim.receive.bind(tim);
    tim.receive = (messages) => {
      const slow = messages.filter((m) => m.from === from && /"actionType":1/.test(m.payload.data));
      const rest = messages.filter((m) => !slow.includes(m));
      if (rest.length > 0) receive(rest);
      if (slow.length > 0) world.clock.setTimeout(() => receive(slow), ms);
    };
  }

  it("Alice's invite lands 3 s late, dialled at a whole second; Bob's phone (which won) is in the call -> it declines it, the laptop stops ringing", async () => {
    world = tencentWorld({ multiTerminal: true });
    const alice = await world.user('alice');
    const [bob1, bob2] = [await world.device('bob'), await world.device('bob')];
    await world.advance(S);
    await world.advance(S - (world.clock.now() % S));
    for (const p of [bob1, bob2]) delayInvitesFrom(p, 'alice', 3000);
    await Promise.all([bob1.calling.call({ userID: 'alice', type: 2, timeout: TIMEOUT }), alice.calling.call({ userID: 'bob', type: 2, timeout: TIMEOUT })]);
    await world.advance(2 * S);
    expect(alice.take()).toEqual([ev.accepted('bob'), ...ev.arrives('bob')]);
    expect(bob1.take()).toEqual([ev.accepted('alice'), ...ev.arrives('alice')]);
    await world.advance(2 * S);
    expect(bob2.take()).toEqual([ev.invited('alice', ['bob']), ev.end('alice', 'rejected', 0)]);
  });
});

describe('one terminal per user (TIM default policy)', () => {
  let world: TencentWorld;
  afterEach(() => world.dispose());

  it('a second login of Bob kicks the first, even with multiDevice', async () => {
    world = tencentWorld();
    const bob1 = await world.device('bob');
    const bob2 = await world.device('bob');
    await world.advance(S);
    expect(bob1.take()).toEqual([ev.kicked()]);
    const alice = await world.user('alice');
    await alice.calling.call({ userID: 'bob', type: 2, timeout: TIMEOUT });
    await world.advance(S);
    expect(bob2.take()).toEqual([ev.invited('alice', ['bob'])]);
    expect(bob1.take()).toEqual([]);
  });
});

describe('tencentBackend({ multiDevice })', () => {
  it('sets backend.multiDevice only when true; anything but a boolean is refused', () => {
    expect(tencentBackend({ SDKAppID: SDK_APP_ID, multiDevice: true }).multiDevice).toBe(true);
    expect(tencentBackend({ SDKAppID: SDK_APP_ID, multiDevice: false }).multiDevice).toBeUndefined();
    expect(tencentBackend({ SDKAppID: SDK_APP_ID }).multiDevice).toBeUndefined();
    expect(() => tencentBackend({ SDKAppID: SDK_APP_ID, multiDevice: 'yes' as unknown as boolean })).toThrow(TypeError);
  });
});
