import { describe, expect, it } from 'vitest';
import type { ImMessage, SendOptions } from '../../../adapters/ImPort';
import {
  createMemoryNetwork,
  InMemoryImHub,
  SimulatedClock,
  type ImFaults,
  type ImLogEntry,
} from '../../../adapters/memory';
import { recordIm } from '../../contracts/imPortContract';

const stored: SendOptions = { onlineUserOnly: false };
const onlineOnly: SendOptions = { onlineUserOnly: true };

function world(options: { latency?: number; verifyUserSig?: (u: string, s: string) => boolean } = {}) {
  const clock = new SimulatedClock();
  const net = createMemoryNetwork({ clock, ...options });
  const user = async (userID: string) => {
    const port = net.im.connect();
    const rec = recordIm(port);
    await port.login(userID, `sig:${userID}`);
    return { port, rec };
  };
  return { clock, net, hub: net.im, user };
}

const payloads = (messages: readonly ImMessage[]): string[] => messages.map((m) => m.payload);
const fates = (log: readonly ImLogEntry[]): string[] =>
  log.map((e) => `${e.payload}->${e.to} ${e.fate}${e.reason ? `(${e.reason})` : ''} @${e.at}`);

describe('InMemoryImHub', () => {
  it('delivers after the latency, stamping sentAt with the send time', async () => {
    const { clock, user } = world();
    const alice = await user('alice');
    const bob = await user('bob');
    await clock.advance(5);
    await alice.port.sendToUser('bob', 'hi', stored);
    await clock.advance(19);
    expect(bob.rec.messages).toEqual([]);
    await clock.advance(1);
    expect(bob.rec.messages).toEqual([{ from: 'alice', payload: 'hi', sentAt: 5 }]);
  });

  it('logs every fate: delivered, stored, dropped (onlineUserOnly)', async () => {
    const { clock, hub, user } = world();
    const alice = await user('alice');
    await alice.port.sendToUser('bob', 'keep', stored);
    await alice.port.sendToUser('bob', 'live', onlineOnly);
    await clock.advance(10);
    await user('bob');
    await clock.advance(20);
    expect(fates(hub.log)).toEqual([
      'keep->bob stored(offline) @0',
      'live->bob dropped(onlineUserOnly) @0',
      'keep->bob delivered @30',
    ]);
  });

  it('refuses a userSig that verifyUserSig rejects (70001)', async () => {
    const { net } = world({ verifyUserSig: (u, s) => s === `sig:${u}` });
    await expect(net.im.connect().login('alice', 'forged')).rejects.toMatchObject({
      name: 'ImPortError',
      code: 70001,
    });
    await expect(net.im.connect().login('alice', 'sig:alice')).resolves.toBeUndefined();
  });

  it("a duplicate login kicks the earlier port with 'multipleAccount'; it is logged out", async () => {
    const { hub, user } = world();
    const first = await user('bob');
    const second = await user('bob');
    expect(first.rec.kicked).toEqual(['multipleAccount']);
    expect(first.rec.connection).toEqual(['connected']);
    expect(second.rec.connection).toEqual(['connected']);
    expect(hub.isOnline('bob')).toBe(true);
    await second.port.logout();
    expect(hub.isOnline('bob')).toBe(false);
  });

  it('a message in flight when the recipient logs out is stored and keeps its send order', async () => {
    const { clock, hub, user } = world();
    const alice = await user('alice');
    const bob = await user('bob');
    await alice.port.sendToUser('bob', 'm1', stored);
    await clock.advance(5);
    await bob.port.logout();
    await alice.port.sendToUser('bob', 'm2', stored);
    await clock.advance(50);
    await bob.port.login('bob', 'sig:bob');
    await clock.advance(20);
    expect(payloads(bob.rec.messages)).toEqual(['m1', 'm2']);
    expect(fates(hub.log)).toEqual([
      'm2->bob stored(offline) @5',
      'm1->bob stored(offline) @20',
      'm1->bob delivered @75',
      'm2->bob delivered @75',
    ]);
  });

  it('groups: create, join, quit, members; fan-out follows membership', async () => {
    const { clock, hub, user } = world();
    hub.createGroup('g', ['alice', 'bob']);
    expect(() => hub.createGroup('g', [])).toThrow();
    hub.joinGroup('g', 'carol');
    hub.quitGroup('g', 'bob');
    expect(hub.members('g')).toEqual(['alice', 'carol']);
    expect(hub.members('unknown')).toEqual([]);
    const alice = await user('alice');
    const bob = await user('bob');
    const carol = await user('carol');
    await alice.port.sendToGroup('g', 'hey', stored);
    await clock.advance(20);
    expect(carol.rec.messages).toEqual([{ from: 'alice', groupID: 'g', payload: 'hey', sentAt: 0 }]);
    expect(bob.rec.messages).toEqual([]);
  });

  it("a listener's exception reaches neither the hub nor the other listeners", async () => {
    const clock = new SimulatedClock();
    const errors: unknown[] = [];
    const hub = new InMemoryImHub({ clock, onListenerError: (e) => errors.push(e) });
    const alice = hub.connect();
    const bob = hub.connect();
    const heard: string[] = [];
    bob.onMessage(() => {
      throw new Error('listener bug');
    });
    bob.onMessage((m) => heard.push(m.payload));
    await alice.login('alice', 's');
    await bob.login('bob', 's');
    await alice.sendToUser('bob', 'still here', stored);
    await clock.advance(20);
    expect(heard).toEqual(['still here']);
    expect(errors).toHaveLength(1);
  });

  describe('reachability', () => {
    it('unreachable: disconnected, messages held (onlineUserOnly dropped), sends reject 2805; back: connected, held delivered in order', async () => {
      const { clock, hub, user } = world();
      const alice = await user('alice');
      const bob = await user('bob');
      hub.setReachable('bob', false);
      expect(bob.rec.connection).toEqual(['connected', 'disconnected']);
      expect(hub.isOnline('bob')).toBe(false);
      await alice.port.sendToUser('bob', 'm1', stored);
      await alice.port.sendToUser('bob', 'ring', onlineOnly);
      await alice.port.sendToUser('bob', 'm2', stored);
      await expect(bob.port.sendToUser('alice', 'x', stored)).rejects.toMatchObject({ code: 2805 });
      await clock.advance(100);
      expect(bob.rec.messages).toEqual([]);
      hub.setReachable('bob', true);
      expect(bob.rec.connection).toEqual(['connected', 'disconnected', 'connected']);
      await clock.advance(20);
      expect(payloads(bob.rec.messages)).toEqual(['m1', 'm2']);
      expect(alice.rec.messages).toEqual([]);
    });

    it('a message in flight when the network drops is held until it comes back', async () => {
      const { clock, hub, user } = world();
      const alice = await user('alice');
      const bob = await user('bob');
      await alice.port.sendToUser('bob', 'm1', stored);
      await clock.advance(10);
      hub.setReachable('bob', false);
      await clock.advance(100);
      hub.setReachable('bob', true);
      hub.setReachable('bob', true);
      await clock.advance(20);
      expect(payloads(bob.rec.messages)).toEqual(['m1']);
      expect(bob.rec.connection).toEqual(['connected', 'disconnected', 'connected']);
    });

    it('login while unreachable rejects 2805', async () => {
      const { hub, net } = world();
      hub.setReachable('bob', false);
      await expect(net.im.connect().login('bob', 'sig')).rejects.toMatchObject({ code: 2805 });
    });
  });

  describe('fault rules', () => {
    it("'drop' with times: 1 loses only the first matching message", async () => {
      const { clock, hub, user } = world();
      const alice = await user('alice');
      const bob = await user('bob');
      hub.addRule({ match: (m) => m.to === 'bob', action: 'drop', times: 1 });
      await alice.port.sendToUser('bob', 'm1', stored);
      await alice.port.sendToUser('bob', 'm2', stored);
      await clock.advance(20);
      expect(payloads(bob.rec.messages)).toEqual(['m2']);
      expect(fates(hub.log)).toEqual(['m1->bob dropped(rule) @0', 'm2->bob delivered @20']);
    });

    it("'duplicate' delivers twice, the copy one latency later", async () => {
      const { clock, hub, user } = world();
      const alice = await user('alice');
      const bob = await user('bob');
      const times: number[] = [];
      bob.port.onMessage(() => times.push(clock.now()));
      hub.addRule({ match: (m) => m.payload === 'twice', action: 'duplicate' });
      await alice.port.sendToUser('bob', 'twice', stored);
      await clock.advance(100);
      expect(payloads(bob.rec.messages)).toEqual(['twice', 'twice']);
      expect(times).toEqual([20, 40]);
      expect(hub.log.map((e) => e.fate)).toEqual(['duplicated', 'delivered', 'delivered']);
    });

    it('{ delay } lets a later message overtake; the remover disables the rule', async () => {
      const { clock, hub, user } = world();
      const alice = await user('alice');
      const bob = await user('bob');
      const remove = hub.addRule({ match: (m) => m.payload === 'slow', action: { delay: 100 } });
      await alice.port.sendToUser('bob', 'slow', stored);
      await alice.port.sendToUser('bob', 'fast', stored);
      await clock.advance(100);
      expect(payloads(bob.rec.messages)).toEqual(['fast', 'slow']);
      remove();
      await alice.port.sendToUser('bob', 'slow', stored);
      await alice.port.sendToUser('bob', 'fast', stored);
      await clock.advance(20);
      expect(payloads(bob.rec.messages).slice(2)).toEqual(['slow', 'fast']);
    });

    it('rules see seq, from, to and groupID of each recipient copy', async () => {
      const { clock, hub, user } = world();
      hub.createGroup('g', ['alice', 'bob', 'carol']);
      const alice = await user('alice');
      const bob = await user('bob');
      const carol = await user('carol');
      hub.addRule({ match: (m) => m.groupID === 'g' && m.to === 'carol', action: 'drop' });
      await alice.port.sendToGroup('g', 'x', stored);
      await clock.advance(20);
      expect(payloads(bob.rec.messages)).toEqual(['x']);
      expect(carol.rec.messages).toEqual([]);
      expect(hub.log.map((e) => [e.seq, e.from, e.to, e.groupID, e.fate])).toEqual([
        [2, 'alice', 'carol', 'g', 'dropped'],
        [1, 'alice', 'bob', 'g', 'delivered'],
      ]);
    });
  });

  describe('random faults', () => {
    async function run(faults: ImFaults) {
      const { clock, hub, user } = world();
      hub.setFaults(faults);
      const alice = await user('alice');
      const bob = await user('bob');
      for (let i = 0; i < 60; i++) await alice.port.sendToUser('bob', `m${i}`, stored);
      await clock.runUntilIdle();
      return { log: hub.log, received: payloads(bob.rec.messages) };
    }
    const faults: ImFaults = { dropRate: 0.2, duplicateRate: 0.2, reorderRate: 0.3, jitter: 5, seed: 42 };

    it('the same seed gives the same log; another seed another', async () => {
      const a = await run(faults);
      const b = await run(faults);
      const c = await run({ ...faults, seed: 7 });
      expect(b.log).toEqual(a.log);
      expect(b.received).toEqual(a.received);
      expect(c.log).not.toEqual(a.log);
    });

    it('drops, duplicates and reorders at roughly the configured rates', async () => {
      const { log, received } = await run(faults);
      const count = (fate: string) => log.filter((e) => e.fate === fate).length;
      expect(count('dropped')).toBeGreaterThan(3);
      expect(count('duplicated')).toBeGreaterThan(3);
      expect(count('delivered')).toBe(received.length);
      const indexes = received.map((p) => Number(p.slice(1)));
      expect(indexes).not.toEqual([...indexes].sort((x, y) => x - y));
    });

    it('latency is a knob too', async () => {
      const { clock, hub, user } = world();
      hub.setFaults({ latency: 50 });
      const alice = await user('alice');
      const bob = await user('bob');
      await alice.port.sendToUser('bob', 'x', stored);
      await clock.advance(49);
      expect(bob.rec.messages).toEqual([]);
      await clock.advance(1);
      expect(payloads(bob.rec.messages)).toEqual(['x']);
    });
  });
});
