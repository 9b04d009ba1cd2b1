/**
 * Attack: "memory and disk grow without bound". Unconfirmed copies and the output buffer of a
 * recipient that stopped reading; a large offline backlog delivered at login; one big group
 * message to many offline members. The server's memory stays within a stated bound (heap and
 * buffers after garbage collection, measured in this process), and a group message's body is
 * stored once.
 */
import { statSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EmbeddedWorld } from '../support/embeddedWorld';
import type { Party } from '../support/world';
import { testServer, type TestServer } from '../server/support';
import { MIB, RawClient, defaultLimitsWorld, honestCall, memoryInUse, until } from './support';

const S = 1000;
const payload = (n: number) => `${n}:${'x'.repeat(60 * 1024)}`;

describe('memory stays bounded', () => {
  let world: EmbeddedWorld;
  let alice: Party;
  let bob: Party;
  let url: string;

  beforeEach(async () => {
    world = defaultLimitsWorld();
    alice = await world.user('alice');
    bob = await world.user('bob');
    url = (await world.server()).url;
  });
  afterEach(() => world.dispose());

  /** Mallory sends `perSecond` messages of 60 KB a second to `to` for `seconds`, logging in again whenever she is cut off. */
  async function flood(to: string, perSecond: number, seconds: number): Promise<number> {
    let mallory: RawClient | null = null;
    let acked = 0;
    for (let second = 0; second < seconds; second++) {
      mallory ??= await RawClient.login(url, 'mallory').catch(() => null);
      if (mallory) {
        const client: RawClient = mallory;
        const before = client.ofType('ack').length;
        for (let i = 0; i < perSecond; i++) client.send({ type: 'sendC2C', rid: 1_000_000 + 1000 * second + i, to, payload: payload(i), onlineUserOnly: false });
        const open = await client.request({ type: 'ping' }).then(() => true, () => false);
        acked += client.ofType('ack').length - before;
        if (!open) mallory = null;
      }
      await world.advance(S);
    }
    mallory?.terminate();
    return acked;
  }

  it('Bob stops reading (alive to TCP, never confirming); Mallory sends 60 KB messages at 50 a second for 15 s: memory stays within 8 MiB', async () => {
    const dead = await RawClient.login(url, 'dave');
    dead.pause();
    const before = await memoryInUse();
    const acked = await flood('dave', 50, 15);
    const grown = (await memoryInUse()) - before;
    expect(grown).toBeLessThan(8 * MIB); // the old server kept every copy (and its output) in memory: 85 MiB here
    // 256 KiB a second (1 MiB at once) is all one user may send.
    expect(acked * 60 * 1024).toBeLessThanOrEqual(MIB + 256 * 1024 * 16);
    const { limits } = (await world.server()).metrics();
    expect((limits.connBytes ?? 0) + (limits.userBytes ?? 0)).toBeGreaterThan(0);
    dead.terminate();
    await honestCall(world, alice, bob);
  });

  it('a backlog of 60 KB messages waits for offline Carol; at her login it comes in pages as she confirms, never all at once', async () => {
    const stored = await flood('carol', 5, 100);
    expect(stored * 60 * 1024).toBeLessThanOrEqual(16 * MIB + 64 * 1024); // a recipient's backlog: at most 16 MiB
    const before = await memoryInUse();
    const carol = await RawClient.login(url, 'carol', { lean: true });
    carol.pause(); // what the server holds for her now is the server's memory, not this client's
    const server = await world.server();
    await until('the server to stop at her unread output', () => (server.metrics().limits.deliveriesPaused ?? 0) > 0, 3000).catch(() => undefined);
    const grown = (await memoryInUse()) - before;
    expect(grown).toBeLessThan(4 * MIB); // the old server read the whole backlog and wrote it out at once (30 MB, unbounded)
    carol.resume();
    await until('the first page', () => carol.ofType('message').length >= Math.min(stored, 64));
    await carol.sync();
    expect(carol.ofType('message').length).toBeLessThanOrEqual(256); // no more unconfirmed than the window
    // Confirming pages the rest in, in order, each once.
    while (carol.ofType('message').length < stored) {
      const last = carol.frames.filter((f) => f.type === 'message').at(-1);
      carol.send({ type: 'received', upTo: last?.seq });
      await carol.sync();
    }
    const messages = carol.ofType('message');
    expect(messages.length).toBe(stored);
    expect(new Set(messages.map((m) => m.id)).size).toBe(stored);
    carol.terminate();
    await honestCall(world, alice, bob);
  });
});

describe('disk', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await testServer();
  });
  afterEach(() => server.dispose());

  /** The database and its write-ahead log, in bytes. */
  const onDisk = (path: string) => [path, `${path}-wal`].reduce((n, p) => n + (statSync(p, { throwIfNoEntry: false })?.size ?? 0), 0);

  it('a 60 KB group message to 199 offline members stores its body once, in one commit', async () => {
    const members = Array.from({ length: 199 }, (_, i) => `m${i}`);
    server.handle.createGroup('everyone', ['alice', ...members]);
    const alice = await RawClient.login(server.handle.url, 'alice');
    await alice.request({ type: 'sendGroup', groupID: 'everyone', payload: 'warm up', onlineUserOnly: false });
    await server.clock.advance(1000); // a full fan-out budget: 199 copies of 60 KB cost it whole (groupBytes.security.test.ts)
    const before = onDisk(server.dbPath);
    const commits = server.handle.metrics().commits;
    expect(await alice.request({ type: 'sendGroup', groupID: 'everyone', payload: payload(0), onlineUserOnly: false })).toMatchObject({ type: 'ack' });
    expect(onDisk(server.dbPath) - before).toBeLessThan(MIB); // 199 copies of the body would be 12 MB
    expect(server.handle.metrics()).toMatchObject({ stored: 398, commits: commits + 1 });
    const member = await RawClient.login(server.handle.url, 'm7');
    expect((await member.next((f) => f.type === 'message' && String(f.payload).startsWith('0:'))).groupID).toBe('everyone');
    member.terminate();
    alice.terminate();
  });
});
