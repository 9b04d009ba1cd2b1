/** Counters and gauges of the server, rendered in the Prometheus text exposition format. */
import type { ClusterMetrics } from './cluster/metrics';
import type { ErrorCode } from '../adapters/ws/protocol';

/** The server's numbers at one instant. */
export interface MetricsSnapshot {
  /** Open WebSocket connections. */
  readonly connections: number;
  /** Users with a live session on a connection. */
  readonly loggedInUsers: number;
  /** Sessions held for a dropped connection (grace period). */
  readonly detachedSessions: number;
  /** Rooms with at least one member. */
  readonly rooms: number;
  /** Rooms reserved for calls (grants). */
  readonly roomGrants: number;
  /** Message copies stored and not yet confirmed by their recipient (online or not). */
  readonly storedNow: number;
  /** Message copies handed to an online recipient as they were sent. */
  readonly relayed: number;
  /** Message copies stored for a recipient that was offline. */
  readonly stored: number;
  /** Stored message copies confirmed by their recipient. */
  readonly delivered: number;
  /** Message copies dropped because the recipient was offline (or not reading) and the sender asked `onlineUserOnly`. */
  readonly droppedOffline: number;
  /** Room relay frames delivered. */
  readonly relayFrames: number;
  /** Relays held for invited users who have not entered their room yet. */
  readonly heldRelays: number;
  /** Store transactions (one per turn with writes) and the writes in them. */
  readonly commits: number;
  readonly commitWrites: number;
  /** Write-behind: copies confirmed inside the window (never written), and held messages written when it ended. */
  readonly heldConfirmed: number;
  readonly heldWritten: number;
  /** Cluster: held copies moved to their recipients' streams inside the window, never written (`cluster/outbox.ts`). */
  readonly heldMoved: number;
  /** Write-behind: messages held now, and their payload bytes (bounded by `writeBehindMaxBytes`). */
  readonly heldNow: number;
  readonly heldBytes: number;
  /** Refused frames, by error code. */
  readonly refused: Readonly<Partial<Record<ErrorCode, number>>>;
  /** Times a limit refused, deferred or cut something, by limit. */
  readonly limits: Readonly<Record<string, number>>;
  /** Refusal log lines left out by the log's own rate limit. */
  readonly logSuppressed: number;
  /** Cluster mode only: this node's share (`server/cluster/node.ts`). */
  readonly cluster?: ClusterMetrics;
}

/** Mutable counters; gauges are read from the server when rendered. */
export class Counters {
  relayed = 0;
  stored = 0;
  delivered = 0;
  droppedOffline = 0;
  readonly refused: Partial<Record<ErrorCode, number>> = {};
  readonly limits: Record<string, number> = {};

  refuse(code: ErrorCode): void {
    this.refused[code] = (this.refused[code] ?? 0) + 1;
  }

  /** A limit refused, deferred or cut something. */
  limit(name: string): void {
    this.limits[name] = (this.limits[name] ?? 0) + 1;
  }
}

const line = (name: string, value: number, labels = ''): string => `${name}${labels} ${value}`;

