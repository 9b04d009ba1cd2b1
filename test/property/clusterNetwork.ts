/**
 * A cluster of two nodes as a property run's {@link Network}: two in-process servers (real SQLite each,
 * `--redis` on the machine's Redis under a key prefix of the run's own, each through a proxy that can cut it
 * off) and the real WebSocket client, on one simulated clock, through the lock-step network of
 * `test/support/embeddedWorld.ts`. Users are spread over the nodes by index (alice on a, bob on b, ...), each
 * client given both nodes' URLs, its own first: a reconnect may land on the other node.
 *
 * Settling ({@link ClusterNetwork.quiet}, the clock's settle hook): the lock-step network is quiet (every frame
 * handled, or taken in behind a hold that waits on the node's clock, and delivered), then every node on Redis
 * has no command out to it and is not catching up (`redisWaiting`, `rejoining` in its cluster metrics; one let
 * back after a cut has caught up once more), then each node that hears its subscription has heard a marker
 * published on its channel after all that (Redis keeps one channel's order: whatever was published to it
 * before was handled), and over again until a round in which nothing moved (the sockets' steps, the nodes'
 * counters). So invariants never see a step half applied in Redis. A node cut off or deafened is not waited
 * for: what it misses meanwhile is the fault. Redis answers in real time, so which of two nodes' steps
 * Redis runs first can differ between two runs of one seed: a run is not replayed bit for bit.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { drain, SimulatedClock } from '../../src/testing';
import { embeddedBackend } from '../../src/embedded';
import type { ServerHandle } from '../../server/index';
import type { ClusterMetrics } from '../../server/cluster/metrics';
import { flushPrefix, REDIS_URL, redisProxy } from '../cluster/support';
import { LockstepNetwork, SDKAPPID, SECRET_KEY, tencentUserSig } from '../support/embeddedWorld';
import { failOnCoreFaults } from '../support/world';
import { startServer } from '../../server/index';
import { steppedDevices } from './embeddedNetwork';
import { type Network, USER_IDS } from './harness';

/** How long (real time) settling waits for Redis before it calls the cluster stalled. */
const STALL_MS = 10_000;
const NAMES = ['a', 'b'] as const;

type Proxy = Awaited<ReturnType<typeof redisProxy>>;

/** One node: the URL its clients dial, the port it keeps across restarts, its proxy to Redis. */
interface Slot {
  readonly name: (typeof NAMES)[number];
  readonly dialled: string;
  readonly proxy: Proxy;
  port: number;
  handle: ServerHandle | null;
  /**
   * Its proxy's fault now: `cut`, the node is off Redis (settling does not wait for it); `deaf`, what Redis sends its
   * subscription is held (settling hears no marker of it). One at a time: a node deafened while it catches up would
   * hold its renewed subscription's answer, and settling would wait for it.
   */
  fault: 'cut' | 'deaf' | null;
  /**
   * Back from a cut: its catch-ups before it. Settling waits for one more: let through again in the same real
   * instant as it was cut, the node may not have seen its connections go yet (up, caught up), and a marker
   * published then is lost with its dead subscription (seed 54, path 204: "a node never heard" one).
   */
  catchUpsBefore: number | null;
}

/** The cluster's faults beyond the sockets' (`Network['server']`, whose restart restarts a node). */
export interface ClusterFaults {
  /** Node `i`'s connections to Redis are cut for `ms` of virtual time (new ones refused), then let through again. */
  cutRedis(i: number, ms: number): void;
  /**
   * Node `i` hears nothing published for `ms` of virtual time (held, then heard in order), its commands still
   * answered: a loaded node reading its subscription late, so the other node's changes reach it after its own steps.
   */
  deafen(i: number, ms: number): void;
  /** Node `i` restarts (a graceful close, then a start on its port and database). */
  restartNode(i: number): Promise<void>;
}

export type ClusterNetwork = Network & {
  readonly cluster: ClusterFaults;
  readonly lockstep: LockstepNetwork;
  quiet(): Promise<void>;
  /** Once everyone logged out and every grace passed: what a node or Redis still holds for them (none: nothing). */
  leftovers(): Promise<string[]>;
};

