/**
 * The other nodes' liveness, checked at each heartbeat (`node.ts`, tick): a node whose heartbeat key (`P:alive:<node>`)
 * is absent for longer than the room grace is gone for good. Its members leave their rooms (here, and in Redis: no
 * ghosts for a node starting later), its users are offline, the directory stops routing to it, and its `P:said` mark
 * goes. Every node does this; a step changes an entry only while it names the node, and the mark goes only while
 * the node is still gone (`UNSAY`, `scripts.ts`): the check that found it gone ran earlier, and a node back since
 * (heartbeat set, members loaded, mark written) lost its mark for good to a plain SREM landing after its SADD.
 *
 * The nodes checked are those this node knows of through their members, their users, and their mark in `P:said`: an
 * idle node that crashed (no member, no user) is named nowhere else, and its mark stayed for good (the review of the
 * cluster after a week, 2026-12-06).
 *
 * Their heartbeats are asked after in one round trip (a pipeline of EXISTS), not one awaited EXISTS each: a cluster
 * that saw many nodes come and go (each start without --node-id is a new one) paid a round trip per node per second.
 */
import type { Logger } from '../options';
import type { ClusterOnline } from './online';
import { type ClusterRooms, saidKey } from './rooms';
import type { Scripted } from './scripts';

export interface DeadNodesDeps {
  readonly redis: Scripted;
  readonly prefix: string;
  /** This node (never checked). */
  readonly node: string;
  /** How long a node's heartbeat is absent before it is gone for good (the room grace). */
  readonly graceMs: number;
  readonly logger: Logger;
}

export class DeadNodes {
  /** Nodes whose heartbeat was absent at a check, since when (the injected clock). */
  private readonly dead = new Map<string, number>();

  constructor(private readonly deps: DeadNodesDeps) {}

  /** One check (a heartbeat's); rejects when Redis does not answer (the next heartbeat checks again). */
  async check(rooms: ClusterRooms, directory: ClusterOnline, now: number): Promise<void> {
    const { redis, prefix } = this.deps;
    const said = await redis.smembers(saidKey(prefix));
    const nodes = [...new Set([...rooms.nodes(), ...directory.nodes(), ...said])].filter((node) => node !== this.deps.node);
    if (nodes.length === 0) return;
    // One round trip for every node's heartbeat, not one each (a cluster that saw many nodes come and go).
    const answers = await nodes.reduce((pipeline, node) => pipeline.exists(this.alive(node)), redis.pipeline()).exec();
    for (const [i, node] of nodes.entries()) {
      const [error, alive] = answers?.[i] ?? [new Error('no answer')];
      if (error) throw error;
      if (alive === 1) {
        this.dead.delete(node);
        continue;
      }
      const since = this.dead.get(node) ?? now;
      this.dead.set(node, since);
      if (now - since < this.deps.graceMs) continue;
      this.dead.delete(node);
      await this.reclaim(rooms, directory, node);
    }
  }

  /** `node` is gone for good: what names it goes (see the module's notes). */
  private async reclaim(rooms: ClusterRooms, directory: ClusterOnline, node: string): Promise<void> {
    const { redis, prefix } = this.deps;
    const left = rooms.forgetNode(node);
    const offline = directory.forgetNode(node);
    if (left.length + offline.length > 0) this.deps.logger.warn('cluster: forgot the users of a node gone for good', { node, members: left.length, online: offline.length });
    // Sent without waiting for each answer (one socket: they go out together).
    await Promise.all([
      ...left.map(([roomID, user]) => redis.hcForget(`${prefix}:r:${roomID}`, user, node)),
      ...[...new Set([...left.map(([, u]) => u), ...offline])].map((user) => redis.hcRelease(`${prefix}:d:${user}`, node)),
      redis.hcUnsay(saidKey(prefix), this.alive(node), node),
    ]);
  }

  private alive(node: string): string {
    return `${this.deps.prefix}:alive:${node}`;
  }
}
