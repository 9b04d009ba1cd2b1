/**
 * One live process per node id. A node starting takes in what Redis holds for its id (its earlier run's room members,
 * to leave after the room grace: `ClusterRooms.load`), as a restart after a crash must. A second live process given the
 * same `--node-id` (a deploy script reusing an id) took the first one's live members in that way, and its grace made
 * them leave everywhere but on the first (test/cluster/nodeIdTwice.test.ts); it shared its channel and heartbeat too.
 *
 * The rule, before the node subscribes or reads anything of its id: it claims its heartbeat key (`P:alive:<node>`,
 * SET NX with the heartbeat's lifetime).
 * - Absent (a first start, or a restart after a graceful close, which deletes it): claimed, the node starts.
 * - Present: a live node beats under it, or a crashed one (SIGKILL: no goodbye) left its last beat, which lives out
 *   its TTL (at most the heartbeat's lifetime, 3.5 s). Which one is read from the key's remaining TTL, polled: a dead
 *   node's only falls until the key lapses, and then the claim wins (a restart right after a crash waits at most that
 *   long, and says that it waits); a live node's rises at its next beat (every second), and the start is refused with
 *   {@link NodeIdTaken}. A key that outlives the polls' bound, or has no TTL (no heartbeat of ours), refuses too.
 *   A refusal is not for good: once the holder stops (its key deleted or lapsed), the id starts again.
 *
 * The key's value is the process's token (random at each start) and its beat's state: `<token> ok|lapsed` (`BEAT`,
 * `scripts.ts`). A live node that stalls past the key's TTL (a long GC pause, a stopped VM, SIGSTOP) lets it lapse, and
 * a second process given its id then claims it, as after a crash, and takes in the first one's members. Before
 * 2026-12-06 the first one's next beat set the key again, whatever it held, and both ran as one id (the defect above,
 * the other way round). Now a beat, and a graceful stop's delete, touch the key only while it holds the process's own
 * token (or nothing); another token there means the id is another process's: this one has lost it ({@link HeldId}).
 */
import type { Logger } from '../options';
import { IdGate } from './idGate';
import type { Scripted } from './scripts';

/** One node id of one cluster, given to two processes: the message says what happened, and what to do. */
export abstract class NodeIdTwice extends Error {
  constructor(
    /** The id. */
    readonly node: string,
    /** The cluster's key prefix. */
    readonly prefix: string,
    what: string,
  ) {
    super(`--node-id ${node}: ${what}; give each process its own --node-id, or none (a random one)`);
  }
}

/** A live node of the cluster runs with this id: a second process with it does not start (the CLI exits with 2). */
export class NodeIdTaken extends NodeIdTwice {
  override readonly name = 'NodeIdTaken';
  readonly code = 'HC_NODE_ID_TAKEN';

  constructor(node: string, prefix: string) {
    super(node, prefix, `a live node of the cluster (prefix ${prefix}) already runs with this id`);
  }
}

/**
 * Another process took this node's id while this one stalled past its heartbeat (the key lapsed, that one claimed it):
 * this one stopped serving as the id, handing nothing back (the server stops; the CLI exits with 3).
 */
export class NodeIdLost extends NodeIdTwice {
  override readonly name = 'NodeIdLost';
  readonly code = 'HC_NODE_ID_LOST';

  constructor(node: string, prefix: string) {
    super(node, prefix, `another process of the cluster (prefix ${prefix}) took this node id while this one stalled past its heartbeat; this one stopped`);
  }
}

/** What {@link claimNodeId} needs. */
export interface NodeIdClaim {
  readonly redis: Pick<Scripted, 'set' | 'pttl'>;
  readonly prefix: string;
  readonly node: string;
  /** This process's (the key's value begins with it). */
  readonly token: string;
  /** The heartbeat's lifetime (ms): what a crashed node's last beat lives at most. */
  readonly aliveMs: number;
  /** How often the key's TTL is read while it waits. */
  readonly pollMs: number;
  /** Waits `ms` of real time: the key's TTL runs on Redis's clock, not the node's injected one. */
  readonly pause: (ms: number) => Promise<void>;
  readonly logger: Logger;
}

/** Claims the node's heartbeat key (see the module's notes); rejects with {@link NodeIdTaken} while a live node holds it. */
export async function claimNodeId(claim: NodeIdClaim): Promise<void> {
  const { redis, prefix, node, token, aliveMs, pollMs, logger } = claim;
  const key = `${prefix}:alive:${node}`;
  // A dead key is gone within aliveMs of the first look; two polls more for the round trips.
  const bound = Math.ceil(aliveMs / pollMs) + 2;
  let last = Number.POSITIVE_INFINITY;
  for (let polls = 0; ; ) {
    if ((await redis.set(key, `${token} ok`, 'PX', aliveMs, 'NX')) === 'OK') {
      if (polls > 0) logger.info('cluster: the earlier run\'s heartbeat lapsed: this node takes its id', { node });
      return;
    }
    const ttl = await redis.pttl(key);
    if (ttl === -2) continue; // lapsed between the two
    if (ttl === -1 || ttl > last || polls >= bound) throw new NodeIdTaken(node, prefix);
    if (polls === 0) logger.warn('cluster: a heartbeat holds this node id: waiting for it to lapse (an earlier run that crashed), refusing to start if it beats (a live node)', { node, ms: ttl });
    last = ttl;
    polls++;
    await claim.pause(pollMs);
  }
}

