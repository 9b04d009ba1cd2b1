/**
 * A cluster for one test file: real server processes (`node server/dist/bin.js --redis ...`, the
 * command line a deployment runs) on free ports, one Redis (127.0.0.1:6379, or HC_TEST_REDIS_URL),
 * and a key prefix of their own, deleted afterwards, so that runs never see each other's keys.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { type Server, type Socket, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, beforeEach } from 'vitest';
import { WebSocket } from 'ws';
import { RawClient, type TestServer, testServer } from '../server/support';
import { embeddedBackend } from '../../src/embedded';
import { TRTCCalling } from '../../src/index';
import { SDKAPPID, SECRET_KEY, tencentUserSig } from '../support/embeddedWorld';
import { party } from '../support/world';
import { serverBinArgs } from '../support/serverBin';

export const REDIS_URL = process.env.HC_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const ROOT = resolve(__dirname, '../..');

/** One server process of the cluster. */
export interface ClusterProcess {
  readonly url: string;
  readonly httpUrl: string;
  readonly child: ChildProcess;
  readonly stderr: string[];
}

/** The running cluster. */
export interface TestCluster {
  readonly nodes: ClusterProcess[];
  /** The folder of the nodes' SQLite files. */
  readonly dir: string;
  readonly prefix: string;
  readonly redis: Redis;
  /** Stops every process still running (SIGTERM), deletes the prefix's keys. */
  dispose(): Promise<void>;
}

/** Starts one node; resolves once it listens. */
export async function startNode(prefix: string, dir: string, name: string, extra: readonly string[] = [], redisUrl = REDIS_URL): Promise<ClusterProcess> {
  // One process (node itself, not the tsx wrapper: `serverBinArgs`): kill -9 must hit the server itself.
  const child = spawn(
    process.execPath,
    [...serverBinArgs(), '--port', '0', '--db', join(dir, `${name}.db`), '--sdkappid', String(SDKAPPID), '--redis', redisUrl, '--cluster-prefix', prefix, ...extra],
    { cwd: ROOT, env: { ...process.env, HC_SECRET_KEY: SECRET_KEY, HC_DEBUG: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const stderr: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
  const url = await new Promise<string>((resolveUrl, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL'); // not left running behind the failed test
      reject(new Error(`node ${name} did not start: ${out} ${stderr.join('')}`));
    }, 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const m = /"url":"(ws:\/\/[^"]+)"/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1] as string);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`node ${name} exited with ${code}: ${stderr.join('')}`));
    });
  });
  child.stdout?.resume();
  return { url, httpUrl: url.replace(/^ws/, 'http').replace(/\/ws$/, ''), child, stderr };
}

