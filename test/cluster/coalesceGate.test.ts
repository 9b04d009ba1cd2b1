/**
 * What `IdGate` lets through while the node's id is confirmed must reach Redis then, not after a stall: the gate's
 * promise (`server/cluster/idGate.ts`) is that nothing is sent under an id this process may have lost. A write made
 * while the id is confirmed goes to the kernel at once, which sends it even while the process stalls (a long GC
 * pause, a stopped VM, a synchronous call that blocks: `better-sqlite3` under `busy_timeout`, an fsync). Corked for
 * the rest of the turn (`server/cluster/coalesce.ts`, 2026-12-07), it waited in the process through the stall and
 * reached Redis after the heartbeat key had lapsed and another process had claimed the id: run under that one's id.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { Socket } from 'node:net';
import { HeldId } from '../../server/cluster/nodeId';
import { connectRedis } from '../../server/cluster/scripts';
import { silentLogger } from '../../server/options';
import { Redis } from 'ioredis';
import { REDIS_URL } from './support';

const ALIVE_MS = 300;
const opened: { redis: { disconnect(): void }; sub: { disconnect(): void } }[] = [];
afterEach(() => {
  for (const { redis, sub } of opened.splice(0)) (redis.disconnect(), sub.disconnect());
});

/**
 * Another process that claims `key` as soon as it lapses (as `claimNodeId` does), once it has seen it held; resolves
 * once it is ready. Started before the claim: a node process takes longer to start on a loaded machine than the key's
 * TTL, and started after it, the key had lapsed and been taken before the first beat (seen in a full cluster run).
 */
