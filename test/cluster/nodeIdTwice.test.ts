/**
 * Two live processes given one `--node-id` (a misconfiguration: a deploy script reusing an id). A node starting takes
 * in what Redis holds for its id, as a restart after a crash must (roomNodeRestart.test.ts): its earlier run's room
 * members, to leave once the room grace has passed unless their users entered again. A second live process with the
 * same id took the first one's live members in that way, and its grace made them leave everywhere but on the first:
 * Bob (node b) heard Alice leave, node b and Redis forgot her, node a still held her (2026-12-06). Now a node claims
 * its id's heartbeat key before it reads anything of it, and a live node's refuses the start (`server/cluster/nodeId.ts`);
 * a crashed node's last heartbeat only delays it until it lapses. A live node stalled past its heartbeat (SIGSTOP) while
 * a second process took its id stops when it wakes, exit code 3 (`NodeIdLost`; in process: nodeIdLost.test.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { LogLine } from '../server/support';
import { heardAll, inProcessNodes, redisProxy, startCluster, startNode, type TestCluster, until } from './support';

const GRACE_MS = 10_000; // roomGraceMs, the default
/** The line a node logs when it finds its id taken (nodeIdLost.test.ts). */
const LOST = "cluster: another process took this node id (its heartbeat holds that one's token): this one stops now, handing nothing back";

const memberIDs = (answer: Record<string, unknown>): string[] => ((answer.members ?? []) as { userID: string }[]).map((m) => m.userID).sort();

describe('cluster: two processes given one node id', () => {
  const t = inProcessNodes();

  /** A logger that keeps what a start that is refused (no `TestServer` to read) said. */
  const keep = (logs: LogLine[]) => ({
    info: (message: string) => void logs.push({ level: 'info', message }),
    warn: (message: string) => void logs.push({ level: 'warn', message }),
    error: (message: string) => void logs.push({ level: 'error', message }),
  });

  it('Alice (node a) and Bob (node b) in room 7; a second process starts with node a\'s id -> refused (NodeIdTaken), and once the grace passed Bob has heard nothing, Redis keeps Alice', async () => {
    const { a, b, alice, bob } = await t.inRoom7();
    const before = bob.frames.length;
    const logs: LogLine[] = [];
    await expect(t.node('a', { logger: keep(logs) })).rejects.toMatchObject({ name: 'NodeIdTaken', code: 'HC_NODE_ID_TAKEN', node: 'a', prefix: t.prefix });
    expect(logs.map((l) => `${l.level} ${l.message}`)).toEqual([
      'warn cluster: a heartbeat holds this node id: waiting for it to lapse (an earlier run that crashed), refusing to start if it beats (a live node)',
    ]);
    await a.clock.advance(GRACE_MS);
    await b.clock.advance(GRACE_MS);
    await heardAll(b);
    await bob.sync();
    expect({
      heard: bob.frames.slice(before).filter((f) => f.type === 'userLeft' || f.type === 'userEntered').map((f) => `${String(f.type)} ${String(f.userID)}`),
      atB: memberIDs(await bob.request({ type: 'roomMembers', roomID: 7 })),
      atA: memberIDs(await alice.request({ type: 'roomMembers', roomID: 7 })),
      redis: (await t.redis.hkeys(`${t.prefix}:r:7`)).sort(),
      alive: await t.redis.exists(`${t.prefix}:alive:a`), // the refused start deleted nothing of node a's
    }).toEqual({ heard: [], atB: ['alice', 'bob'], atA: ['alice', 'bob'], redis: ['alice', 'bob'], alive: 1 });
  });

  it('node a refuses a second process with its id, then closes -> the id starts again at once (a refusal is not for good)', async () => {
    const a = await t.node('a');
    await expect(t.node('a')).rejects.toMatchObject({ name: 'NodeIdTaken' });
    await a.handle.close(); // a graceful close deletes its heartbeat
    await a.restart();
    expect(a.logs.filter((l) => l.message.includes('heartbeat')).map((l) => l.message)).toEqual([]);
    expect(a.handle.metrics().cluster?.node).toBe('a');
  });

  it('node c crashed (its last heartbeat still in Redis) and starts again with its id -> it waits for that heartbeat to lapse, says so, and starts', async () => {
    // What a SIGKILL leaves: the last beat, living out its TTL (3.5 s; shortened here).
    await t.redis.set(`${t.prefix}:alive:c`, 'ok', 'PX', 1500);
    const c = await t.node('c');
    expect(c.logs.filter((l) => l.message.includes('heartbeat')).map((l) => `${l.level} ${l.message}`)).toEqual([
      'warn cluster: a heartbeat holds this node id: waiting for it to lapse (an earlier run that crashed), refusing to start if it beats (a live node)',
      'info cluster: the earlier run\'s heartbeat lapsed: this node takes its id',
    ]);
    expect(c.handle.metrics().cluster?.node).toBe('c');
  });
});