/** Starts `n` nodes on one Redis with a fresh prefix (`redisUrl`: a proxy of the machine's, say). */
export async function startCluster(n: number, extra: readonly string[] = [], redisUrl = REDIS_URL): Promise<TestCluster> {
  const prefix = `hc-test-${randomBytes(5).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'hc-cluster-'));
  const started = await Promise.allSettled(Array.from({ length: n }, (_, i) => startNode(prefix, dir, `node${i}`, extra, redisUrl)));
  const nodes = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    // One node did not start: the others are not left running behind the failed test.
    for (const node of nodes) node.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw failed.reason;
  }
  const redis = new Redis(REDIS_URL);
  return {
    nodes,
    dir,
    prefix,
    redis,
    async dispose() {
      await Promise.all(
        nodes.map(
          (node) =>
            new Promise<void>((done) => {
              if (node.child.exitCode !== null || node.child.signalCode !== null) return done();
              node.child.once('exit', () => done());
              node.child.kill('SIGTERM');
            }),
        ),
      );
      await flushPrefix(redis, prefix);
      redis.disconnect();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Deletes every key of `prefix`. */
export async function flushPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}

/** A connection to Redis for a proxied `client`, both kept in `sockets` (closed with the proxy) while open. */
function connectUpstream(client: Socket, target: URL, sockets: Set<Socket>): Socket {
  const upstream = connect(Number(target.port || 6379), target.hostname);
  for (const s of [client, upstream]) {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  }
  return upstream;
}

/** A TCP proxy to Redis that a test can cut (connections dropped, new ones refused) and restore, on one port. */
export async function redisProxy(): Promise<{
  url: string;
  cut(): void;
  restore(): void;
  hold(): void;
  release(): void;
  passUntil(text: string): void;
  holding(): string;
  holdScripts(): void;
  deafen(): void;
  hear(): void;
  gag(): void;
  mute(): void;
  unmute(): void;
  subscribes(): number;
  close(): Promise<void>;
}> {
  const target = new URL(REDIS_URL);
  const sockets = new Set<Socket>();
  let open = true;
  /** While held: what the nodes send to Redis, in order, per upstream socket (Redis's answers still flow). */
  let held: [Socket, Buffer][] | null = null;
  /**
   * While scripts are held: per upstream socket, what it sent from its first script call on (EVAL, EVALSHA: the
   * node's claims, moves, heartbeats), in order; plain commands before it (a ready check, SUBSCRIBE, XRANGE) pass.
   */
  let scripts: Map<Socket, Buffer[]> | null = null;
  /** The connections that subscribed (a node's pub/sub connection), and, while deafened, what Redis sent them. */
  const subscribers = new WeakSet<Socket>();
  let unheard: [Socket, Buffer][] | null = null;
  /** While gagged (until the next cut): what Redis answers the command connections is dropped. */
  let gagged = false;
  let unanswered: [Socket, Buffer][] | null = null;
  let subscribeCount = 0;
  const server: Server = createServer((client) => {
    if (!open) return void client.destroy();
    const upstream = connectUpstream(client, target, sockets);
    client.on('data', (chunk: Buffer) => {
      if (/\r\nsubscribe\r\n/i.test(chunk.toString('latin1'))) {
        subscribers.add(client);
        subscribeCount += 1;
      }
      const queued = scripts?.get(upstream) ?? (scripts && /\r\neval(sha)?\r\n/i.test(chunk.toString('latin1')) ? [] : undefined);
      if (held) held.push([upstream, chunk]);
      else if (scripts && queued) scripts.set(upstream, [...queued, chunk]);
      else upstream.write(chunk);
    });
    client.on('end', () => upstream.end());
    upstream.on('data', (chunk: Buffer) => {
      if (subscribers.has(client) ? unheard?.push([client, chunk]) : gagged || unanswered?.push([client, chunk])) return;
      client.write(chunk);
    });
    upstream.on('end', () => client.end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const cut = () => {
    open = false;
    gagged = false;
    for (const s of sockets) s.destroy();
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    cut,
    restore: () => (open = true),
    /** Holds what the nodes behind it send to Redis (a Redis that stalls: nothing is lost) until {@link release}. */
    hold: () => void (held ??= []),
    release: () => {
      const queued = held ?? [];
      held = null;
      for (const [upstream, chunk] of queued) upstream.write(chunk);
      const calls = scripts ?? new Map<Socket, Buffer[]>();
      scripts = null;
      for (const [upstream, chunks] of calls) for (const chunk of chunks) upstream.write(chunk);
    },
    /** Passes on what is held up to the first chunk that holds `text`, that one included; the rest stays held. */
    passUntil: (text: string) => {
      const queued = held ?? [];
      const upTo = queued.findIndex(([, chunk]) => chunk.toString('latin1').includes(text));
      if (upTo < 0) throw new Error(`nothing held holds ${text}`);
      for (const [upstream, chunk] of queued.splice(0, upTo + 1)) upstream.write(chunk);
    },
    /** Holds, per connection, what it sends from its first script call on (plain commands pass) until {@link release}. */
    holdScripts: () => void (scripts ??= new Map()),
    /** What the nodes sent since {@link hold}, not passed on yet (as text). */
    holding: () => (held ?? []).map(([, chunk]) => chunk.toString('latin1')).join(''),
    /**
     * Holds what Redis sends to the subscribed connections behind it (their node reads its pub/sub frames late,
     * as a loaded node may read one socket before another) until {@link hear}; command answers still flow.
     */
    deafen: () => void (unheard ??= []),
    hear: () => {
      const queued = unheard ?? [];
      unheard = null;
      for (const [client, chunk] of queued) client.write(chunk);
    },
    /**
     * Drops what Redis answers the command connections behind it, until the next {@link cut}: Redis runs what
     * they send, the node never hears it did (a connection that dies after Redis ran a command, before its answer).
     */
    gag: () => void (gagged = true),
    /** Holds what Redis answers the command connections (their node hears its pub/sub frames first) until {@link unmute}. */
    mute: () => void (unanswered ??= []),
    unmute: () => {
      for (const [client, chunk] of unanswered?.splice(0) ?? []) client.write(chunk);
      unanswered = null;
    },
    /** How many chunks carrying a SUBSCRIBE the nodes behind it have sent (a subscription asked for, answered or not). */
    subscribes: () => subscribeCount,
    close: () =>
      new Promise<void>((r) => {
        cut();
        server.close(() => r());
      }),
  };
}

/** Polls `probe` until `ok` holds (throws with the last value after `waitMs`). */
export async function until<T>(what: string, probe: () => T | Promise<T>, ok: (value: T) => boolean, waitMs = 15_000): Promise<T> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** One request over a raw socket at `url`: logs in as `userID`, asks, logs out; resolves with the answer. */
export async function askAs(url: string, userID: string, frame: Record<string, unknown>): Promise<Record<string, unknown> | undefined> {
  const ws = new WebSocket(url);
  const frames: Array<Record<string, unknown>> = [];
  ws.on('message', (d) => frames.push(JSON.parse(String(d)) as Record<string, unknown>));
  await new Promise((r, f) => ws.once('open', r).once('error', f));
  ws.send(JSON.stringify({ type: 'login', rid: 1, userID, userSig: tencentUserSig(userID), protocol: 1 }));
  ws.send(JSON.stringify({ ...frame, rid: 2 }));
  try {
    await until('an answer', () => frames.some((f) => f.rid === 2), (ok) => ok, 10_000);
  } finally {
    ws.send(JSON.stringify({ type: 'logout', rid: 3 }));
    ws.close();
  }
  return frames.find((f) => f.rid === 2);
}

/** A raw protocol client, logged in (to see frames the API hides: stored messages and their ids, presence). */
export async function rawClient(url: string, userID: string) {
  const ws = new WebSocket(url);
  const frames: Array<Record<string, unknown>> = [];
  ws.on('message', (d) => frames.push(JSON.parse(String(d)) as Record<string, unknown>));
  await new Promise((r, f) => ws.once('open', r).once('error', f));
  ws.send(JSON.stringify({ type: 'login', rid: 1, userID, userSig: tencentUserSig(userID), protocol: 1 }));
  const reply = await until(`${userID} login`, () => frames.find((f) => f.rid === 1), (f) => f !== undefined);
  if (reply?.type !== 'loggedIn') throw new Error(`${userID} could not log in: ${JSON.stringify(reply)}`);
  return { ws, frames, messages: () => frames.filter((f) => f.type === 'message').map((f) => `${String(f.id)} ${String(f.payload)}`) };
}

/**
 * In-process servers (`testServer`, simulated clocks) as nodes of one cluster on Redis, under a fresh
 * key prefix for each test, and raw clients of them: all stopped, and the prefix's keys deleted, after
 * each test.
 */
export function inProcessNodes() {
  const redis = new Redis(REDIS_URL);
  const servers: TestServer[] = [];
  const clients: RawClient[] = [];
  const proxies: Awaited<ReturnType<typeof redisProxy>>[] = [];
  let prefix = '';
  // One start for the clocks of a test's nodes: what one node stamps on its clock (a user's buckets in
  // Redis, `tokens:lastMs`) another reads on its own. Started apart, nodes made on each side of a
  // second boundary were a second apart, and budgetMove.test.ts saw a second's refill on a loaded machine.
  let startAt = 0;
  beforeEach(() => {
    prefix = `hc-test-${randomBytes(5).toString('hex')}`;
    startAt = Math.floor(Date.now() / 1000) * 1000;
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.terminate();
    // Redis back for the nodes a test left cut off: a node closed without it waits out the hand-back bound
    // (HAND_BACK_MS, 5 s) in teardown, which proves nothing here (closeStalled.test.ts tests that bound).
    for (const p of proxies) p.restore();
    for (const s of servers.splice(0)) await s.dispose();
    for (const p of proxies.splice(0)) await p.close();
    await flushPrefix(redis, prefix);
  });
  return {
    redis,
    /** This test's key prefix. */
    get prefix(): string {
      return prefix;
    },
    async node(nodeId: string, options: Parameters<typeof testServer>[0] = {}): Promise<TestServer> {
      const server = await testServer({ redisUrl: REDIS_URL, clusterPrefix: prefix, nodeId, ...options }, startAt || undefined);
      servers.push(server);
      channels.set(server, { redis, channel: `${prefix}:n:${nodeId}` });
      return server;
    },
    async open(server: TestServer): Promise<RawClient> {
      const client = await RawClient.open(server.handle.url);
      clients.push(client);
      return client;
    },
    /** A TCP proxy to Redis a test can cut and restore (a node given its `url` loses Redis with it); closed after the test. */
    async proxy(): Promise<Awaited<ReturnType<typeof redisProxy>>> {
      const proxy = await redisProxy();
      proxies.push(proxy);
      return proxy;
    },
    /** A raw client of `server`, logged in as `user`. */
    async login(server: TestServer, user: string): Promise<RawClient> {
      const client = await RawClient.open(server.handle.url);
      clients.push(client);
      const reply = await client.request({ type: 'login', userID: user, userSig: tencentUserSig(user) });
      if (reply.type !== 'loggedIn') throw new Error(`${user} could not log in: ${JSON.stringify(reply)}`);
      return client;
    },
    /** Alice on node a and Bob on node b in room 7 (granted to them and Carol), each node knowing the other's member (node a hears of Bob on its subscription: a relay to him at once was refused now and then, notInRoom); each node reaches Redis through a proxy of its own (`pa`, `pb`). */
    async inRoom7() {
      const pa = await this.proxy();
      const pb = await this.proxy();
      const a = await this.node('a', { redisUrl: pa.url });
      const b = await this.node('b', { redisUrl: pb.url });
      const alice = await this.login(a, 'alice');
      const bob = await this.login(b, 'bob');
      a.handle.grantRoom(7, ['alice', 'bob', 'carol']);
      await until('the grant on b', async () => (await bob.request({ type: 'roomEnter', roomID: 7, audio: true, video: false })).type, (x) => x === 'roomInfo');
      const entered = await alice.request({ type: 'roomEnter', roomID: 7, audio: true, video: false });
      if (entered.type !== 'roomInfo') throw new Error(`alice could not enter: ${JSON.stringify(entered)}`);
      await Promise.all([bob.next((f) => f.type === 'userEntered' && f.userID === 'alice'), ((entered.members ?? []) as { userID: string }[]).some((m) => m.userID === 'bob') || until('node a heard Bob enter', () => alice.frames.some((f) => f.type === 'userEntered' && f.userID === 'bob'), (heard) => heard)]);
      return { pa, pb, a, b, alice, bob };
    },
    /** `user` logs in on `server` in tab 1, then in tab 2 with a newer userSig: tab 1 is kicked, its userSig revoked in Redis. */
    async kickedTab(server: TestServer, user: string): Promise<{ oldSig: string; tab2: RawClient }> {
      const oldSig = tencentUserSig(user, 3600);
      const tab1 = await this.open(server);
      const first = await tab1.request({ type: 'login', userID: user, userSig: oldSig, protocol: 1 });
      const tab2 = await this.open(server);
      const second = await tab2.request({ type: 'login', userID: user, userSig: tencentUserSig(user, 3599), protocol: 1 });
      if (first.type !== 'loggedIn' || second.type !== 'loggedIn') throw new Error(`${user}'s tabs could not log in`);
      await tab1.closed;
      await until('the old userSig revoked in Redis', () => redis.exists(`${prefix}:k:${user}`), (n) => n === 1);
      return { oldSig, tab2 };
    },
  };
}