function claimer(key: string): Promise<void> {
  const script = `
    const { Redis } = require('ioredis');
    const r = new Redis(${JSON.stringify(REDIS_URL)});
    r.ping().then(() => {
      process.stdout.write('ready\\n');
      const poll = () => r.set(${JSON.stringify(key)}, 'other ok', 'PX', 10000, 'NX').then((ok) => (ok === 'OK' ? r.quit() : setTimeout(poll, 10)));
      const held = () => r.exists(${JSON.stringify(key)}).then((n) => (n === 1 ? poll() : setTimeout(held, 5)));
      held();
    });`;
  const child = spawn(process.execPath, ['-e', script], { cwd: resolve(__dirname, '../..'), stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((ready, fail) => {
    child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && ready());
    child.once('exit', (code) => fail(new Error(`the claimer exited (${code})`)));
  });
}

/**
 * A node's command connection whose id (`n1` under a fresh prefix) is claimed and confirmed by a beat, with another
 * process ({@link claimer}) waiting to claim it as soon as it lapses.
 */
async function confirmedNode() {
  const connection = await connectRedis(REDIS_URL);
  opened.push(connection);
  const { redis, sub } = connection;
  const prefix = `hc-test-${randomBytes(5).toString('hex')}`;
  const key = `${prefix}:alive:n1`;
  const held = new HeldId({ redis, sub, prefix, node: 'n1', token: 'mine', aliveMs: ALIVE_MS, now: () => performance.now(), logger: silentLogger, lose: () => undefined });
  redis.on('error', () => undefined);
  await claimer(key); // another process, waiting for the key to be held, then to lapse
  await held.claim(50, (ms) => new Promise((r) => setTimeout(r, ms)));
  expect(await held.beat(false)).toBe('ok'); // the id confirmed: the gate lets commands through for ALIVE_MS
  return { redis, prefix, key, held };
}

it('a command the gate let through (id confirmed), then the node stalls past its TTL in the same turn -> run before the id was lost, or failed unsent; never under the other process\'s id', async () => {
  const { redis, prefix, key, held } = await confirmedNode();
  try {
    // Gated (its first key is not the heartbeat's): says whose the id was when Redis ran it.
    const seen = redis.eval("return redis.call('GET', ARGV[1])", 1, `${prefix}:other`, key) as Promise<string | null>;
    const until = performance.now() + 6 * ALIVE_MS; // the stall (in JS here, as a blocking native call would be)
    while (performance.now() < until);
    // Written at once (before 2026-12-07): 'mine ok'. Corked for the turn: written after the stall, 'other ok' (the
    // defect); now the write finds the id unconfirmed and fails the batch unsent.
    expect(['mine ok', 'failed unsent']).toContain(await seen.catch(() => 'failed unsent'));
    // The connection comes back, and the next beat finds the id another process's.
    await new Promise<void>((r) => (redis.status === 'ready' ? r() : redis.once('ready', () => r())));
    expect(await held.beat(false)).toBe('taken');
  } finally {
    await redis.del(key).catch(() => undefined);
  }
});

it('the same, then the node disconnects in that turn (as HeldId does on finding its id lost) -> the command is not written on the way out', async () => {
  const { redis, prefix, key } = await confirmedNode();
  const witness = `${prefix}:witness`;
  const other = new Redis(REDIS_URL);
  try {
    // Gated; writes down whose the id was when Redis ran it.
    void redis.eval("return redis.call('SET', KEYS[1], redis.call('GET', ARGV[1]) or 'none')", 1, witness, key).catch(() => undefined);
    const until = performance.now() + 6 * ALIVE_MS;
    while (performance.now() < until);
    redis.disconnect();
    await new Promise((r) => setTimeout(r, 200));
    // Ending the socket wrote the corked batch (before): 'other ok'. Run before the stall, 'mine ok'; not written, null.
    expect([null, 'mine ok']).toContain(await other.get(witness));
  } finally {
    await other.del(key, witness);
    other.disconnect();
  }
});

/** A node id held through a fake clock (`now`), confirmed at t = 0; what `IdGate` decides reads `t` only. */
async function heldAtZero(prefix: string) {
  const connection = await connectRedis(REDIS_URL);
  opened.push(connection);
  const { redis, sub } = connection;
  redis.on('error', () => undefined);
  const clock = { t: 0 };
  const held = new HeldId({ redis, sub, prefix, node: 'n1', token: 'mine', aliveMs: 3000, now: () => clock.t, logger: silentLogger, lose: () => undefined });
  await held.claim(50, (ms) => new Promise((r) => setTimeout(r, ms)));
  expect(await held.beat(false)).toBe('ok');
  return { redis, held, clock };
}

it('past the TTL, the connection back but not ready yet (status connect, where ioredis writes a PUBLISH): the PUBLISH waits for the beat too', async () => {
  const prefix = `hc-test-${randomBytes(5).toString('hex')}`;
  const listener = new Redis(REDIS_URL);
  const heard: string[] = [];
  try {
    await listener.subscribe(`${prefix}:ch`);
    listener.on('message', (_channel: string, message: string) => void heard.push(message));
    const { redis, held, clock } = await heldAtZero(prefix);
    clock.t = 10_000; // a stall past the TTL: the id not known this process's any more
    const ready = new Promise<void>((r) => redis.once('ready', () => r()));
    const published = new Promise<{ answer: Promise<unknown> }>((r) => redis.once('connect', () => r({ answer: redis.publish(`${prefix}:ch`, 'stale').catch(() => 'failed') })));
    (redis as unknown as { stream: Socket }).stream.destroy(); // the link lost in the stall, back on waking
    const { answer } = await published;
    await ready;
    await new Promise((r) => setTimeout(r, 100));
    expect(heard).toEqual([]); // before: ['stale'], written under an id the node may have lost
    expect(await held.beat(false)).toBe('ok');
    expect(await answer).toBe(1); // the id confirmed: it goes
    await new Promise((r) => setTimeout(r, 100));
    expect(heard).toEqual(['stale']);
  } finally {
    listener.disconnect();
    const other = new Redis(REDIS_URL);
    await other.del(`${prefix}:alive:n1`);
    other.disconnect();
  }
});

it('a beat whose answer comes in past the TTL (a stall between its send and its answer) leaves what waits waiting, and the connection up', async () => {
  const prefix = `hc-test-${randomBytes(5).toString('hex')}`;
  const { redis, held, clock } = await heldAtZero(prefix);
  try {
    clock.t = 10_000;
    const late = held.beat(false); // sent at 10 000...
    clock.t = 20_000; // ...answered past its TTL
    const waiting = redis.get(`${prefix}:x`).catch((error: Error) => error.message); // gated: waits for a beat
    const stream = (redis as unknown as { stream: Socket }).stream;
    expect(await late).toBe('ok');
    await new Promise((r) => setTimeout(r, 100));
    // Before: released by the stale answer, corked, and the write found the id unconfirmed: the connection destroyed,
    // everything in flight on it failed.
    expect(stream.destroyed).toBe(false);
    expect(await held.beat(false)).toBe('ok'); // sent at 20 000, answered in time
    expect(await waiting).toBe(null);
  } finally {
    await redis.del(`${prefix}:alive:n1`).catch(() => undefined);
  }
});

it('a command sent as the socket is gone (its error seen, its close not yet: status still ready) is not taken as the next connection\'s: after an outage past the TTL, the connection comes back at once', async () => {
  const prefix = `hc-test-${randomBytes(5).toString('hex')}`;
  const { redis, held, clock } = await heldAtZero(prefix);
  try {
    let closes = 0;
    redis.on('close', () => void closes++);
    (redis as unknown as { stream: Socket }).stream.destroy();
    expect(redis.status).toBe('ready');
    expect(await redis.get(`${prefix}:x`).catch(() => 'failed')).toBe('failed'); // let through (the id confirmed), not written
    clock.t = 10_000; // the outage outlived the TTL
    await new Promise<void>((r) => redis.once('ready', () => r()));
    await new Promise((r) => setTimeout(r, 300));
    // Before: 2, the new connection's handshake destroyed as a batch with a command the gate had let through.
    expect(closes).toBe(1);
    expect(await held.beat(false)).toBe('ok');
  } finally {
    await redis.del(`${prefix}:alive:n1`).catch(() => undefined);
  }
});
