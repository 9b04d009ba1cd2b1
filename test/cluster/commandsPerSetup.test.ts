/**
 * What a 1v1 call's setup costs Redis, command by command: the setup of `npm run bench:server -- --nodes 2` (the
 * caller on node a, the callee on node b; invite with its room, accept, hangup, each message crossing nodes, each
 * given and confirmed). Counted with MONITOR on the shared Redis, keeping only the commands that name this test's
 * key prefix (every command of the cluster's scripts names a key or channel of it), so other users of the Redis
 * count nothing; a script call counts as `evalsha`, and each command it runs under its own name, as
 * `INFO commandstats` counts them.
 *
 * Before 2026-12-07 a setup cost 103 (here and in the bench, `INFO commandstats`): the move to a stream read what the
 * sender holds with a purge, a ZCOUNT and a GET, and refreshed the TTL of the sender's set (PTTL and two PEXPIREs) at
 * every message whose sender had nothing else in the streams (the set emptied at each take-in); it read the sender's
 * share of the recipient apart from the recipient's counts (HGET after HMGET); the grant's history step asked for the
 * history's existence and length (EXISTS, LLEN) that its TYPE and RPUSH had answered, and trimmed the node's record of
 * the changes Redis ran at every change.
 */
import { connect } from 'node:net';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { callFrames } from '../../bench/server/payloads';
import type { RawClient } from '../server/support';
import { confirmGiven, inProcessNodes, REDIS_URL, settleMoves, until } from './support';

/** Commands seen by MONITOR that name `prefix`, by lower-case name (`evalsha` for a script call). */
async function monitorPrefix(redis: Redis, prefix: string) {
  // A socket of its own: an ioredis connection in MONITOR mode, under load, took lines for replies (a queue state error).
  const url = new URL(REDIS_URL);
  const socket = connect(Number(url.port || 6379), url.hostname);
  const counts = new Map<string, number>();
  const marks = new Set<string>();
  const beats = new Set<string>();
  let rest = '';
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => {
    const lines = (rest + chunk).split('\r\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      // +<time> [<db> <client or lua>] "<command>" "<arg>" ...: each quoted, `"` and `\` escaped
      const args = [...line.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => (m[1] as string).replace(/\\(.)/g, '$1'));
      const [command, first, second] = args;
      const ours = args.slice(1).filter((a) => a.startsWith(`${prefix}:`));
      if (command === undefined || ours.length === 0) continue;
      const name = command.toLowerCase();
      if (name === 'set' && first?.startsWith(`${prefix}:alive:`)) beats.add(first);
      // The nodes' heartbeats and checks of each other's (real time, once a second: BEAT's script, its GET and SET,
      // the SMEMBERS of P:said and the EXISTS of a heartbeat), not the setups': a window held one on a loaded machine.
      if (ours.every((a) => a.startsWith(`${prefix}:alive:`) || a === `${prefix}:said`)) continue;
      // The test's own: marks (below) and heardAll's (a publish on a node's channel, everything before it heard).
      if (first?.startsWith(`${prefix}:mark:`)) marks.add(first);
      else if (!(name === 'publish' && second?.startsWith('{"t":"test-mark-'))) counts.set(name, (counts.get(name) ?? 0) + 1);
    }
  });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.on('error', () => undefined); // closed with the test
  const user = url.username ? `${decodeURIComponent(url.username)} ` : '';
  if (url.password) socket.write(`AUTH ${user}${decodeURIComponent(url.password)}\r\n`);
  socket.write('MONITOR\r\n');
  let n = 0;
  return {
    /** Waits until MONITOR has shown what Redis ran before now (a command of ours sent now, seen). */
    async mark(): Promise<void> {
      const key = `${prefix}:mark:${++n}`;
      await until(
        'MONITOR shows the mark',
        async () => {
          await redis.exists(key);
          return marks.has(key);
        },
        (seen) => seen,
      );
    },
    /** Waits until MONITOR has shown a heartbeat of each node named (a beat of each inside the window counted). */
    async beats(...nodes: string[]): Promise<void> {
      beats.clear();
      await until('MONITOR shows a heartbeat of each node', () => nodes.every((n) => beats.has(`${prefix}:alive:${n}`)), (seen) => seen);
    },
    /** Counts since the last take, and starts again. */
    take(): Record<string, number> {
      const out = Object.fromEntries([...counts].sort((x, y) => x[0].localeCompare(y[0])));
      counts.clear();
      return out;
    },
    close: () => void socket.destroy(),
  };
}

