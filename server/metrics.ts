/** Counters and gauges of the server, rendered in the Prometheus text exposition format. */
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
  /** Messages waiting in the offline store. */
  readonly storedNow: number;
  /** Message copies handed to an online recipient as they were sent. */
  readonly relayed: number;
  /** Message copies put in the offline store. */
  readonly stored: number;
  /** Stored message copies confirmed by their recipient. */
  readonly delivered: number;
  /** Message copies dropped because the recipient was offline and the sender asked `onlineUserOnly`. */
  readonly droppedOffline: number;
  /** Room relay frames delivered. */
  readonly relayFrames: number;
  /** Refused frames, by error code. */
  readonly refused: Readonly<Partial<Record<ErrorCode, number>>>;
}

/** Mutable counters; gauges are read from the server when rendered. */
export class Counters {
  relayed = 0;
  stored = 0;
  delivered = 0;
  droppedOffline = 0;
  relayFrames = 0;
  readonly refused: Partial<Record<ErrorCode, number>> = {};

  refuse(code: ErrorCode): void {
    this.refused[code] = (this.refused[code] ?? 0) + 1;
  }
}

const line = (name: string, value: number, labels = ''): string => `${name}${labels} ${value}`;

/** Renders a snapshot as Prometheus text (version 0.0.4). */
export function renderMetrics(m: MetricsSnapshot): string {
  const out: string[] = [];
  const metric = (name: string, type: 'gauge' | 'counter', help: string, value: number) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, line(name, value));
  };
  metric('hc_connections', 'gauge', 'Open WebSocket connections.', m.connections);
  metric('hc_logged_in_users', 'gauge', 'Users logged in on a live connection.', m.loggedInUsers);
  metric('hc_detached_sessions', 'gauge', 'Sessions kept for a dropped connection during the grace period.', m.detachedSessions);
  metric('hc_rooms', 'gauge', 'Rooms with at least one member.', m.rooms);
  metric('hc_offline_messages', 'gauge', 'Messages waiting in the offline store.', m.storedNow);
  metric('hc_messages_relayed_total', 'counter', 'Message copies relayed to an online recipient.', m.relayed);
  metric('hc_messages_stored_total', 'counter', 'Message copies stored for an offline recipient.', m.stored);
  metric('hc_messages_delivered_total', 'counter', 'Stored message copies delivered and confirmed.', m.delivered);
  metric('hc_messages_dropped_offline_total', 'counter', 'onlineUserOnly message copies dropped for an offline recipient.', m.droppedOffline);
  metric('hc_relay_frames_total', 'counter', 'Room relay frames delivered.', m.relayFrames);
  const refused = Object.entries(m.refused);
  out.push('# HELP hc_messages_refused_total Frames refused, by error code.', '# TYPE hc_messages_refused_total counter');
  if (refused.length === 0) out.push(line('hc_messages_refused_total', 0));
  for (const [code, count] of refused) out.push(line('hc_messages_refused_total', count ?? 0, `{code="${code}"}`));
  return `${out.join('\n')}\n`;
}
