/**
 * Receipts and answers at the edges, over the embedded server (real sockets, simulated time): a
 * flood at a user of many devices, an app callback that throws, a request at the size limit, one
 * connection used by two users in turn, two login() calls at once, a socket that delivers at once.
 * Each of these lost a receipt, overdrew a budget or reordered answers before (found by review).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../../adapters/memory/SimulatedClock';
import { MAX_FRAME_BYTES } from '../../../adapters/ws/protocol';
import { WsConnection } from '../../../adapters/ws/WsConnection';
import { TRTCCalling } from '../../../src/index';
import { makeEmbeddedWorld, SDKAPPID, type EmbeddedWorld } from '../../support/embeddedWorld';
import { SyncSocket } from './syncSocket';

describe('receipts at the edges', () => {
  let world: EmbeddedWorld;
  afterEach(() => world.dispose());

  it('five devices of bob under a flood from 15 senders: their receipts stay within his frame budget (the early ones come once per spacing)', async () => {
    // The budget scaled down and time frozen, so that only the number of frames counts: before, each
    // device sent a receipt every 64 messages, and the server refused them (rateLimited, a strike each).
    world = makeEmbeddedWorld({ server: { multiDevice: true, limits: { userRate: { perSecond: 1, burst: 40 } } } });
    for (let d = 0; d < 5; d++) {
      const device = world.backend({ multiDevice: true, deviceID: `dev${d}`, onListenerError: () => undefined });
      await device.im.login('bob', world.userSig('bob'));
    }
    const senders = [];
    for (let a = 0; a < 15; a++) {
      const sender = world.backend({ onListenerError: () => undefined });
      await sender.im.login(`mallory${a}`, world.userSig(`mallory${a}`));
      senders.push(sender);
    }
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < 39; i++) {
      for (const sender of senders) sends.push(sender.im.sendToUser('bob', `spam${i}`, { onlineUserOnly: true }).catch(() => undefined));
      await world.settle();
    }
    await Promise.all(sends);
    const m = (await world.server()).metrics();
    expect(m.refused).toEqual({});
    expect(m.limits).not.toHaveProperty('userRate');
  });

  it('an app onDropped that throws: the message is still taken, and every later one is confirmed', async () => {
    world = makeEmbeddedWorld();
    const mallory = world.backend();
    await mallory.im.login('mallory', world.userSig('mallory'));
    let drops = 0;
    const bob = new TRTCCalling({
      SDKAppID: SDKAPPID,
      backend: world.backend({ onListenerError: () => undefined }),
      onDropped: () => {
        if (++drops === 1) throw new Error('app bug in onDropped');
      },
    });
    await bob.login({ userID: 'bob', userSig: world.userSig('bob') });
    await world.settle();
    await mallory.im.sendToUser('bob', 'not a signal', { onlineUserOnly: false });
    await world.settle();
    for (let i = 0; i < 5; i++) await mallory.im.sendToUser('bob', `junk ${i}`, { onlineUserOnly: false });
    await world.advance(1000);
    expect({ drops, storedNow: (await world.server()).metrics().storedNow }).toEqual({ drops: 6, storedNow: 0 });
  });

  it('an answer of exactly MAX_FRAME_BYTES sent from a message listener: no room for the receipt, which goes alone; both reach the server', async () => {
    world = makeEmbeddedWorld();
    const alice = world.backend();
    await alice.im.login('alice', world.userSig('alice'));
    const bob = world.backend({ onListenerError: () => undefined });
    await bob.im.login('bob', world.userSig('bob'));
    const replies: Promise<string>[] = [];
    bob.im.onMessage(() => {
      const rid = (bob.connection as unknown as { nextRid: number }).nextRid;
      const base = JSON.stringify({ type: 'sendC2C', to: 'alice', payload: '', onlineUserOnly: false, rid }).length;
      const payload = 'x'.repeat(MAX_FRAME_BYTES - base);
      replies.push(bob.im.sendToUser('alice', payload, { onlineUserOnly: false }).then(() => 'ack', (e: Error) => `rejected: ${e.message}`));
    });
    await alice.im.sendToUser('bob', 'hello', { onlineUserOnly: false });
    await world.settle();
    await world.advance(1000);
    const m = (await world.server()).metrics();
    // Both confirmed: bob's copy of 'hello' (by the lone receipt), alice's of the answer.
    expect({ reply: await replies[0], refused: m.refused, storedNow: m.storedNow }).toEqual({ reply: 'ack', refused: {}, storedNow: 0 });
  });

  it('one backend, alice then bob: bob hears the group message stored for him although alice heard it on this backend', async () => {
    world = makeEmbeddedWorld();
    (await world.server()).createGroup('team', ['carol', 'alice', 'bob']);
    const carol = world.backend();
    await carol.im.login('carol', world.userSig('carol'));
    const shared = world.backend();
    const heard: string[] = [];
    shared.im.onMessage((m) => heard.push(`${shared.im.userID}: ${m.payload}`));
    await shared.im.login('alice', world.userSig('alice'));
    await carol.im.sendToGroup('team', 'standup in 5', { onlineUserOnly: false });
    await world.settle();
    await shared.im.login('bob', world.userSig('bob'));
    await world.settle();
    expect({ heard, storedNow: (await world.server()).metrics().storedNow }).toEqual({ heard: ['alice: standup in 5', 'bob: standup in 5'], storedNow: 0 });
  });

  it('login() called again while the first is out: the stored message handed meanwhile is confirmed once the second is in', async () => {
    world = makeEmbeddedWorld();
    const alice = world.backend();
    await alice.im.login('alice', world.userSig('alice'));
    await alice.im.sendToUser('bob', 'call me', { onlineUserOnly: false });
    let again: Promise<unknown> | null = null;
    let logins = 0;
    const backend: { current: ReturnType<EmbeddedWorld['backend']> | null } = { current: null };
    const Twice = class extends world.net.WebSocket {
      override send(data: string): void {
        super.send(data);
        if (data.includes('"type":"login"') && ++logins === 1) again = backend.current?.im.login('bob', world.userSig('bob')).catch((e: Error) => e.message) ?? null;
      }
    };
    const bob = world.backend({ WebSocket: Twice, onListenerError: () => undefined });
    backend.current = bob;
    const heard: string[] = [];
    bob.im.onMessage((m) => heard.push(m.payload));
    const first = bob.im.login('bob', world.userSig('bob')).catch((e: Error) => e.message);
    await world.settle();
    await again;
    await world.advance(1000);
    expect({ first: await first, heard, storedNow: (await world.server()).metrics().storedNow }).toEqual({
      first: 'superseded by a newer login()',
      heard: ['call me'],
      storedNow: 0,
    });
  });
});

describe('a loggedIn for an earlier login() on the socket', () => {
  it("is not taken for a newer login of another user: the socket lost before the newer is in, that login fails and resumes nobody's session", async () => {
    const clock = new SimulatedClock(0);
    const conn = new WsConnection({ url: 'ws://x/ws', WebSocket: SyncSocket, clock });
    const alice = conn.login('alice', 'sig-a').catch((e: Error) => e.message);
    await Promise.resolve();
    const sock = SyncSocket.last;
    const bob = conn.login('bob', 'sig-b').catch((e: Error) => e.message);
    const first = JSON.parse(sock.sent[0] as string) as { rid: number };
    sock.deliver({ type: 'loggedIn', rid: first.rid, userID: 'alice', session: 'alices', resumed: false, room: null, serverTime: 0 });
    sock.onclose?.({ code: 1006, reason: 'lost' });
    await clock.advance(60_000);
    expect(SyncSocket.last).toBe(sock); // no reconnect, so no login that names alice's session
    expect(await alice).toBe('superseded by a newer login()');
    expect(await bob).toMatch(/^cannot reach/);
  });
});

describe('answers sent from message listeners', () => {
  let conn: WsConnection;
  beforeEach(async () => {
    conn = new WsConnection({ url: 'ws://x/ws', WebSocket: SyncSocket, clock: new SimulatedClock(0) });
    const login = conn.login('bob', 'sig');
    await Promise.resolve();
    const rid = (JSON.parse(SyncSocket.last.sent[0] as string) as { rid: number }).rid;
    SyncSocket.last.deliver({ type: 'loggedIn', rid, userID: 'bob', session: 's1', resumed: false, room: null, serverTime: 0, foldedReceipts: true });
    await login;
  });

  it('leave in the order they were asked for, also when a message comes while one is written; the first carries both receipts', () => {
    const sock = SyncSocket.last;
    const message = (id: string, seq: number) => ({ type: 'message', id, seq, from: 'alice', payload: id, sentAt: 0 });
    conn.messages.add((m) => {
      if (m.id === 'm1') {
        sock.onNextSend = [JSON.stringify(message('m2', 2))];
        void conn.request({ type: 'relay', roomID: 1, data: 'A1' }).catch(() => undefined);
        void conn.request({ type: 'relay', roomID: 1, data: 'A2' }).catch(() => undefined);
      } else void conn.request({ type: 'relay', roomID: 1, data: 'B' }).catch(() => undefined);
    });
    sock.deliver(message('m1', 1));
    const sent = sock.sent.slice(1).map((text) => JSON.parse(text) as { data?: string; received?: number; type: string });
    expect(sent.map((f) => f.data ?? f.type)).toEqual(['A1', 'A2', 'B']);
    expect(sent.map((f) => f.received)).toEqual([1, 2, undefined]); // m2 came as A1 went: A2 carries its receipt
  });
});
