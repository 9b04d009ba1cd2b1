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
import { SDKAPPID, SECRET_KEY } from '../support/embeddedWorld';
import { RawClient, until, type Frame } from './support';

const ROOT = resolve(import.meta.dirname, '../..');

/** A server in a child process: its WebSocket URL once it listens. */
async function serverProcess(dbPath: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/bin.ts', '--port', '0', '--db', dbPath, '--sdkappid', String(SDKAPPID)], {
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
  await until(() => url !== '' || child.exitCode !== null, 'the server process to listen', 20_000);
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
    await until(() => alice.ofType('ack').length >= 43, 'forty acks of the stream');
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
      await until(() => client.ofType('message').length >= expected, `${user}'s ${expected} messages`, 5000).catch(() => undefined);
      await client.sync();
      received.push(...client.ofType('message'));
      const heads = client.ofType('message').map((m) => String(m.head));
      expect(heads).toEqual([...heads].sort((a, b) => order(a) - order(b))); // in send order
    }
    const ids = new Set(received.map((m) => m.id));
    expect(acked.filter((id) => !ids.has(id))).toEqual([]); // every acknowledged message, nothing lost
    expect(ids.size).toBe(received.length); // each once
  });
});

/** The position of a message in the script, from its payload's head. */
function order(head: string): number {
  const dead = /^dead-(\d+)/.exec(head);
  if (dead) return Number(dead[1]);
  return 3 + Number(/^stream-(\d+)/.exec(head)?.[1] ?? 0);
}
