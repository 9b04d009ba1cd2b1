import { describe, expect, it } from 'vitest';
import type { ImMessage } from '../../../adapters/ImPort';
import { createMemoryNetwork, realClock, SimulatedClock } from '../../../adapters/memory';

describe('createMemoryNetwork', () => {
  it('backend(): fresh ports on shared hubs, the network clock, name "memory"', async () => {
    const clock = new SimulatedClock();
    const net = createMemoryNetwork({ clock });
    const a = net.backend();
    const b = net.backend();
    expect(a.name).toBe('memory');
    expect(a.clock).toBe(clock);
    expect(net.clock).toBe(clock);
    expect(a.im).not.toBe(b.im);
    expect(a.room).not.toBe(b.room);
    await a.im.login('alice', 's');
    await b.im.login('bob', 's');
    const heard: ImMessage[] = [];
    b.im.onMessage((m) => heard.push(m));
    await a.im.sendToUser('bob', 'hi', { onlineUserOnly: true });
    await net.advance(20);
    expect(heard).toEqual([{ from: 'alice', payload: 'hi', sentAt: 0 }]);
    expect(net.im.log.map((e) => e.fate)).toEqual(['delivered']);
  });

  it('inviteIdGen and roomIdGen are deterministic counters shared by the network', () => {
    const net = createMemoryNetwork({ clock: new SimulatedClock() });
    const a = net.backend();
    const b = net.backend();
    const ids = [a.inviteIdGen?.(), b.inviteIdGen?.(), a.inviteIdGen?.()];
    expect(ids).toEqual([
      '00000000-0000-4000-8000-000000000001',
      '00000000-0000-4000-8000-000000000002',
      '00000000-0000-4000-8000-000000000003',
    ]);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const many = Array.from({ length: 20 }, () => a.inviteIdGen?.() ?? '');
    expect([...many].sort()).toEqual(many);
    expect([a.roomIdGen?.(), b.roomIdGen?.(), a.roomIdGen?.()]).toEqual([1001, 1002, 1003]);
    expect(createMemoryNetwork().backend().roomIdGen?.()).toBe(1001);
  });

  it('latency, roomLatency and verifyUserSig reach the hubs', async () => {
    const clock = new SimulatedClock();
    const net = createMemoryNetwork({ clock, latency: 5, roomLatency: 50, verifyUserSig: (u, s) => s === u });
    const a = net.backend();
    await expect(a.im.login('alice', 'wrong')).rejects.toMatchObject({ code: 70001 });
    await a.im.login('alice', 'alice');
    const heard: number[] = [];
    a.im.onMessage(() => heard.push(clock.now()));
    await a.im.sendToUser('alice', 'note to self', { onlineUserOnly: false });
    let entered = -1;
    const entering = a.room.enter(1001, { userID: 'alice', video: false, audioMuted: false }).then(() => {
      entered = clock.now();
    });
    await net.advance(100);
    await entering;
    expect(heard).toEqual([5]);
    expect(entered).toBe(50);
  });

  it('advance() and settle() reject clearly without a SimulatedClock', async () => {
    const net = createMemoryNetwork();
    expect(net.clock).toBe(realClock);
    await expect(net.advance(10)).rejects.toThrow(/SimulatedClock/);
    await expect(net.settle()).rejects.toThrow(/SimulatedClock/);
  });

  it('runs in real time with no clock (a delivery with zero latency)', async () => {
    const net = createMemoryNetwork({ latency: 0 });
    const a = net.backend();
    const b = net.backend();
    await a.im.login('alice', 's');
    await b.im.login('bob', 's');
    const arrived = new Promise<ImMessage>((resolve) => b.im.onMessage(resolve));
    const before = realClock.now();
    await a.im.sendToUser('bob', 'real', { onlineUserOnly: false });
    const message = await arrived;
    expect(message.payload).toBe('real');
    expect(message.sentAt).toBeGreaterThanOrEqual(before);
  });

  it('checks its options and backend() its own: a typo or a wrong type is a TypeError naming it (the audit of 2026-12-07: it ran with the default)', () => {
    const clock = new SimulatedClock();
    const net0 = createMemoryNetwork({ clock });
    expect(() => createMemoryNetwork({ clock, latancy: 0 } as never)).toThrow(new TypeError('createMemoryNetwork: unknown option latancy (known: clock, latency, roomLatency, verifyUserSig, multiDevice, offlineTtlMs, logLimit)'));
    expect(() => createMemoryNetwork(null as never)).toThrow(/^createMemoryNetwork: options must be an object/);
    // The class, not an instance (the README's example of the mistake): named, not its 80 lines of source.
    expect(() => createMemoryNetwork({ clock: SimulatedClock } as never)).toThrow(
      new TypeError('createMemoryNetwork: clock must be a Clock (now, setTimeout, clearTimeout), e.g. new SimulatedClock() (got class SimulatedClock)'),
    );
    expect(() => net0.im.addRule({ match: () => true, action: function drop() {} } as never)).toThrow(/\(got function drop\)$/);
    expect(() => createMemoryNetwork({ clock: {} } as never)).toThrow(TypeError);
    expect(() => createMemoryNetwork({ clock, verifyUserSig: true } as never)).toThrow(/verifyUserSig must be a function/);
    expect(() => createMemoryNetwork({ clock, multiDevice: 'yes' } as never)).toThrow(/multiDevice must be a boolean \(got "yes"\)/);
    expect(() => createMemoryNetwork({ clock, latency: undefined, multiDevice: undefined })).not.toThrow();
    const net = createMemoryNetwork({ clock, multiDevice: true });
    expect(() => net.backend({ deviceID: 5 } as never)).toThrow(/^MemoryNetwork.backend: deviceID must be a non-empty string \(got 5\)/);
    expect(() => net.backend({ deviceID: '' })).toThrow(TypeError);
    expect(() => net.backend({ multiDevice: 1 } as never)).toThrow(/multiDevice must be a boolean/);
    expect(() => net.backend({ multidevice: true } as never)).toThrow(/unknown option multidevice/);
    expect(net.backend({ multiDevice: true, deviceID: 'phone' }).name).toBe('memory');
  });
});
