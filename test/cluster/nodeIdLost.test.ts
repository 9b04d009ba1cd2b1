/**
 * A live node that stalls past its heartbeat's TTL (3.5 s: a long GC pause, a stopped VM, SIGSTOP) lets its key
 * (`P:alive:<id>`) lapse, and a second process given its `--node-id` then claims the id, as after a crash, and takes
 * in the first one's room members as its earlier run's (nodeIdTwice.test.ts). Before 2026-12-06 the first one's next
 * beat set the key again whatever it held, and both ran as one id; a graceful stop deleted the key, and released the
 * id's users and mark, whoever held them. Now the key holds the process's token: a beat or a graceful stop that finds
 * another one there stops the node as a crash would have, touching nothing under the id (`server/cluster/nodeId.ts`).
 *
 * The stall is the key set by another token directly (what the other process's claim writes), before the node's
 * next beat, or before its graceful stop begins (no beat runs once it has). A real process stopped with SIGSTOP while
 * another takes its id: nodeIdTwice.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../server/cli';
import { ClusterNode } from '../../server/cluster/node';
import { NodeIdLost } from '../../server/cluster/nodeId';
import { defineScripts } from '../../server/cluster/scripts';
import { REDIS_URL, flushPrefix, heardAll, inProcessNodes, until } from './support';

const LOST = "cluster: another process took this node id (its heartbeat holds that one's token): this one stops now, handing nothing back";
/** What the other process's claim writes under the id (its token, its state). */
const THEIRS = 'their-token ok';

describe('cluster: a node whose id another process took while it stalled', () => {
  const t = inProcessNodes();

  /** Everything Redis holds under node a's id for Alice and room 7 (the directory, who is online, the room, P:said). */
  const underA = async () => ({
    alive: await t.redis.get(`${t.prefix}:alive:a`),
    said: await t.redis.sismember(`${t.prefix}:said`, 'a'),
    directory: await t.redis.hget(`${t.prefix}:d:alice`, 'node'),
    online: await t.redis.hget(`${t.prefix}:on`, 'alice'),
    room: await t.redis.hgetall(`${t.prefix}:r:7`),
  });
  const said = (logs: { level: string; message: string }[]) => logs.filter((l) => l.level !== 'info').map((l) => `${l.level} ${l.message}`);

  it('Alice (node a) and Bob (node b) in room 7; node a stalls and another process claims its id -> a\'s next beat finds its token: one line, Alice closed, the server stopped (NodeIdLost), nothing under the id touched', async () => {
    const { a, b, alice, bob } = await t.inRoom7();
    await until('alice online on a', () => t.redis.hget(`${t.prefix}:on`, 'alice'), (node) => node === 'a');
    const before = bob.frames.length;
    const held = await underA();
    await t.redis.set(`${t.prefix}:alive:a`, THEIRS, 'PX', 60_000);
    const lost = await a.handle.stopped; // at its next beat (every second, real time)
    expect({ name: lost.name, code: lost.code, node: lost.node, prefix: lost.prefix }).toEqual({ name: 'NodeIdLost', code: 'HC_NODE_ID_LOST', node: 'a', prefix: t.prefix });
    expect(await alice.closed).toEqual({ code: 1001, reason: 'server shutting down' });
    await heardAll(b);
    expect({ redis: await underA(), heard: bob.frames.slice(before), logs: said(a.logs) }).toEqual({
      redis: { ...held, alive: THEIRS },
      heard: [],
      logs: [`error ${LOST}`],
    });
  });

  it('node a\'s Redis stalls past a\'s heartbeat, another process claims its id, Alice exits room 7 on a meanwhile -> a sends nothing more it cannot confirm the id for: its next beat finds it taken, Redis keeps Alice, Bob hears nothing', async () => {
    const { pa, a, b, alice, bob } = await t.inRoom7();
    await until('alice online on a', () => t.redis.hget(`${t.prefix}:on`, 'alice'), (node) => node === 'a');
    const before = bob.frames.length;
    const held = await underA();
    pa.hold(); // what a sends waits in the proxy (a stalled link, or a node stalled with its writes queued)
    await until('a\'s heartbeat lapsed', () => t.redis.exists(`${t.prefix}:alive:a`), (n) => n === 0);
    await t.redis.set(`${t.prefix}:alive:a`, THEIRS, 'PX', 60_000);
    alice.send({ type: 'roomExit', rid: 900, roomID: 7 }); // past the heartbeat's lifetime since a's last answered beat
    await alice.sync(); // handled by a (frames in order), its writes sent or held
    pa.release();
    const lost = await a.handle.stopped;
    await heardAll(b);
    expect({ name: lost.name, redis: await underA(), heard: bob.frames.slice(before) }).toEqual({ name: 'NodeIdLost', redis: { ...held, alive: THEIRS }, heard: [] });
  });

  it('node a stalls, another process claims its id, and node a is stopped (close(), SIGTERM) before its next beat -> it hands nothing back: that one\'s heartbeat, Alice\'s entries and the mark stay', async () => {
    const a = await t.node('a');
    await t.login(a, 'alice');
    await until('alice online on a', () => t.redis.hget(`${t.prefix}:on`, 'alice'), (node) => node === 'a');
    const held = await underA();
    await t.redis.set(`${t.prefix}:alive:a`, THEIRS, 'PX', 60_000);
    await a.handle.close(); // in the turn the SET was answered in: no beat ran since, and none runs once close() began
    expect({ redis: await underA(), logs: said(a.logs) }).toEqual({ redis: { ...held, alive: THEIRS }, logs: [`error ${LOST}`] });
  });

  it('node a stops gracefully and its hand-back waits on Redis -> its ownership check keeps the key past the hand-back\'s bound (no beat runs once it began: lapsed, another process could claim the id and have its users released by this one), and a\'s goodbye deletes it', async () => {
    const pa = await t.proxy();
    const a = await t.node('a', { redisUrl: pa.url });
    await t.login(a, 'alice');
    await until('alice online on a', () => t.redis.hget(`${t.prefix}:on`, 'alice'), (node) => node === 'a');
    const alive = `${t.prefix}:alive:a`;
    pa.hold();
    const closed = a.handle.close();
    await until('the ownership check sent', () => pa.holding().includes(alive), (sent) => sent);
    while (pa.holding().includes(alive)) pa.passUntil(alive); // a beat sent before the close, then the check; the steps wait for its answer
    // Before: the check only read the key, which then lapsed 3.5 s after the last beat, during the hand-back (up to 5 s).
    const ttl = await until('the key kept for the hand-back', () => t.redis.pttl(alive), (ms) => ms > 5_000);
    pa.release();
    await closed;
    expect({ kept: ttl <= 8_500, after: await t.redis.exists(alive), logs: said(a.logs) }).toEqual({ kept: true, after: 0, logs: [] });
  }, 30_000);
});

