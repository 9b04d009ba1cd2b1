/**
 * Crash audit (2026-12-06): what a peer can do to end the server's process. The server installs no
 * `uncaughtException`/`unhandledRejection` handler, so under Node 20 an 'error' event nobody listens
 * to, or a throw in a callback, ends it for everyone. Each test records what reaches the process.
 */
import { connect } from 'node:net';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient, testServer, type TestServer } from './support';
import { watchEachTest } from '../support/processWatch';

describe('crash audit: a peer cannot end the process', () => {
  const reached = watchEachTest();
  let server: TestServer | null = null;
  afterEach(async () => {
    await server?.dispose();
    server = null;
  });

  it('an upgrade to a path other than /ws, reset by its client before the 404 goes out: the server lives on', async () => {
    server = await testServer();
    const { port, httpUrl } = server.handle;
    // The upgraded socket has lost Node's HTTP 'error' listener: the 404's write to a reset peer
    // (ECONNRESET/EPIPE) was an 'error' event with no listener. On Linux every round hit it.
    // The other refusals of an upgrade (ws's own: /ws without a key; Node's: a plain request) were safe already.
    const requests = [
      'GET /nope HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      'GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n',
      'GET /nope HTTP/1.1\r\nHost: x\r\n\r\n',
    ];
    for (let round = 0; round < 12; round++) {
      const socket = connect(port, '127.0.0.1');
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      socket.write(requests[round % requests.length] as string);
      socket.resetAndDestroy();
      await new Promise((resolve) => socket.once('close', resolve));
      // A whole request after it: the server has read the reset socket's request by then.
      expect((await fetch(`${httpUrl}/healthz`)).status).toBe(200);
    }
    expect(reached).toEqual([]);
  });

  it("Bob's socket drains while the store fails its reads (an I/O error): his next page is not read, the server lives on", async () => {
    server = await testServer({ sharedDatabase: true, limits: { maxUnconfirmed: 2 } });
    const alice = await RawClient.login(server.handle.url, 'alice');
    for (const payload of ['m0', 'm1', 'm2']) expect(await alice.request({ type: 'sendC2C', to: 'bob', payload, onlineUserOnly: false })).toMatchObject({ type: 'ack' });
    const bob = await RawClient.login(server.handle.url, 'bob');
    await bob.sync(); // m0 and m1 in flight, m2 waits in the store
    const db = new Database(server.dbPath);
    db.exec('ALTER TABLE deliveries RENAME TO deliveries_gone'); // the store breaks
    bob.send({ type: 'received', upTo: 2 }); // room for m2 again: its page fails in the commit (guarded)
    await bob.sync();
    // A frame of more than the socket's high-water mark (16 KiB): its write ends in a 'drain', which pages the
    // store from the socket's event, outside any frame's handling: the read threw into the event loop.
    expect(await alice.request({ type: 'sendC2C', to: 'bob', payload: 'x'.repeat(20_000), onlineUserOnly: true })).toMatchObject({ type: 'ack' });
    await bob.next((f) => f.type === 'message' && f.seq === 3, 'the big message');
    await bob.sync(); // the drain came after the write, before this round trip's answer
    db.exec('ALTER TABLE deliveries_gone RENAME TO deliveries');
    db.close();
    expect(reached).toEqual([]);
    expect(server.logs.filter((l) => l.message === 'delivery failed').map((l) => l.fields?.error)).toEqual(['SqliteError: no such table: deliveries']);
    // The store back, Bob's next receipt pages m2 in.
    bob.send({ type: 'received', upTo: 3 });
    expect(await bob.next((f) => f.type === 'message' && f.payload === 'm2', 'm2')).toMatchObject({ from: 'alice' });
    alice.terminate();
    bob.terminate();
  });
});
