import { describe, expect, it } from 'vitest';
import type { EnterOptions, RoomPort } from '../../../adapters/RoomPort';
import { createMemoryNetwork, SimulatedClock } from '../../../adapters/memory';
import { briefRoom, recordRoom } from '../../contracts/roomPortContract';

const video = (userID: string): EnterOptions => ({ userID, video: true, audioMuted: false });

function world() {
  const clock = new SimulatedClock();
  const net = createMemoryNetwork({ clock });
  const hub = net.rooms;
  const client = () => {
    const port = hub.connect();
    const log = recordRoom(port);
    const lines = (): string[] => briefRoom(log);
    return { port, log, lines };
  };
  const member = async (userID: string, roomID = 1001, options: EnterOptions = video(userID)) => {
    const c = client();
    const entered = c.port.enter(roomID, options);
    await clock.advance(20);
    await entered;
    await clock.settle();
    return c;
  };
  return { clock, net, hub, client, member };
}

async function settled(p: Promise<unknown>): Promise<'resolved' | 'rejected' | 'pending'> {
  const marker = Symbol('pending');
  const result = await Promise.race([
    p.then(
      () => 'resolved' as const,
      () => 'rejected' as const,
    ),
    new Promise<typeof marker>((resolve) => queueMicrotask(() => queueMicrotask(() => resolve(marker)))),
  ]);
  return result === marker ? 'pending' : result;
}