describe('cluster: a node whose id another process takes while it starts, or while it stops', () => {
  const t = inProcessNodes();
  const dirs: string[] = [];
  const signals = { SIGINT: process.listeners('SIGINT'), SIGTERM: process.listeners('SIGTERM') };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    for (const signal of ['SIGINT', 'SIGTERM'] as const) for (const l of process.listeners(signal)) if (!signals[signal].includes(l)) process.off(signal, l);
  });
  /** `runCli` for node a on `redisUrl`, in this process: what it logged (warnings and errors) and the code a signal's stop exits with. */
  const cli = (redisUrl: string, onError: () => void = () => undefined) => {
    const dir = mkdtempSync(join(tmpdir(), 'hc-id-'));
    dirs.push(dir);
    const logs: string[] = [];
    const logger = { info: () => undefined, warn: (m: string) => void logs.push(`warn ${m}`), error: (m: string) => void (logs.push(`error ${m}`), onError()) };
    let exited: (code: number) => void = () => undefined;
    const exit = new Promise<number>((resolve) => (exited = resolve));
    const argv = ['--port', '0', '--host', '127.0.0.1', '--db', join(dir, 'a.db'), '--sdkappid', '1400000001', '--redis', redisUrl, '--cluster-prefix', t.prefix, '--node-id', 'a'];
    const output = { out: () => undefined, err: (line: string) => void logs.push(`err ${line}`) };
    return { logs, exit, started: runCli(argv, { HC_SECRET_KEY: 'k'.repeat(64) }, { logger, output, exit: exited }) };
  };

  it('node a\'s start waits on Redis past its heartbeat and another process claims the id -> the start\'s Redis calls fail with NodeIdLost, the CLI\'s code 3 (before: 1, an unexplained error)', async () => {
    const pa = await t.proxy();
    pa.holdScripts(); // the claim (a plain SET NX) passes; what follows it (the start's scripts, the beats) waits
    const { logs, started } = cli(pa.url);
    const alive = `${t.prefix}:alive:a`;
    await until('a claimed its id', () => t.redis.exists(alive), (n) => n === 1);
    await until('a\'s heartbeat lapsed', () => t.redis.exists(alive), (n) => n === 0);
    await t.redis.set(alive, THEIRS, 'PX', 60_000);
    pa.release();
    expect({ started: await started, theirs: await t.redis.get(alive), logs }).toEqual({ started: { code: 3 }, theirs: THEIRS, logs: [`error ${LOST}`] });
  }, 30_000);

  it('the loss is told while the start goes on, after its last Redis call failed or not -> startServer rejects with NodeIdLost once it closed what it opened, the CLI\'s code 3 (before: a server that ran on with its Redis connections closed, never stopping)', async () => {
    const connect = ClusterNode.connect.bind(ClusterNode);
    const told = vi.spyOn(ClusterNode, 'connect').mockImplementation(async (options, logger, lostId) => {
      const node = await connect(options, logger, lostId);
      lostId?.(new NodeIdLost('a', t.prefix)); // what the node tells as a beat finds another token
      return node;
    });
    try {
      const { started } = cli(REDIS_URL);
      expect(await started).toEqual({ code: 3 }); // runCli's answer to startServer's NodeIdLost
    } finally {
      told.mockRestore();
    }
  });

  it('node a lost its id and stops by itself, and SIGTERM comes meanwhile -> the process ends with 3, the code of the stop it was in (before: 0, as a stop asked for)', async () => {
    // The signal as the stop begins: the line is logged as the id is found lost, and the stop starts in that turn.
    const { exit, started } = cli(REDIS_URL, () => void setImmediate(() => process.emit('SIGTERM')));
    const { server } = await started;
    await t.redis.set(`${t.prefix}:alive:a`, THEIRS, 'PX', 60_000);
    expect({ code: await exit, stopped: await server?.stopped.then((lost) => lost.name) }).toEqual({ code: 3, stopped: 'NodeIdLost' });
  }, 30_000);

  it('SIGTERM first, and node a\'s stop then finds its id taken -> it hands nothing back and ends with 3 (before: 0)', async () => {
    const { logs, exit, started } = cli(REDIS_URL);
    const { server } = await started;
    await t.redis.set(`${t.prefix}:alive:a`, THEIRS, 'PX', 60_000);
    process.emit('SIGTERM'); // before a's next beat: the stop's ownership check finds the other token
    expect({ code: await exit, stopped: await server?.stopped.then((lost) => lost.name), theirs: await t.redis.get(`${t.prefix}:alive:a`), logs }).toEqual({
      code: 3,
      stopped: 'NodeIdLost',
      theirs: THEIRS,
      logs: [`error ${LOST}`],
    });
  }, 30_000);
});