/** Renders a snapshot as Prometheus text (version 0.0.4). */
export function renderMetrics(m: MetricsSnapshot): string {
  const out: string[] = [];
  const metric = (name: string, type: 'gauge' | 'counter', help: string, value: number) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, line(name, value));
  };
  const labelled = (name: string, help: string, label: string, values: Readonly<Record<string, number | undefined>>) => {
    const entries = Object.entries(values);
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
    if (entries.length === 0) out.push(line(name, 0));
    for (const [key, count] of entries) out.push(line(name, count ?? 0, `{${label}="${key}"}`));
  };
  metric('hc_connections', 'gauge', 'Open WebSocket connections.', m.connections);
  metric('hc_logged_in_users', 'gauge', 'Users logged in on a live connection.', m.loggedInUsers);
  metric('hc_detached_sessions', 'gauge', 'Sessions kept for a dropped connection during the grace period.', m.detachedSessions);
  metric('hc_rooms', 'gauge', 'Rooms with at least one member.', m.rooms);
  metric('hc_room_grants', 'gauge', 'Rooms reserved for calls.', m.roomGrants);
  metric('hc_offline_messages', 'gauge', 'Message copies stored and not yet confirmed by their recipient.', m.storedNow);
  metric('hc_messages_relayed_total', 'counter', 'Message copies relayed to a recipient connected to this server.', m.relayed);
  metric('hc_messages_stored_total', 'counter', 'Message copies stored for a recipient not connected to this server (offline, or in a cluster on another node: see hc_cluster_forwarded_total).', m.stored);
  metric('hc_messages_delivered_total', 'counter', 'Stored message copies confirmed by their recipient.', m.delivered);
  metric('hc_messages_dropped_offline_total', 'counter', 'onlineUserOnly message copies dropped for an offline recipient.', m.droppedOffline);
  metric('hc_relay_frames_total', 'counter', 'Room relay frames delivered.', m.relayFrames);
  metric('hc_held_relays', 'gauge', 'Relays held for invited users who have not entered their room yet.', m.heldRelays);
  metric('hc_store_commits_total', 'counter', 'Store transactions committed (one per event-loop turn with writes).', m.commits);
  metric('hc_store_writes_total', 'counter', 'Writes committed in those transactions.', m.commitWrites);
  metric('hc_write_behind_confirmed_total', 'counter', 'Message copies confirmed inside the write-behind window, never written.', m.heldConfirmed);
  metric('hc_write_behind_written_total', 'counter', 'Held messages written when the write-behind window ended.', m.heldWritten);
  metric('hc_write_behind_moved_total', 'counter', 'Cluster: held message copies moved to their recipients\' streams inside the write-behind window, never written.', m.heldMoved);
  metric('hc_write_behind_held', 'gauge', 'Messages held back from the store now.', m.heldNow);
  metric('hc_write_behind_held_bytes', 'gauge', 'Payload bytes of the messages held back from the store now.', m.heldBytes);
  metric('hc_log_suppressed_total', 'counter', 'Refusal log lines left out by the log rate limit.', m.logSuppressed);
  labelled('hc_messages_refused_total', 'Frames refused, by error code.', 'code', m.refused);
  labelled('hc_limit_hits_total', 'Times a limit refused, deferred or cut something, by limit.', 'limit', m.limits);
  const c = m.cluster;
  if (c) {
    out.push('# HELP hc_cluster_node_info This node of the cluster.', '# TYPE hc_cluster_node_info gauge', line('hc_cluster_node_info', 1, `{node="${c.node}"}`));
    metric('hc_cluster_redis_up', 'gauge', '1 when this node reaches Redis (it takes logins).', c.redisUp);
    metric('hc_cluster_rooms', 'gauge', 'Rooms with members anywhere in the cluster.', c.clusterRooms);
    metric('hc_cluster_user_entries', 'gauge', 'Per-user entries this node keeps (they go with the user\'s session here).', c.userEntries);
    metric('hc_cluster_held_entries', 'gauge', 'What senders with a session here hold in the Redis streams, as this node learned it (entries).', c.heldEntries);
    metric('hc_cluster_stranded_users', 'gauge', 'Users whose Redis stream refused copies of this node (its quotas): the copies wait here.', c.strandedUsers);
    metric('hc_cluster_redis_waiting', 'gauge', 'Commands sent to Redis and not answered yet (a stalled Redis shows here).', c.redisWaiting);
    metric('hc_cluster_rejoining', 'gauge', '1 while this node catches up after losing Redis.', c.rejoining);
    metric('hc_cluster_moving_users', 'gauge', 'Users whose copies are moving between this node and their streams now.', c.moving);
    metric('hc_cluster_forwarded_total', 'counter', 'Message copies moved to a recipient stream in Redis.', c.forwarded);
    metric('hc_cluster_drained_total', 'counter', 'Message copies moved in from a recipient stream.', c.drained);
    metric('hc_cluster_parked_total', 'counter', "Stream entries this node parked (refused for their sender's sake: out of the recipient's count).", c.parked);
    metric('hc_cluster_recounts_total', 'counter', 'Recounts of this node\'s store after copies moved between it and the streams.', c.recounts);
    metric('hc_cluster_recounts_off_total', 'counter', 'Of those, recounts that found the counts off what the store holds (copies or bytes in all): a drift the moves missed.', c.recountsOff);
    metric('hc_cluster_published_total', 'counter', 'Frames published to other nodes.', c.published);
    metric('hc_cluster_received_total', 'counter', 'Frames received from other nodes.', c.received);
    metric('hc_cluster_takeovers_total', 'counter', 'Sessions ended here by a login of their user on another node.', c.takeovers);
    metric('hc_cluster_catch_ups_total', 'counter', 'Catch-ups done after losing Redis: what was missed read again, what was not said said again.', c.catchUps);
    metric('hc_cluster_shares_dropped_total', 'counter', 'Replicated changes (grants, groups) Redis refused for good (a script error): made on this node only.', c.sharesDropped);
    metric('hc_cluster_rechecks_total', 'counter', 'Refusals decided again once this node had heard every change Redis had (an enter before its grant, say).', c.rechecks);
    metric('hc_cluster_refused_logins_total', 'counter', 'Logins refused because Redis was unreachable.', c.refusedLogins);
  }
  return `${out.join('\n')}\n`;
}
