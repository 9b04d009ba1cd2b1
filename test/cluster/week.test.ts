/**
 * "The cluster after a week" (2026-12-06): what two nodes on one Redis leave behind, in Redis and in
 * themselves, once many distinct users, rooms, groups and calls have come and gone. The single server's
 * week (test/security/week.security.test.ts) across two nodes: batches of new pairs, the caller on one
 * node and the callee on the other, through calls that end by accept and hangup, reject, cancel, ring
 * timeout and a callee that vanishes; relays; a resume on the other node after a drop; a second login on
 * the other node that kicks the first; a userSig that runs out; a connection that never logs in; offline
 * messages for users who never come; a group made, joined, written to, left and deleted; the presence feed.
 * Node b restarts after the first batch, its sessions waiting out their grace. Then everyone logs out or drops,
 * and the nodes' clocks pass every grace, linger, ring and the offline store's lifetime. Every key left under the
 * prefix is then a fixed key of the cluster or has a TTL within a bound tied to a documented option (`FAMILIES`);
 * the fixed keys hold no more after the second batch than after the first; each node reports holding nothing;
 * their stores keep no grant, group or copy; the second batch leaves the heap where the first did; and once both
 * nodes closed, nothing of theirs is left. Redis expires keys on its own clock (real time), not the nodes'
 * simulated one: TTLs are read (PTTL), not waited for. Multi-device is a single-process policy (`options.ts`): one
 * device per user here. What it found (2026-12-06): a deleted group's tombstone made persistent by a member's quit
 * that reached Redis after the deletion (groupTombstone.test.ts); every sender a node had seen kept in its holdings
 * (perUserState.test.ts); a restarted node's members left in their rooms for good (roomNodeRestart.test.ts); a
 * closed node's `P:ran` kept a week. A day to warm up, then `WEEK_BATCHES` days measured (2 in `npm test`, 8 in
 * `npm run test:soak`).
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { memoryInUse } from '../security/support';
import { RawClient, tencentUserSig, type Frame, type TestServer } from '../server/support';
import { NOTHING_HELD, weekCall } from '../support/weekCall';
import { inProcessNodes, settleMoves, until } from './support';
import { until as untilNow } from '../support/until';
import { weekBatches } from '../support/weekLength';

const S = 1000;
const MINUTE = 60 * S;
const DAY = 86_400 * S;
const PAIRS = 20;
/** Days measured after the first (see the header). */
const DAYS = weekBatches(2);
const KIB = 1024;
/** The offline store's lifetime here (`offlineTtlMs`): a stream lives as long as its newest copy, and a minute more. */
const OFFLINE_TTL_MS = 120 * S;
const STREAM_MS = OFFLINE_TTL_MS + MINUTE;
/** `limits.roomIdleMs` (default) and `HISTORY_MARGIN_MS` (`grants.ts`): a vacated grant's history lives that long at most. */
const ROOM_IDLE_MS = 300 * S;
/** The calls' ring time (`timeout: 30` in each invitation). */
const RING_MS = 30 * S;
const HISTORY_MARGIN_MS = 10 * S;

/**
 * Every key family a cluster writes under its prefix `P` (server/cluster/node.ts), and what may be left of it once
 * everyone has gone: `fixed`, one key per cluster (its size must not grow with the users seen);
 * `none`, nothing (it goes with what it is about); else the longest TTL a key of it may have, and the option or
 * constant that sets it.
 */
const FAMILIES = {
  ver: ['P:ver (the change counter, replica.ts)', /^ver$/, 'fixed'],
  said: ['P:said (nodes that wrote their members, rooms.ts)', /^said$/, 'fixed'],
  on: ['P:on (who is online, online.ts)', /^on$/, 'fixed'],
  alive: ['P:alive:<node> (heartbeat, ALIVE_MS)', /^alive:[^:]+$/, 3500],
  ran: ['P:ran:<node>:<start> (changes Redis ran, TOMBSTONE_MS)', /^ran:[^:]+:[0-9a-f]{8}$/, 7 * DAY],
  directory: ['P:d:<user> (directory, DIRECTORY_TTL_MS)', /^d:/, 7 * DAY],
  superseded: ['P:s:<user> (superseded tokens, DIRECTORY_TTL_MS)', /^s:/, 7 * DAY],
  // Until her session ends; one a closing node hands back (her client may resume elsewhere) leaves them their week.
  revoked: ['P:k:<user> (revoked userSigs, DIRECTORY_TTL_MS)', /^k:/, 7 * DAY],
  budgets: ['P:b:<user> (budgets: until they fill, groupCreatesPerHour)', /^b:/, 3600 * S + S],
  inbox: ['P:i:<user> (offline stream, offlineTtlMs)', /^i:/, STREAM_MS],
  counts: ['P:q:<user> (stream counts, offlineTtlMs)', /^q:/, STREAM_MS],
  parked: ['P:p:<user> (parked entries, offlineTtlMs)', /^p:/, STREAM_MS],
  senderCopies: ['P:o:s:<sender> (sender copies, offlineTtlMs)', /^o:s:/, STREAM_MS],
  senderBytes: ['P:o:b:<sender> (sender bytes, offlineTtlMs)', /^o:b:/, STREAM_MS],
  room: ['P:r:<room> (room members)', /^r:\d+$/, 'none'],
  grantHistory: ['P:h:r:<room> (grant history: ring, roomIdleMs, HISTORY_MARGIN_MS)', /^h:r:\d+$/, RING_MS + ROOM_IDLE_MS + HISTORY_MARGIN_MS],
  groupHistory: ['P:h:g:<group> (a deleted group, TOMBSTONE_MS)', /^h:g:/, 7 * DAY],
} as const satisfies Record<string, readonly [name: string, pattern: RegExp, left: 'fixed' | 'none' | number]>;
type Family = keyof typeof FAMILIES;