describe('cluster: the heartbeat\'s scripts, on the process\'s token', () => {
  const prefix = `hc-test-${randomBytes(5).toString('hex')}`;
  const redis = defineScripts(new Redis(REDIS_URL));
  afterEach(() => flushPrefix(redis, prefix));
  afterAll(() => void redis.disconnect());
  const alive = `${prefix}:alive:a`;
  const said = `${prefix}:said`;
  const ran = `${prefix}:ran:a:1`;

  it('BEAT: gone -> written lapsed until reset; another token there -> answered taken, the key left as it was', async () => {
    const beats = [await redis.hcBeat(alive, 60_000, '0', 'mine'), await redis.hcBeat(alive, 60_000, '0', 'mine'), await redis.hcBeat(alive, 60_000, '1', 'mine')];
    const mine = await redis.get(alive);
    await redis.set(alive, THEIRS, 'PX', 50_000);
    const taken = await redis.hcBeat(alive, 60_000, '1', 'mine');
    const ttl = await redis.pttl(alive);
    expect({ beats, mine, taken, theirs: await redis.get(alive), kept: ttl <= 50_000 }).toEqual({ beats: ['lapsed', 'lapsed', 'ok'], mine: 'mine ok', taken: 'taken', theirs: THEIRS, kept: true });
  });

  it('DROP: another token there -> 0, its key and the mark kept (this process\'s P:ran goes); its own -> 1, both gone', async () => {
    await redis.set(alive, THEIRS);
    await redis.sadd(said, 'a', 'b');
    await redis.set(ran, '1');
    const theirs = await redis.hcDrop(alive, said, ran, 'mine', 'a', '1');
    const kept = { alive: await redis.get(alive), said: (await redis.smembers(said)).sort(), ran: await redis.exists(ran) };
    await redis.set(alive, 'mine ok');
    const mine = await redis.hcDrop(alive, said, ran, 'mine', 'a', '0');
    expect({ theirs, kept, mine, alive: await redis.exists(alive), said: await redis.smembers(said) }).toEqual({
      theirs: 0,
      kept: { alive: THEIRS, said: ['a', 'b'], ran: 0 },
      mine: 1,
      alive: 0,
      said: ['b'],
    });
  });
});