describe('InMemoryRoomHub', () => {
  it('enter() resolves after the latency, and before the newcomer hears of the others', async () => {
    const { clock, client, member } = world();
    await member('alice');
    const bob = client();
    const order: string[] = [];
    bob.port.onEvent((e) => order.push(e.type));
    const entering = bob.port.enter(1001, video('bob')).then(() => order.push('resolved'));
    await clock.advance(19);
    expect(await settled(entering)).toBe('pending');
    await clock.advance(1);
    expect(order).toEqual(['resolved', 'memberJoined', 'audioAvailable', 'videoAvailable', 'mediaArrived']);
  });

  it('notifications arrive one latency after the change', async () => {
    const { clock, member } = world();
    const alice = await member('alice');
    const bob = await member('bob');
    await alice.port.setCamera(false);
    await clock.advance(19);
    expect(bob.lines()).toHaveLength(4);
    await clock.advance(1);
    expect(bob.lines().slice(4)).toEqual(['1001 videoAvailable alice false']);
  });

  it('setLatency() changes later delays', async () => {
    const { clock, hub, client } = world();
    hub.setLatency(100);
    const alice = client();
    const entering = alice.port.enter(1001, video('alice'));
    await clock.advance(99);
    expect(await settled(entering)).toBe('pending');
    await clock.advance(1);
    expect(await settled(entering)).toBe('resolved');
  });

  it('kick(): the port gets failed, the others memberLeft, members() shrinks', async () => {
    const { clock, hub, member } = world();
    const alice = await member('alice');
    const bob = await member('bob');
    expect(hub.members(1001)).toEqual(['alice', 'bob']);
    expect(hub.kick('bob')).toBe(true);
    expect(hub.kick('nobody')).toBe(false);
    expect(hub.members(1001)).toEqual(['alice']);
    await clock.advance(20);
    expect(bob.lines().slice(4)).toEqual(['1001 failed 65535']);
    expect(alice.lines().slice(4)).toEqual(['1001 memberLeft bob']);
    await Promise.all([bob.port.enter(1002, video('bob')), clock.advance(20)]);
    expect(hub.members(1002)).toEqual(['bob']);
  });

  it('the same user entering from another port replaces the old one', async () => {
    const { clock, hub, member } = world();
    const alice = await member('alice');
    const bob1 = await member('bob');
    const bob2 = await member('bob', 1001, { userID: 'bob', video: false, audioMuted: false });
    await clock.advance(20);
    expect(bob1.lines().slice(4)).toEqual(['1001 failed 65535']);
    expect(bob2.lines()).toEqual(['1001 memberJoined alice', '1001 audioAvailable alice true', '1001 videoAvailable alice true', '1001 mediaArrived alice']);
    expect(alice.lines()).toEqual([
      '1001 memberJoined bob',
      '1001 audioAvailable bob true',
      '1001 videoAvailable bob true',
      '1001 mediaArrived bob',
      '1001 videoAvailable bob false',
    ]);
    expect(hub.members(1001)).toEqual(['alice', 'bob']);
  });

  it("a departed user's remote views are cleared; views follow the IM login before enter()", async () => {
    const { clock, net } = world();
    const a = net.backend();
    const b = net.backend();
    await a.im.login('alice', 's');
    await b.im.login('bob', 's');
    await a.room.startLocalView('preview');
    expect(net.rooms.views('alice')).toEqual([{ kind: 'local', userID: 'alice', domID: 'preview' }]);
    const enter = (port: RoomPort, userID: string) => Promise.all([port.enter(1001, video(userID)), clock.advance(20)]);
    await enter(a.room, 'alice');
    await enter(b.room, 'bob');
    await a.room.startRemoteView('bob', 'remote-bob');
    await a.room.startRemoteView('bob', 'remote-bob');
    expect(net.rooms.views('alice')).toHaveLength(2);
    await Promise.all([b.room.exit(), clock.advance(20)]);
    expect(net.rooms.views('alice')).toEqual([{ kind: 'local', userID: 'alice', domID: 'preview' }]);
  });

  it('exit() while entering completes the entry, then leaves', async () => {
    const { clock, hub, member, client } = world();
    const alice = await member('alice');
    const bob = client();
    const entering = bob.port.enter(1001, video('bob'));
    const exiting = bob.port.exit();
    await clock.advance(40);
    await Promise.all([entering, exiting]);
    expect(hub.members(1001)).toEqual(['alice']);
    expect(alice.lines().at(-1)).toBe('1001 memberLeft bob');
    expect(await settled(bob.port.exit())).toBe('resolved');
  });

  it('a change made while entering is what the others see on entry', async () => {
    const { clock, member, client } = world();
    const alice = await member('alice');
    const bob = client();
    const entering = bob.port.enter(1001, video('bob'));
    await bob.port.setCamera(false);
    await bob.port.setMicMuted(true);
    await clock.advance(40);
    await entering;
    expect(alice.lines()).toEqual(['1001 memberJoined bob', '1001 mediaArrived bob']);
  });

  it('rejects an invalid roomID and failing devices, leaving the room untouched', async () => {
    const { hub, client } = world();
    const alice = client();
    await expect(alice.port.enter(0, video('alice'))).rejects.toMatchObject({ name: 'RoomPortError', code: 65535 });
    await expect(alice.port.enter(1.5, video('alice'))).rejects.toMatchObject({ code: 65535 });
    const bob = client();
    hub.setDevices('bob', { camera: false });
    await expect(bob.port.enter(1001, video('bob'))).rejects.toMatchObject({ code: 60004 });
    hub.setDevices('bob', { camera: true, permission: 'denied' });
    await expect(bob.port.enter(1001, video('bob'))).rejects.toMatchObject({ code: 60005 });
    expect(hub.members(1001)).toEqual([]);
  });

  it('setCamera(true) before entering checks the devices of the IM login', async () => {
    const { net } = world();
    const carol = net.backend();
    await carol.im.login('carol', 's');
    net.rooms.setDevices('carol', { camera: false });
    await expect(carol.room.setCamera(true)).rejects.toMatchObject({ code: 60004 });
    net.rooms.setDevices('carol', { camera: true, permission: 'denied' });
    await expect(carol.room.setCamera(true)).rejects.toMatchObject({ code: 60005 });
    await expect(carol.room.setCamera(false)).resolves.toBeUndefined();
  });

  it("setMediaConnected(): a member's media connection goes down and comes back -> both ends hear it, membership untouched", async () => {
    const { clock, hub, member } = world();
    const alice = await member('alice');
    const bob = await member('bob');
    const carol = await member('carol', 1002);
    hub.setMediaConnected('bob', false);
    await clock.advance(20);
    hub.setMediaConnected('bob', true);
    hub.setMediaConnected('nobody', false);
    await clock.advance(20);
    expect(alice.lines().slice(4)).toEqual(['1001 connectionLost bob', '1001 connectionBack bob']);
    expect(bob.lines().slice(4)).toEqual(['1001 connectionLost alice', '1001 connectionBack alice']);
    expect(carol.lines()).toEqual([]);
    expect(hub.members(1001)).toEqual(['alice', 'bob']);
  });

  it('dispose(): a member leaves its room as with exit() (the others hear it a latency later), then the hub; no entry after it', async () => {
    const { clock, hub, client, member } = world();
    const alice = await member('alice');
    const bob = await member('bob');
    const idle = client();
    await idle.port.startLocalView('preview');
    expect(hub.connections()).toBe(3);
    const done = bob.port.dispose();
    expect(bob.port.dispose()).toBe(done);
    await clock.advance(19);
    expect(await settled(done)).toBe('pending');
    expect(hub.connections()).toBe(3); // in its room until the exit is done
    await clock.advance(1);
    expect(await settled(done)).toBe('resolved');
    expect(alice.lines().slice(4)).toEqual(['1001 memberLeft bob']);
    expect(hub.members(1001)).toEqual(['alice']);
    expect(hub.connections()).toBe(2);
    await idle.port.dispose(); // in no room: at once
    expect(hub.connections()).toBe(1);
    await expect(bob.port.enter(1002, video('bob'))).rejects.toMatchObject({ code: 65535, message: 'disposed' });
    expect(hub.connections()).toBe(1);
  });

  it('dispose() while entering: it enters, then leaves; the others hear both', async () => {
    const { clock, hub, client, member } = world();
    const alice = await member('alice');
    const bob = client();
    const entering = bob.port.enter(1001, video('bob'));
    const done = bob.port.dispose();
    await clock.advance(40);
    await entering;
    await done;
    expect(alice.lines()).toEqual(['1001 memberJoined bob', '1001 audioAvailable bob true', '1001 videoAvailable bob true', '1001 mediaArrived bob', '1001 memberLeft bob']);
    expect(hub.members(1001)).toEqual(['alice']);
    expect(hub.connections()).toBe(1);
  });
});