/** Alice (TRTCCalling on node `a`) calls Bob (on node `b`), who accepts: resolves once both are in the call. `destroy()` resolves once both logged out: awaited before the nodes close (a client destroyed as its node closed went on reconnecting for the 5 s its logout may wait, LOGOUT_WAIT_MS, into the next test file of its worker). */
export async function callAcross(a: TestServer, b: TestServer) {
  const client = (id: string, url: string) => party(id, new TRTCCalling({ SDKAppID: SDKAPPID, backend: embeddedBackend({ url, WebSocket }) }));
  const alice = client('alice', a.handle.url);
  const bob = client('bob', b.handle.url);
  const seen = (p: typeof alice) => p.events.log.map((e) => e.name);
  const destroy = async () => void (await Promise.all([alice, bob].map((p) => p.calling.destroy())));
  try {
    await alice.calling.login({ userID: 'alice', userSig: tencentUserSig('alice') });
    await bob.calling.login({ userID: 'bob', userSig: tencentUserSig('bob') });
    bob.calling.on(TRTCCalling.EVENT.INVITED, ({ inviteID }) => void bob.calling.accept({ inviteID }));
    await alice.calling.call({ userID: 'bob', type: 1, timeout: 30 });
    await until('the call is up', () => [seen(alice), seen(bob)], (s) => s.every((n) => n.includes('onUserEnter')));
  } catch (error) {
    await destroy();
    throw error;
  }
  return { alice, bob, seen, destroy };
}

