/**
 * Attack: the demo page's files as an amplifier. A request for `/main.js.map` is some 40 bytes;
 * its answer is the whole file (the demo's source map: 1.3 MB). The server read each file anew
 * for every request and held its answer until the client read it, and a client may pipeline
 * requests (send the next before reading the last answer) and never read: 100 pipelined
 * requests, 3.9 KB, held 123 MiB for as long as the socket stayed open (a 64 KB TCP read holds
 * some 1,600 of them). Memory is the server's process (heap and buffers after a collection).
 */
import { mkdtempSync, readdirSync, readlinkSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RawClient, testServer, type TestServer } from '../server/support';
import { MIB, memoryInUse, until } from './support';

/** A raw TCP client of the HTTP side: what it sent, what it read (once it reads), whether it was closed. */
interface Peer {
  readonly socket: Socket;
  text(): string;
  closed(): boolean;
}

function peer(port: number): Promise<Peer> {
  return new Promise((resolve, reject) => {
    let text = '';
    let closed = false;
    const socket = connect(port, '127.0.0.1', () => resolve({ socket, text: () => text, closed: () => closed }));
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => (closed = true));
  });
}

/** The status code of one `GET path` on a connection of its own ('' when it was closed unanswered). */
function status(port: number, path: string): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const socket = connect(port, '127.0.0.1', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(text.slice(9, 12)));
  });
}

/** Where a descriptor of this process leads, or '' (closed meanwhile). */
function readlinkOr(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return '';
  }
}

const get = (path: string) => `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`;

describe('the static files cannot be turned into an amplifier', () => {
  let dir: string;
  let server: TestServer;
  const peers: Peer[] = [];
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hc-static-'));
    writeFileSync(join(dir, 'index.html'), '<h1>demo</h1>');
    writeFileSync(join(dir, 'main.js.map'), Buffer.alloc(MIB, 0x61)); // the demo's is 1.3 MB
    writeFileSync(join(dir, 'big.js'), Buffer.alloc(4 * MIB, 0x62));
    server = await testServer({ staticDir: dir });
  });
  afterEach(async () => {
    for (const p of peers.splice(0)) p.socket.destroy();
    await server.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('100 pipelined requests for a 1 MiB file from a client that never reads: dropped after 4 in flight, memory stays within 8 MiB', async () => {
    const before = await memoryInUse();
    const mallory = await peer(server.handle.port);
    peers.push(mallory);
    mallory.socket.pause();
    mallory.socket.write(get('/main.js.map').repeat(100));
    await until('the server to drop the pipelining socket', () => mallory.closed(), 5000);
    expect((await memoryInUse()) - before).toBeLessThan(8 * MIB); // the old server held every answer: 123 MiB
    expect(server.handle.metrics().limits).toEqual({ httpPipelined: 1 });
    // The page is still served to others.
    const index = await fetch(`${server.handle.httpUrl}/`);
    expect([index.status, await index.text()]).toEqual([200, '<h1>demo</h1>']);
  });

  it('pipelined requests cut with their connection leave no file open: each answer waiting its turn held its file until a collection', async () => {
    // Each of the 4 in flight opened its file and waits to be written after the one before; the connection dropped,
    // the waiting answers never heard it, and their files stayed open until V8 collected them (Node warned "Closing
    // file descriptor N on garbage collection"): some 40 descriptors a second from one address, kept as long as no
    // collection ran. Counted in /proc/self/fd (this process is the server's) right after each drop, no collection between.
    const file = join(dir, 'main.js.map');
    const open = () => readdirSync('/proc/self/fd').filter((fd) => readlinkOr(`/proc/self/fd/${fd}`) === file).length;
    const mallory = await peer(server.handle.port);
    peers.push(mallory);
    mallory.socket.pause();
    mallory.socket.write(get('/main.js.map').repeat(4));
    await until('the 4 answers to open their files', () => open() === 4, 5000);
    mallory.socket.destroy();
    await until('the server to see the drop', () => server.handle.metrics().connections === 0, 5000);
    await until('the files to be closed', () => open() === 0, 1000);
    // Cut by the server past 4 in flight, while the answers it read still opened their files: no close left to hear.
    const more = await peer(server.handle.port);
    peers.push(more);
    more.socket.pause();
    more.socket.write(get('/main.js.map').repeat(100));
    await until('the server to drop the pipelining socket', () => more.closed() && server.handle.metrics().connections === 0, 5000);
    await until('the files to be closed', () => open() === 0, 1000);
    expect(server.handle.metrics().limits).toEqual({ httpPipelined: 1 });
  });

  it('a client that pipelines 4 requests (within the limit) gets all 4 answers, in order', async () => {
    const honest = await peer(server.handle.port);
    peers.push(honest);
    honest.socket.write(get('/index.html') + get('/healthz') + get('/index.html') + get('/healthz'));
    await until('four answers', () => (honest.text().match(/HTTP\/1\.1 200 OK/g) ?? []).length === 4 && honest.text().endsWith('0\r\n\r\n'));
    expect(honest.closed()).toBe(false);
    expect(server.handle.metrics().limits).toEqual({});
  });
});