/** Two nodes and their Redis prefix, started; disposed with the network. */
/** `writeBehindMs`: the nodes' write-behind window (0: off; the server's default is 200). */
export async function clusterNetwork(options: { readonly writeBehindMs?: number } = {}): Promise<ClusterNetwork> {
  const prefix = `hc-prop-${randomBytes(5).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'hc-prop-cluster-'));
  const redis = new Redis(REDIS_URL);
  const slots: Slot[] = [];
  for (const name of NAMES) slots.push({ name, dialled: `ws://node-${name}.cluster.invalid/ws`, proxy: await redisProxy(), port: 0, handle: null, fault: null, catchUpsBefore: null });
  const slotOf = (url: string) => slots.find((s) => s.dialled === url) ?? (slots[0] as Slot);
  // A node down: its clients dial its old port and are refused (and try the next URL).
  const lockstep = new LockstepNetwork(async (url) => `ws://127.0.0.1:${slotOf(url).port}/ws`);
  let taps = 0;
  /** The markers each node has heard (its log says so: a frame of a type it does not know). */
  const heard = new Set<string>();
  let marks = 0;
  /** How many markers each node was sent (and heard, once settled). */
  const marked = new Map<string, number>();
  const start = Math.floor(Date.now() / 1000) * 1000;
  const clock = new SimulatedClock(start, { settle: () => quiet() });
  const devices = steppedDevices(lockstep, clock);
  let invites = 0;
  let nextRoom = 1001;

  const logger = {
    info: () => undefined,
    warn: (message: string, fields?: Record<string, unknown>) => {
      if (message === 'cluster: dropped a frame of unknown type' && typeof fields?.t === 'string') heard.add(fields.t);
    },
    error: () => undefined,
  };
  async function startNode(slot: Slot): Promise<void> {
    slot.catchUpsBefore = null; // a new process: nothing to catch up
    slot.handle = await startServer({
      port: slot.port,
      dbPath: join(dir, `${slot.name}.db`),
      sdkAppId: SDKAPPID,
      secretKey: SECRET_KEY,
      clock,
      logger,
      rate: { perSecond: 10_000, burst: 100_000 },
      tap: (event) => {
        taps += 1;
        lockstep.tap(event);
      },
      writeBehindMs: options.writeBehindMs ?? 0,
      redisUrl: slot.proxy.url,
      clusterPrefix: prefix,
      nodeId: slot.name,
    });
    slot.port = slot.handle.port;
  }
  for (const slot of slots) await startNode(slot);

  const metricsOf = (slot: Slot): ClusterMetrics | undefined => slot.handle?.metrics().cluster;
  /** What moved: the sockets' steps and every node's counters. */
  const activity = () =>
    [taps, ...slots.map((s) => {
      const m = metricsOf(s);
      // Less the markers it heard (each counts as received).
      return m ? [m.published, m.received - (marked.get(s.name) ?? 0), m.forwarded, m.drained, m.moving, m.rechecks, m.catchUps, m.takeovers, m.parked].join(',') : 'down';
    })].join('|');

  /** Waits until every node on Redis has nothing out to it and is caught up; true if it had to wait. */
  async function redisIdle(): Promise<boolean> {
    const busy = () => slots.some((s) => {
      const m = metricsOf(s);
      if (m && s.catchUpsBefore !== null && m.catchUps > s.catchUpsBefore) s.catchUpsBefore = null;
      return m !== undefined && s.fault !== 'cut' && (m.redisWaiting > 0 || m.rejoining > 0 || m.redisUp === 0 || s.catchUpsBefore !== null);
    });
    if (!busy()) return false;
    const deadline = Date.now() + STALL_MS;
    while (busy()) {
      if (Date.now() > deadline) throw new Error(`the cluster stalled on Redis: ${JSON.stringify(slots.map(metricsOf))}`);
      await new Promise((r) => setTimeout(r, 2));
    }
    return true;
  }

  /** Every node on Redis hears a marker published on its channel now (and so everything published to it before). */
  async function markers(): Promise<void> {
    const live = slots.filter((s) => s.handle && s.fault === null);
    const sent = live.map((s) => {
      const t = `property-mark-${++marks}`;
      marked.set(s.name, (marked.get(s.name) ?? 0) + 1);
      void redis.publish(`${prefix}:n:${s.name}`, JSON.stringify({ t }));
      return t;
    });
    const deadline = Date.now() + STALL_MS;
    while (!sent.every((t) => heard.has(t))) {
      if (Date.now() > deadline) throw new Error(`a node never heard ${sent.filter((t) => !heard.has(t)).join(', ')}`);
      await new Promise((r) => setTimeout(r, 1));
    }
    for (const t of sent) heard.delete(t);
  }

  /** What the activity was when the cluster was last found quiet (nothing since: nothing to wait for). */
  let quietAt = '';
  async function quiet(): Promise<void> {
    for (;;) {
      const before = activity();
      await lockstep.quiet();
      const waited = await redisIdle();
      if (!waited && activity() === before && before === quietAt) return;
      await markers();
      await drain();
      if (!waited && activity() === before) {
        quietAt = before;
        return;
      }
    }
  }

  /** Ends the node's proxy fault: Redis let through again, or what its subscription was sent heard. */
  function heal(slot: Slot): void {
    if (slot.fault === 'cut') {
      slot.proxy.restore();
      slot.catchUpsBefore = metricsOf(slot)?.catchUps ?? null;
    }
    if (slot.fault === 'deaf') slot.proxy.hear();
    slot.fault = null;
  }

  /** Node `i`'s proxy in `fault` for `ms` of virtual time (unless it is in one already). */
  function faulty(i: number, fault: NonNullable<Slot['fault']>, ms: number): void {
    const slot = slots[i % slots.length] as Slot;
    if (slot.fault) return;
    slot.fault = fault;
    if (fault === 'cut') slot.proxy.cut();
    else slot.proxy.deafen();
    clock.setTimeout(() => heal(slot), ms);
  }

  const cluster: ClusterFaults = {
    cutRedis: (i, ms) => faulty(i, 'cut', ms),
    deafen: (i, ms) => faulty(i, 'deaf', ms),
    async restartNode(i) {
      const slot = slots[i % slots.length] as Slot;
      // Back on Redis first: a node closing without it waits out its hand-back bound (5 s), which proves nothing here.
      heal(slot);
      await quiet();
      const old = slot.handle;
      slot.handle = null;
      await old?.close();
      await lockstep.quiet();
      await startNode(slot);
      quietAt = '';
      await quiet();
    },
  };

  return {
    clock,
    cluster,
    quiet,
    lockstep,
    backend(id, n) {
      const home = Math.max(0, USER_IDS.indexOf(id as (typeof USER_IDS)[number])) % slots.length;
      const url = [0, 1].map((k) => (slots[(home + k) % slots.length] as Slot).dialled);
      return embeddedBackend({
        url,
        WebSocket: devices.socket(id, n),
        clock,
        inviteIdGen: () => `00000000-0000-4000-8000-${(++invites).toString(16).padStart(12, '0')}`,
        roomIdGen: () => nextRoom++,
      });
    },
    userSig: (id) => tencentUserSig(id),
    async createGroup(groupID, members) {
      slots[0]?.handle?.createGroup(groupID, members);
      quietAt = '';
      await quiet();
    },
    advance: (ms) => clock.advance(ms),
    settle: () => clock.settle(),
    heal() {
      for (const slot of slots) heal(slot);
    },
    server: {
      async dropConnections(id) {
        for (const slot of slots) slot.handle?.dropConnections(id);
      },
      restart: () => cluster.restartNode(Math.floor(clock.now() / 1000)),
      ...devices.faults,
    },
    whenSent: (id, n, type, then) => devices.whenSent(id, n, type, then),
    async leftovers() {
      const found: string[] = [];
      for (const slot of slots) {
        const m = slot.handle?.metrics();
        if (!m) continue;
        const held = { connections: m.connections, loggedInUsers: m.loggedInUsers, detachedSessions: m.detachedSessions, rooms: m.rooms, clusterRooms: m.cluster?.clusterRooms, userEntries: m.cluster?.userEntries, moving: m.cluster?.moving };
        for (const [what, n] of Object.entries(held)) if (n !== 0) found.push(`node ${slot.name} still holds ${n} ${what}`);
      }
      const online = await redis.hgetall(`${prefix}:on`);
      if (Object.keys(online).length > 0) found.push(`Redis's directory still has ${JSON.stringify(online)} online`);
      for (const key of await redis.keys(`${prefix}:r:*`)) {
        const members = await redis.hgetall(key);
        if (Object.keys(members).length > 0) found.push(`Redis's ${key.slice(prefix.length + 1)} still has ${JSON.stringify(members)}`);
      }
      return found;
    },
    async dispose() {
      lockstep.dispose();
      for (const slot of slots) heal(slot);
      for (const slot of slots) await slot.handle?.close();
      for (const slot of slots) await slot.proxy.close();
      await flushPrefix(redis, prefix);
      redis.disconnect();
      rmSync(dir, { recursive: true, force: true });
      failOnCoreFaults();
    },
  };
}