/** What Redis holds under a prefix: keys per family, the fixed keys' sizes, and every key out of its bounds. */
interface Census {
  readonly keys: Partial<Record<Family, number>>;
  readonly fixed: Record<string, number>;
  readonly stray: string[];
}

describe('the cluster after a week', () => {
  const t = inProcessNodes();
  let a: TestServer;
  let b: TestServer;
  let address = 0;
  const nodes = () => [a, b];

  /** A connection to `server` from an address never seen before. */
  const open = (server: TestServer) => {
    address++;
    return RawClient.open(server.handle.url, { localAddress: `127.${40 + (address >> 16)}.${(address >> 8) & 255}.${address & 255}` });
  };
  /** Both nodes' clocks move together (they were started at one time: `inProcessNodes`). */
  const advance = async (ms: number) => {
    for (const server of nodes()) await server.clock.advance(ms);
  };
  /**
   * A request whose answer may wait for the nodes' clocks: a message held for the write-behind window (its ack waits
   * for the window to end). The clocks move (250 ms, past the window) only when a node holds one and the answer has
   * not come: what the nodes do, not how long real I/O (Redis) took; an answer that waits on Redis is waited for.
   */
  async function request(client: RawClient, frame: Record<string, unknown>): Promise<Frame> {
    const answer = client.request(frame);
    let settled = false;
    void answer.then(
      () => void (settled = true),
      () => void (settled = true),
    );
    for (;;) {
      await untilNow('the answer, or a message held for the write-behind window', () => settled || nodes().some((server) => server.handle.metrics().heldNow > 0));
      if (settled) return answer;
      await advance(250);
    }
  }
  const login = async (server: TestServer, userID: string, userSig = tencentUserSig(userID), resume?: unknown) => {
    const client = await open(server);
    const reply = await request(client, { type: 'login', userID, userSig, protocol: 1, ...(resume === undefined ? {} : { resume }) });
    expect(reply, JSON.stringify(reply)).toMatchObject({ type: 'loggedIn' });
    return { client, reply };
  };

  /** One day: `PAIRS` pairs of new users, callers on node a and callees on node b, then everyone goes (half log out, half drop). */
  async function day(n: number): Promise<void> {
    const clients: RawClient[] = [];
    for (let i = 0; i < PAIRS; i++) {
      const [caller, callee, roomID, inviteID, ghost, groupID] = [`a${n}x${i}`, `b${n}x${i}`, 1000 * n + i + 1, `inv-${n}-${i}`, `ghost${n}x${i}`, `g${n}x${i}`];
      const { client: desk } = await login(a, caller);
      const { client: phone, reply } = await login(b, callee);
      clients.push(desk, phone);
      const ending = i % 5;
      await weekCall({ request, caller, callee, desk, devices: [phone], roomID, inviteID, ghost, groupID }, ending);
      if (ending === 4) phone.terminate();
      if (ending === 1) {
        // Dropped on node b, resumed on node a.
        phone.terminate();
        const back = await open(a);
        expect(await request(back, { type: 'login', userID: callee, userSig: tencentUserSig(callee), protocol: 1, resume: reply.session })).toMatchObject({ type: 'loggedIn' });
        clients.push(back);
      }
      if (ending === 2) {
        const brief = `brief${n}x${i}`;
        clients.push((await login(b, brief, tencentUserSig(brief, Math.ceil((b.clock.now() - Date.now()) / S) + 30))).client, await open(a));
      }
      // A login on node b with a fresh userSig kicks the caller's desk on node a.
      clients.push((await login(b, caller, tencentUserSig(caller, 86_400 + i + 1))).client);
    }
    for (const [k, client] of clients.entries()) {
      if (client.open && k % 2 === 0) await request(client, { type: 'logout' }).catch(() => undefined);
      client.terminate();
    }
  }

  /** Every grace, linger, ring and the offline store's lifetime pass on both nodes, and the store's hourly purge; then the heap. */
  async function quiet(): Promise<number> {
    for (let minute = 0; minute < 62; minute++) {
      await advance(MINUTE);
      for (const server of nodes()) await settleMoves(server);
    }
    for (const server of nodes()) await until('the sockets closed', () => server.handle.metrics().connections, (c) => c === 0);
    await advance(MINUTE);
    for (const server of nodes()) {
      await settleMoves(server);
      server.logs.length = 0; // the test's, not the server's
    }
    return memoryInUse();
  }

  /** What Redis holds under the test's prefix now. */
  async function census(): Promise<Census> {
    const census: Census = { keys: {}, fixed: {}, stray: [] };
    let cursor = '0';
    do {
      const [next, keys] = await t.redis.scan(cursor, 'MATCH', `${t.prefix}:*`, 'COUNT', 500);
      cursor = next;
      for (const key of keys) {
        const name = key.slice(t.prefix.length + 1);
        const ttl = await t.redis.pttl(key);
        if (ttl === -2) continue; // expired meanwhile
        const family = (Object.keys(FAMILIES) as Family[]).find((f) => FAMILIES[f][1].test(name));
        if (!family) {
          census.stray.push(`${name}: of no family`);
          continue;
        }
        const left: 'fixed' | 'none' | number = FAMILIES[family][2];
        census.keys[family] = (census.keys[family] ?? 0) + 1;
        if (left === 'fixed') census.fixed[name.replace(/:[0-9a-f]{8}$/, ':<start>')] = await size(key);
        else if (left === 'none') census.stray.push(`${name}: left behind`);
        else if (ttl === -1 || ttl > left) census.stray.push(`${name}: TTL ${ttl} ms, at most ${left}`);
      }
    } while (cursor !== '0');
    return census;
  }

  /** How much a key holds (a fixed key's size must not grow with the users seen). */
  async function size(key: string): Promise<number> {
    const type = await t.redis.type(key);
    if (type === 'hash') return t.redis.hlen(key);
    if (type === 'set') return t.redis.scard(key);
    if (type === 'zset') return t.redis.zcard(key);
    if (type === 'list') return t.redis.llen(key);
    return 1;
  }

  it(`day after day of ${PAIRS} new pairs across two nodes: once everyone is gone, Redis keeps only fixed keys and keys with a bounded TTL, the nodes hold nothing, and the heap stays`, async () => {
    a = await t.node('a', { presence: true, writeBehindMs: 200, offlineTtlMs: OFFLINE_TTL_MS });
    b = await t.node('b', { presence: true, writeBehindMs: 200, offlineTtlMs: OFFLINE_TTL_MS });
    await day(0); // warms up every path
    // Node b restarts (a deploy): what it handed back, and its new start, add no key for good.
    await b.handle.close();
    await b.restart();
    const heaps = [await quiet()];
    const censuses = [await census()];
    for (let n = 1; n <= DAYS; n++) {
      await day(n);
      heaps.push(await quiet());
      censuses.push(await census());
    }
    const afterFirst = censuses[0]!;
    for (const census of censuses) {
      expect(census.stray).toEqual([]);
      // Nobody online in the directory (`P:on` gone with its last entry), both nodes said their members.
      expect(census.fixed).toEqual({ ver: 1, said: 2 });
      expect([census.keys.ran, census.keys.alive]).toEqual([2, 2]); // one per running node's start, one per live node
      // Those of the sessions node b's restart handed back, and no more: each day's go when their sessions end.
      expect(census.keys.revoked).toBe(afterFirst.keys.revoked);
    }
    for (const server of nodes()) {
      expect(server.handle.metrics()).toMatchObject({
        ...NOTHING_HELD,
        cluster: { clusterRooms: 0, userEntries: 0, heldEntries: 0, strandedUsers: 0, moving: 0, refusedLogins: 0, sharesDropped: 0 },
      });
    }
    // As on one node (week.security.test.ts): a day's garbage and caches are some hundreds of KiB; its
    // connections, sessions or copies kept would be megabytes.
    for (const [n, heap] of heaps.entries()) if (n > 0) expect(heap - heaps[n - 1]!, `day ${n}`).toBeLessThan(1024 * KIB);
    // What each node's store keeps of the grants, groups and copies it replayed or held: nothing.
    for (const server of nodes()) await server.handle.close(); // (each holds its database to itself)
    // Both nodes gone: nothing of theirs is left in Redis but the change counter (and what the TTLs above bound).
    const closed = await census();
    expect({ stray: closed.stray, fixed: closed.fixed, ran: closed.keys.ran, alive: closed.keys.alive }).toEqual({ stray: [], fixed: { ver: 1 }, ran: undefined, alive: undefined });
    for (const server of nodes()) {
      const db = new Database(server.dbPath, { readonly: true, fileMustExist: true });
      try {
        const rows = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
        const tables = ['room_grants', 'room_grant_users', 'groups', 'group_members', 'group_invites', 'bodies', 'deliveries'];
        expect(Object.fromEntries(tables.map((table) => [table, rows(table)]))).toEqual(Object.fromEntries(tables.map((table) => [table, 0])));
      } finally {
        db.close();
      }
    }
  }, 40_000 * (1 + DAYS));
});