/** The request of a frame the bench sends, minus its `rid` (`RawClient.request` gives its own). */
const request = (prefixed: string): Record<string, unknown> => {
  const { rid: _rid, ...frame } = JSON.parse(`${prefixed}0}`) as Record<string, unknown>;
  return frame;
};

describe('a call setup across two nodes and what it costs Redis', () => {
  const t = inProcessNodes();

  /** Caller on node a, callee on node b, and a setup between them as the bench makes it. */
  async function pair() {
    const a = await t.node('a');
    const b = await t.node('b');
    const caller = await t.login(a, 'caller');
    const callee = await t.login(b, 'callee');
    const given = (c: RawClient) => c.frames.filter((f) => f.type === 'message').length;
    const send = async (from: RawClient, to: RawClient, prefixed: string) => {
      const before = given(to);
      expect(await from.request(request(prefixed))).toMatchObject({ type: 'ack' });
      await until('given', () => given(to), (n) => n === before + 1);
      confirmGiven(to);
      for (const n of [a, b]) await settleMoves(n);
    };
    return async () => {
      const call = callFrames('caller', 'callee');
      await send(caller, callee, call.invitePrefix);
      await send(callee, caller, call.acceptPrefix);
      await send(caller, callee, call.hangupPrefix);
    };
  }

  it('caller on node a, callee on node b: invite, accept, hangup, each given and confirmed -> per setup 8 script calls and 81 commands in all, by name as pinned (103 before)', async () => {
    const setup = await pair();
    // The first setup makes the keys a user's first message makes (his counts, the node's record of its changes).
    await setup();
    const monitor = await monitorPrefix(t.redis, t.prefix);
    try {
      await monitor.mark();
      monitor.take();
      const setups = 3;
      for (let i = 0; i < setups; i++) await setup();
      // A second, real time, between beats: a window this long on a loaded machine held one, counted as the setups'.
      await monitor.beats('a', 'b');
      await monitor.mark();
      const counts = monitor.take();
      const perSetup = Object.fromEntries(Object.entries(counts).map(([name, n]) => [name, n / setups]));
      // A setup here: the invite's claim of its new room and its grant (two changes of the room's history), then each of
      // the three messages moved to its recipient's stream and taken in there.
      expect(perSetup).toEqual({
        evalsha: 8, // 2 history changes (SHARE), 3 moves (DELIVER), 3 take-ins (TAKEN)
        zscore: 2, type: 2, incr: 2, rpush: 2, zadd: 5, // SHARE: not run twice, of a list, its version, appended; ZADD: the change ran
        xrange: 6, hmget: 6, hset: 6, pttl: 3, pexpire: 7, set: 3, zrange: 3, xadd: 3, hget: 3, publish: 5, // DELIVER (and SHARE's)
        xdel: 3, srem: 3, hdel: 3, zrem: 3, decrby: 3, // TAKEN
      });
      expect(Object.values(perSetup).reduce((n, x) => n + x, 0)).toBe(81); // 103 before 2026-12-07
    } finally {
      monitor.close();
    }
  });

  it("node a's record of the changes Redis ran keeps the numbers from its floor on, trimmed at every 16th change: after 9 setups (18 changes), 16, 17 and 18", async () => {
    const setup = await pair();
    for (let i = 0; i < 9; i++) await setup();
    const ran: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await t.redis.scan(cursor, 'MATCH', `${t.prefix}:ran:a:*`, 'COUNT', 1000);
      cursor = next;
      ran.push(...keys);
    } while (cursor !== '0');
    expect(ran).toHaveLength(1);
    expect(await t.redis.zrange(String(ran[0]), 0, -1)).toEqual(['16', '17', '18']);
  });
});
