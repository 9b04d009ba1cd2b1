/**
 * Attack (by fate rather than by Mallory): "acknowledged messages can be lost". The real server
 * runs as a child process on a temporary SQLite file and is killed with SIGKILL while a
 * recipient's connection is silently dead (alive to TCP, reading nothing) and while a sender is
 * mid-stream; a new process on the same file delivers every message that was acknowledged, in
 * order, each once per session. This is the one test on real time: it waits on events (the
 * child's first line, acks, its exit), never on a clock.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SDKAPPID, SECRET_KEY, tencentUserSig } from '../support/embeddedWorld';
import { RawClient, until, type Frame } from './support';
import { serverBinArgs } from '../support/serverBin';

const ROOT = resolve(import.meta.dirname, '../..');

/** A server in a child process: its WebSocket URL once it listens. */
async function serverProcess(dbPath: string, flags: readonly string[] = []): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [...serverBinArgs(), '--port', '0', '--db', dbPath, '--sdkappid', String(SDKAPPID), ...flags], {
    cwd: ROOT,
    env: { ...process.env, HC_SECRET_KEY: SECRET_KEY },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let url = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    url ||= /WebSocket:? \(?(ws:\/\/[^\s)]+)/.exec(out)?.[1] ?? '';
  });
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  await until('the server process to listen', () => url !== '' || child.exitCode !== null, 20_000);
  if (!url) throw new Error(`the server process exited: ${out}`);
  return { child, url };
}

/** SIGKILL, and the exit. */
async function kill9(child: ChildProcess): Promise<void> {
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGKILL');
  await exited;
}

describe('nothing acknowledged is lost', () => {
  let dir: string;
  let children: ChildProcess[];
  let clients: RawClient[];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hc-kill-'));
    children = [];
    clients = [];
  });
  afterEach(async () => {
    for (const c of clients) c.terminate();
    for (const child of children) if (child.exitCode === null && child.signalCode === null) await kill9(child);
    rmSync(dir, { recursive: true, force: true });
  });

  it('kill -9 with a dead recipient connection and a sender mid-stream: every acknowledged message arrives after the restart, in order', async () => {
    const dbPath = join(dir, 'calling.db');
    const first = await serverProcess(dbPath);
    children.push(first.child);
    const login = async (url: string, userID: string) => {
      const client = await RawClient.login(url, userID, { lean: true });
      clients.push(client);
      return client;
    };
    const bob = await login(first.url, 'bob');
    bob.pause(); // alive to TCP, reads nothing, confirms nothing
    const alice = await login(first.url, 'alice');
    for (let i = 0; i < 3; i++) expect(await alice.request({ type: 'sendC2C', to: 'bob', payload: `dead-${i}`, onlineUserOnly: false })).toMatchObject({ type: 'ack' });
    // A stream in flight: the process dies as the 40th ack arrives.
    for (let i = 0; i < 100; i++) alice.send({ type: 'sendC2C', rid: 1000 + i, to: i % 2 ? 'bob' : 'carol', payload: `stream-${i}`, onlineUserOnly: false });
    await until('forty acks of the stream', () => alice.ofType('ack').length >= 43);
    await kill9(first.child);
    const acked = alice.ofType('ack').map((a) => a.id);
    expect(acked.length).toBeGreaterThanOrEqual(43);

    const second = await serverProcess(dbPath);
    children.push(second.child);
    const received: Frame[] = [];
    for (const user of ['bob', 'carol']) {
      const client = await login(second.url, user);
      // The stream alternates carol (even) and bob (odd); acks come in order.
      const expected = user === 'bob' ? 3 + Math.floor((acked.length - 3) / 2) : Math.ceil((acked.length - 3) / 2);
      // Bounded by the messages themselves; a lost one shows below, by id.
      await until(`${user}'s ${expected} messages`, () => client.ofType('message').length >= expected, 5000).catch(() => undefined);
      await client.sync();
      received.push(...client.ofType('message'));
      const heads = client.ofType('message').map((m) => String(m.head));
      expect(heads).toEqual([...heads].sort((a, b) => order(a) - order(b))); // in send order
    }
    const ids = new Set(received.map((m) => m.id));
    expect(acked.filter((id) => !ids.has(id))).toEqual([]); // every acknowledged message, nothing lost
    expect(ids.size).toBe(received.length); // each once
  });

  it('kill -9 after a copy was handed and before it was stored (write-behind): nothing acknowledged is lost, and the message the sender sends again has the id the recipient saw', async () => {
    const dbPath = join(dir, 'calling.db');
    // A long window, so that the process dies inside it.
    const flags = ['--write-behind-ms', '1000'];
    const first = await serverProcess(dbPath, flags);
    children.push(first.child);
    const open = async (url: string, userID: string, resume?: string) => {
      const client = await RawClient.open(url);
      clients.push(client);
      const reply = await client.request({ type: 'login', userID, userSig: tencentUserSig(userID), ...(resume ? { resume } : {}) });
      expect(reply).toMatchObject({ type: 'loggedIn' });
      return { client, session: String(reply.session) };
    };
    const bob = await open(first.url, 'bob');
    const alice = await open(first.url, 'alice');
    const request = { type: 'sendC2C', to: 'bob', payload: 'ring', onlineUserOnly: false, rid: 7 };
    alice.client.send(request);
    const copy = await bob.client.next((f) => f.type === 'message');
    await alice.client.sync(); // a pong: it does not wait for the held ack, so an ack written with the copy is here by now
    const ackedBefore = alice.client.ofType('ack');
    await kill9(first.child);

    const second = await serverProcess(dbPath, flags);
    children.push(second.child);
    const bobAgain = await open(second.url, 'bob');
    // What the client does (adapters/ws/requests.ts): a request without an answer goes again, same rid, same bytes.
    const aliceAgain = await open(second.url, 'alice', alice.session);
    if (ackedBefore.length === 0) aliceAgain.client.send(request);
    const ack = ackedBefore[0] ?? (await aliceAgain.client.next((f) => f.rid === 7, 'the ack of the resent message'));
    expect(ack).toMatchObject({ type: 'ack', id: copy.id });
    // Acknowledged before the crash: from the store; else the resent message, under the same id (Bob's client drops a second copy).
    const again = await bobAgain.client.next((f) => f.type === 'message', 'the message after the restart');
    expect([again.id, again.payload]).toEqual([copy.id, 'ring']);
  });
});

/** The position of a message in the script, from its payload's head. */
function order(head: string): number {
  const dead = /^dead-(\d+)/.exec(head);
  if (dead) return Number(dead[1]);
  return 3 + Number(/^stream-(\d+)/.exec(head)?.[1] ?? 0);
}