describe('cluster: two server processes given one --node-id', () => {
  let cluster: TestCluster;
  /** Between a restarted node and Redis (the first test's). */
  let link: Awaited<ReturnType<typeof redisProxy>> | undefined;
  afterEach(async () => {
    await cluster?.dispose();
    await link?.close();
    link = undefined;
  });

  it('a second `server/bin.ts --node-id x` while x runs -> exit code 2 and one line; x SIGKILLed and started again at once -> it waits out its last heartbeat and starts', async () => {
    cluster = await startCluster(0);
    const x = (name: string) => startNode(cluster.prefix, cluster.dir, name, ['--node-id', 'x']);
    cluster.nodes.push(await x('x1'));
    const refused = await x('x2').then(() => 'started', (error: Error) => error.message);
    const line = `headless-calling-server: --node-id x: a live node of the cluster (prefix ${cluster.prefix}) already runs with this id; give each process its own --node-id, or none (a random one)`;
    // startNode's rejection: the exit code, then the process's stderr (its log's warning that it waited, the line).
    const [exit, ...stderr] = refused.trimEnd().split(/: (?=\{)|\n/);
    expect({ exit, stderr: stderr.map((l) => (l.startsWith('{') ? (JSON.parse(l) as { message: string }).message : l)) }).toEqual({
      exit: 'node x2 exited with 2',
      stderr: ['cluster: a heartbeat holds this node id: waiting for it to lapse (an earlier run that crashed), refusing to start if it beats (a live node)', line],
    });
    // Started again at once: its claim reaches Redis as x1 dies, within its last beat's TTL (3.5 s at most). A process
    // takes longer than that to start on a loaded machine (it claimed a key already lapsed and never waited): so it
    // starts first, through a proxy that passes its connections' handshakes and holds its claim until x1 is gone.
    const proxy = (link = await redisProxy());
    const alive = `${cluster.prefix}:alive:x`;
    proxy.hold();
    const starting = startNode(cluster.prefix, cluster.dir, 'x1', ['--node-id', 'x'], proxy.url); // the same database: the crashed process's
    const claimed = () => proxy.holding().includes(alive) || (proxy.release(), proxy.hold(), false);
    await until('the new process\'s claim sent', claimed, (sent) => sent, 30_000);
    const first = cluster.nodes[0]!.child;
    const exited = new Promise<void>((done) => first.once('exit', () => done()));
    first.kill('SIGKILL');
    await exited;
    proxy.release();
    const again = await starting;
    cluster.nodes.push(again);
    expect(again.stderr.join('')).toContain('waiting for it to lapse');
  }, 60_000);

  it('x1 SIGSTOPped, x2 started with its id (waits out x1\'s heartbeat, starts), x1 SIGCONTed -> x1 exits with 3 after one line; x2\'s heartbeat untouched, x2 serving', async () => {
    cluster = await startCluster(0);
    const x = (name: string) => startNode(cluster.prefix, cluster.dir, name, ['--node-id', 'x']);
    const x1 = await x('x1');
    cluster.nodes.push(x1);
    x1.child.kill('SIGSTOP');
    const x2 = await x('x2'); // x1's key only falls: it lapses, and x2 claims the id
    cluster.nodes.push(x2);
    const key = `${cluster.prefix}:alive:x`;
    const theirs = await cluster.redis.get(key);
    const exited = new Promise<number | null>((done) => x1.child.once('exit', (code) => done(code)));
    x1.child.kill('SIGCONT');
    const exit = await exited;
    const lines = x1.stderr.join('').trimEnd().split('\n').map((l) => JSON.parse(l) as { level: string; message: string; node: string });
    expect({ exit, lines: lines.map((l) => `${l.level} ${l.message} ${l.node}`) }).toEqual({ exit: 3, lines: [`error ${LOST} x`] });
    expect({ alive: await cluster.redis.get(key), health: (await fetch(`${x2.httpUrl}/healthz`)).status }).toEqual({ alive: theirs, health: 200 });
  }, 60_000);
});