/** The payloads of the messages `client` was given, in order. */
export const payloads = (client: RawClient): string[] => client.frames.filter((f) => f.type === 'message').map((f) => String(f.payload));

/** A C2C message from `from` to `to`; resolves with the server's answer. */
export const sendC2C = (from: RawClient, to: string, payload: string) => from.request({ type: 'sendC2C', to, payload, onlineUserOnly: false });

/** `client` confirms every message it was given so far, as our client does. */
export function confirmGiven(client: RawClient): void {
  const last = client.frames.filter((f) => f.type === 'message').at(-1);
  if (last) client.send({ type: 'received', upTo: last.seq });
}

/** The node has caught up after losing Redis (`n` catch-ups at least: `hc_cluster_catch_ups_total`). */
export const caughtUp = (server: TestServer, n = 1) => until('caught up', () => server.handle.metrics().cluster?.catchUps ?? 0, (done) => done >= n, 20_000);

/** The node's moves between its store and the streams are done. */
export const movesDone = (server: TestServer) => until('moves done', () => server.handle.metrics().cluster?.moving, (n) => n === 0);

/** Each in-process node's channel (`P:n:<node>`), and a Redis connection to publish on it. */
const channels = new WeakMap<TestServer, { redis: Redis; channel: string }>();
let marks = 0;

