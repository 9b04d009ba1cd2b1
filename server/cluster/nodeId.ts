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
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../options';

/** A live node of the cluster runs with this id: a second process with it does not start (the CLI exits with 2). */
export class NodeIdTaken extends Error {
  override readonly name = 'NodeIdTaken';
  readonly code = 'HC_NODE_ID_TAKEN';

  constructor(
    /** The id asked for. */
    readonly node: string,
    /** The cluster's key prefix. */
    readonly prefix: string,
  ) {
    super(`--node-id ${node}: a live node of the cluster (prefix ${prefix}) already runs with this id; give each process its own --node-id, or none (a random one)`);
  }
}

/** What {@link claimNodeId} needs. */
export interface NodeIdClaim {
  readonly redis: Pick<Redis, 'set' | 'pttl'>;
  readonly prefix: string;
  readonly node: string;
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
  const { redis, prefix, node, aliveMs, pollMs, logger } = claim;
  const key = `${prefix}:alive:${node}`;
  // A dead key is gone within aliveMs of the first look; two polls more for the round trips.
  const bound = Math.ceil(aliveMs / pollMs) + 2;
  let last = Number.POSITIVE_INFINITY;
  for (let polls = 0; ; ) {
    if ((await redis.set(key, 'ok', 'PX', aliveMs, 'NX')) === 'OK') {
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