/** What {@link HeldId} needs. */
export interface HeldIdDeps {
  readonly redis: Pick<Scripted, 'set' | 'pttl' | 'hcBeat' | 'hcDrop' | 'disconnect' | 'sendCommand' | 'status'>;
  /** The node's pub/sub connection: closed with `redis` once the id is lost. */
  readonly sub: { disconnect(): void };
  readonly prefix: string;
  readonly node: string;
  readonly token: string;
  readonly aliveMs: number;
  /** Real time (ms), monotonic: how long since its id was last confirmed (`idGate.ts`). */
  readonly now: () => number;
  readonly logger: Logger;
  /** Called once, when the key is found holding another process's token (both connections closed by then): the node stops. */
  readonly lose: (error: NodeIdLost) => void;
}

/**
 * This process's hold on its node id: its token in the heartbeat key (`P:alive:<node>`), claimed at start, refreshed by
 * each beat, deleted by a graceful stop, each only while the key holds the token (or nothing: lapsed, nobody took it).
 *
 * Found holding another token, the id is lost: from the other process's start on, everything under the id (its room
 * members, users, mark in `P:said`) is that one's, taken in as its earlier run's, as a restart after a crash takes
 * them in. So this one stops as a crashed node would have, but for its own clients (closed, to fail over): it writes
 * nothing more to Redis, neither deletes nor releases anything, and logs one line. What it stored for others stays in
 * its SQLite file, moved when a node starts on it again, as after a crash. Serving on (as the other node's twin), or
 * handing back as a graceful stop does, would release the other's users and rooms: the defect the claim is for.
 * Nor does it write before it knows: past the key's TTL since its id was last confirmed, what it sends waits for the next
 * beat's answer (`idGate.ts`), for on waking its timers and its sockets' backlogs run before that answer comes.
 */
export class HeldId {
  /** Set once the id is found lost; the node serves as it no more. */
  lost: NodeIdLost | null = null;
  private readonly key: string;
  /** What the node sends waits while its id is not known to be its own (`idGate.ts`). */
  private readonly gate: IdGate;

  constructor(private readonly deps: HeldIdDeps) {
    this.key = `${deps.prefix}:alive:${deps.node}`;
    this.gate = new IdGate(deps.redis, this.key, deps.aliveMs, deps.now);
  }

  /** The claim at start ({@link claimNodeId}). */
  claim(pollMs: number, pause: (ms: number) => Promise<void>): Promise<void> {
    return claimNodeId({ ...this.deps, pollMs, pause });
  }

  /** A heartbeat (`reset`: says 'ok' again, see `BEAT`); answers 'lapsed', 'ok', or 'taken' (the id lost). */
  async beat(reset: boolean): Promise<string> {
    const sentAt = this.deps.now();
    const beat = await this.deps.redis.hcBeat(this.key, this.deps.aliveMs, reset ? '1' : '0', this.deps.token).catch((error: Error) => {
      this.gate.fail(error);
      throw error;
    });
    if (beat === 'taken') this.lose();
    else this.gate.confirmed(sentAt);
    return beat;
  }

  /**
   * A graceful stop's first step, before its sessions end: is the id still this process's? If so, its key is kept for
   * `holdMs`, past the hand-back: no beat runs once that began, and a key lapsed meanwhile let another process claim the
   * id while this one still released its users. (Throws while Redis does not answer.)
   */
  async check(holdMs: number): Promise<void> {
    try {
      if ((await this.deps.redis.hcBeat(this.key, holdMs, '0', this.deps.token)) === 'taken') this.lose();
    } finally {
      if (!this.lost) this.gate.openForGood(); // its hand-back goes, as before: no beat runs once it began, `DROP` decides last
    }
  }

  /** A graceful stop's last step: the key and the node's mark in `said` go, only while the id is this process's (`DROP`); `ran`: this process's `P:ran`, if it may go. */
  async drop(said: string, ran: string | null): Promise<void> {
    if ((await this.deps.redis.hcDrop(this.key, said, ran ?? '', this.deps.token, this.deps.node, ran === null ? '0' : '1')) === 0) this.lose();
  }

  private lose(): void {
    if (this.lost) return;
    const { node, prefix, logger } = this.deps;
    this.lost = new NodeIdLost(node, prefix);
    this.gate.fail(this.lost);
    logger.error('cluster: another process took this node id (its heartbeat holds that one\'s token): this one stops now, handing nothing back', { node, prefix });
    // Not a word more to Redis under the id: what this process would still send (a session's end, a leave) fails at once,
    // unlogged (`ClusterNode.lost`): this line says it all.
    for (const connection of [this.deps.sub, this.deps.redis]) connection.disconnect();
    this.deps.lose(this.lost);
  }
}