describe('a client that stops reading an answer', () => {
  let dir: string;
  let server: TestServer;
  const peers: Peer[] = [];
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hc-static-'));
    writeFileSync(join(dir, 'big.js'), Buffer.alloc(4 * MIB, 0x62));
    // Larger than what the kernel takes on loopback (4 MiB of send buffer here): it cannot all go.
    writeFileSync(join(dir, 'huge.js'), Buffer.alloc(16 * MIB, 0x63));
  });
  afterEach(async () => {
    for (const p of peers.splice(0)) p.socket.destroy();
    await server.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  /** `n` clients that each ask for `path` and stop reading once its first bytes came. */
  async function stalled(n: number, path: string): Promise<Peer[]> {
    const stuck = await Promise.all(Array.from({ length: n }, () => peer(server.handle.port)));
    peers.push(...stuck);
    for (const p of stuck) {
      p.socket.once('data', () => p.socket.pause());
      p.socket.write(get(path));
    }
    await until('the first bytes of every answer', () => stuck.every((p) => p.text().startsWith('HTTP/1.1 200 OK')));
    return stuck;
  }

  it('16 clients each stop reading a 4 MiB file: the server holds what it sends as it goes, not a copy of the file each (within 8 MiB)', async () => {
    server = await testServer({ staticDir: dir });
    const before = await memoryInUse();
    const stuck = await stalled(16, '/big.js');
    expect((await memoryInUse()) - before).toBeLessThan(8 * MIB); // the old server read the whole file for each: 60 MiB here
    // Read on, each gets the whole file.
    for (const p of stuck) p.socket.resume();
    await until('every whole file', () => stuck.every((p) => p.text().length > 4 * MIB));
    expect(stuck.map((p) => p.text().endsWith('b'.repeat(64)))).toEqual(stuck.map(() => true));
  });

  it('a socket that connects and never sends a byte is closed after --http-stall-ms (no header timer runs before the first byte: it held its slot for ever)', async () => {
    server = await testServer({ staticDir: dir, limits: { httpStallMs: 300, httpKeepAliveMs: 100 } });
    const silent = await peer(server.handle.port);
    const idle = await peer(server.handle.port);
    peers.push(silent, idle);
    idle.socket.write(get('/healthz'));
    await until('the silent socket, and the idle keep-alive one, to be closed', () => silent.closed() && idle.closed(), 5000);
    expect([silent.text(), idle.text().slice(0, 15)]).toEqual(['', 'HTTP/1.1 200 OK']);
    // Counted like every refusal (it was not); the keep-alive socket, closed by Node's timer as always, is not.
    expect(server.handle.metrics().limits).toEqual({ httpStall: 1 });
  });

  it('3 answers nobody reads hold their address\'s 3 connections: after --http-stall-ms with nothing moving they are dropped, and the address may connect again', async () => {
    server = await testServer({ staticDir: dir, limits: { httpStallMs: 300, maxConnectionsPerIp: 4, ipConnectRate: { perSecond: 1000, burst: 1000 } } });
    // A quiet WebSocket is no HTTP answer: it outlives the timer (the idle timeout is its business).
    const quiet = await RawClient.open(server.handle.url);
    const stuck = await stalled(3, '/huge.js');
    // Three requests at once: each is answered only once the address has a slot for it.
    const three = () => Promise.all([0, 1, 2].map(() => status(server.handle.port, '/healthz')));
    expect(await three()).toEqual(['503', '503', '503']);
    // The old server timed nothing once a request was in: the three held their slots for ever.
    let answers: string[] = [];
    const poll = setInterval(() => void three().then((a) => (answers = a)), 50);
    try {
      await until('the stalled connections to be dropped', () => answers.length === 3 && answers.every((a) => a === '200'), 5000);
    } finally {
      clearInterval(poll);
    }
    // Reading again, each finds its answer cut short.
    for (const p of stuck) p.socket.resume();
    await until('the stalled clients to see the end', () => stuck.every((p) => p.closed()));
    expect(stuck.map((p) => p.text().length < 16 * MIB)).toEqual([true, true, true]);
    expect(server.handle.metrics().limits.httpStall).toBe(3);
    expect(quiet.open).toBe(true);
    quiet.close();
  });
});

describe('a file cut short while it is sent (a deploy copying over it)', () => {
  let dir: string;
  let server: TestServer;
  afterEach(async () => {
    await server.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the answer is cut with its connection, never ended short on a live keep-alive: the next answer on it would be read as the rest of the file', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hc-static-'));
    writeFileSync(join(dir, 'huge.js'), Buffer.alloc(16 * MIB, 0x63));
    server = await testServer({ staticDir: dir, limits: { httpKeepAliveMs: 200 } });
    const client = await peer(server.handle.port);
    client.socket.on('error', () => undefined);
    // At the first bytes the file is emptied; the server has read at most what the buffers took.
    client.socket.once('data', () => truncateSync(join(dir, 'huge.js'), 0));
    client.socket.write(get('/huge.js') + get('/healthz'));
    await until('the connection to end', () => client.closed());
    const length = Number(/content-length: (\d+)/i.exec(client.text())?.[1]);
    expect(length).toBe(16 * MIB);
    // The old server ended the answer short and went on: the health answer came as the file's next bytes.
    expect(client.text().includes('"status":"ok"')).toBe(false);
    expect(client.text().length).toBeLessThan(length);
  });
});