/**
 * Everything published to the node's channel so far (the notices of the moves other nodes made) has
 * reached it and been handled: pub/sub runs in real time, not on the node's clock, so `moving === 0`
 * also holds while a notice is still on its way. A marker published now arrives after them (Redis keeps
 * the order of one channel) and, of a type the node does not know, is logged when handled.
 */
export async function heardAll(server: TestServer): Promise<void> {
  const target = channels.get(server);
  if (!target) return;
  const t = `test-mark-${++marks}`;
  await target.redis.publish(target.channel, JSON.stringify({ t }));
  const deadline = Date.now() + 15_000;
  while (!server.logs.some((l) => l.fields?.t === t)) {
    if (Date.now() > deadline) throw new Error(`${target.channel} never heard ${t}`);
    await new Promise((r) => setTimeout(r, 1)); // a round trip through Redis: polled closely, settleMoves runs often
  }
}

/**
 * The moves under way are done and the node counted its store again (its recount runs on its clock),
 * the moves started by the notices already published to it included.
 */
export async function settleMoves(server: TestServer): Promise<void> {
  await heardAll(server);
  await movesDone(server);
  await server.clock.advance(300);
  await movesDone(server);
}

/** A TCP proxy to Redis (for a node given its URL) that counts the bytes each way. */
export interface CountingProxy {
  readonly url: string;
  toRedis(): number;
  fromRedis(): number;
  close(): Promise<void>;
}

async function countingProxy(): Promise<CountingProxy> {
  const target = new URL(REDIS_URL);
  const sockets = new Set<Socket>();
  let toRedis = 0;
  let fromRedis = 0;
  const server = createServer((client) => {
    const upstream = connectUpstream(client, target, sockets);
    client.on('data', (chunk: Buffer) => {
      toRedis += chunk.length;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      fromRedis += chunk.length;
      client.write(chunk);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `redis://127.0.0.1:${(server.address() as { port: number }).port}`,
    toRedis: () => toRedis,
    fromRedis: () => fromRedis,
    close: () => new Promise<void>((r) => (sockets.forEach((s) => s.destroy()), server.close(() => r()))),
  };
}

/**
 * Opens counting proxies (`CountingProxy`) closed after each test. Call it before `inProcessNodes()`: hooks run last
 * first, and a node closing through a proxy already closed waits out its 5 s shutdown bound.
 */
export function countingProxies(): () => Promise<CountingProxy> {
  const open: CountingProxy[] = [];
  afterEach(async () => {
    for (const proxy of open.splice(0)) await proxy.close();
  });
  return async () => {
    const proxy = await countingProxy();
    open.push(proxy);
    return proxy;
  };
}
