/**
 * A store that fails its reads as well as its writes (an I/O error, a corrupt page; here a second
 * connection renames a table under the server): the turn's commit fails, and the recount that
 * follows a failed commit throws too. Until 2026-12-04 that throw left the commit, every effect
 * of the turn behind it was dropped (the sender's `unavailable`, a pong), and with the server's
 * default defer (`setImmediate`) it was uncaught: the process ended, with every connection on it.
 * Found by the review of 2026-12-04.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';
import { SDKAPPID, SECRET_KEY } from '../support/embeddedWorld';
import { RawClient, sendTogether, testServer, type TestServer } from './support';
import { serverBinArgs } from '../support/serverBin';

let server: TestServer | null = null;
afterEach(async () => {
  await server?.dispose();
  server = null;
});

it('server: a store failing reads and writes answers the turn `unavailable` and throws nothing out of the commit', async () => {
  const thrown: string[] = [];
  const defer = (fn: () => void) =>
    void setImmediate(() => {
      try {
        fn();
      } catch (error) {
        thrown.push(String(error)); // with the default defer: an uncaught exception
      }
    });
  server = await testServer({ sharedDatabase: true, defer });
  const alice = await RawClient.login(server.handle.url, 'alice');
  const db = new Database(server.dbPath);
  db.exec('ALTER TABLE deliveries RENAME TO deliveries_gone'); // the store breaks
  // One turn: a message for offline carol (a write) and a ping behind it.
  sendTogether(alice, [
    { type: 'sendC2C', to: 'carol', payload: 'hello', onlineUserOnly: false, rid: 10 },
    { type: 'ping', rid: 11 },
  ]);
  await alice.next((f) => f.rid === 11, 'the pong behind the failed turn');
  db.exec('ALTER TABLE deliveries_gone RENAME TO deliveries');
  db.close();
  const answered = alice.frames.filter((f) => f.rid === 10 || f.rid === 11).map((f) => `${f.rid} ${f.type}${f.code ? ` ${String(f.code)}` : ''}`);
  expect({ thrown, answered }).toEqual({ thrown: [], answered: ['10 error unavailable', '11 pong'] });
  alice.terminate();
});

it('process: the real server (server/bin.ts, its default defer) answers that turn and goes on serving', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hc-store-breaks-'));
  const dbPath = join(dir, 'calling.db');
  const child = spawn(process.execPath, [...serverBinArgs(), '--port', '0', '--db', dbPath, '--sdkappid', String(SDKAPPID), '--shared-database'], {
    cwd: resolve(import.meta.dirname, '../..'),
    env: { ...process.env, HC_SECRET_KEY: SECRET_KEY },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  try {
    const url = await new Promise<string>((ok) => {
      let out = '';
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /"url":"(ws:\/\/[^"]+)"/.exec(out);
        if (m) ok(m[1] as string);
      });
    });
    const alice = await RawClient.login(url, 'alice');
    const db = new Database(dbPath);
    db.exec('ALTER TABLE deliveries RENAME TO deliveries_gone');
    alice.send({ type: 'sendC2C', to: 'carol', payload: 'hello', onlineUserOnly: false, rid: 10 });
    expect(await alice.next((f) => f.rid === 10, 'the answer to the failed turn')).toMatchObject({ type: 'error', code: 'unavailable' });
    db.exec('ALTER TABLE deliveries_gone RENAME TO deliveries');
    db.close();
    // Still there (before, the recount's throw ended the process: the socket closed, this rejected).
    expect(await alice.request({ type: 'ping' })).toMatchObject({ type: 'pong' });
    expect(await alice.request({ type: 'sendC2C', to: 'carol', payload: 'again', onlineUserOnly: false })).toMatchObject({ type: 'ack' });
    expect(child.exitCode).toBe(null);
    alice.terminate();
  } finally {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
