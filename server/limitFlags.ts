/**
 * The command-line flags of the resource limits (`server/limits.ts`): one flag and one
 * environment variable per number, the flag winning. Kept apart from `cli.ts` so that the
 * table, the usage text and the README stay one list.
 */
import { DEFAULT_LIMITS, type Limits, type Rate } from './limits';

type NumberKey = { [K in keyof Limits]: Limits[K] extends number ? K : never }[keyof Limits];
type RateKey = { [K in keyof Limits]: Limits[K] extends Rate ? K : never }[keyof Limits];

/** One flag: the limit it sets (a number, or one half of a rate) and what it means. */
export interface LimitFlag {
  readonly flag: string;
  readonly env: string;
  readonly limit: NumberKey | RateKey;
  readonly part?: keyof Rate;
  readonly help: string;
}

const flag = (name: string, limit: NumberKey | RateKey, help: string, part?: keyof Rate): LimitFlag => ({
  flag: name,
  env: `HC_${name.replace(/-/g, '_').toUpperCase()}`,
  limit,
  help,
  ...(part ? { part } : {}),
});

/** Every limit flag, in the order the usage text lists them. */
export const LIMIT_FLAGS: readonly LimitFlag[] = [
  flag('user-rate', 'userRate', 'frames per second per user, receipts included', 'perSecond'),
  flag('user-burst', 'userRate', 'frames at once per user', 'burst'),
  flag('byte-rate', 'byteRate', 'bytes per second per connection and per user', 'perSecond'),
  flag('byte-burst', 'byteRate', 'bytes at once per connection and per user', 'burst'),
  flag('max-frame-bytes', 'maxFrameBytes', 'largest frame (at most 65536)'),
  flag('max-fragments', 'maxFragments', 'WebSocket fragments one message may come in'),
  flag('max-frame-reads', 'maxFrameReads', 'socket reads a frame may still be waiting in'),
  flag('max-unconfirmed', 'maxUnconfirmed', 'message copies a connection may leave unconfirmed'),
  flag('max-backlog', 'maxBacklog', 'message copies stored for one recipient'),
  flag('max-backlog-bytes', 'maxBacklogBytes', 'bytes stored for one recipient'),
  flag('max-store-bytes', 'maxStoreBytes', 'bytes of stored messages in all'),
  flag('max-stored', 'maxStored', 'message copies stored in all'),
  flag('max-sender-stored', 'maxSenderStored', 'message copies one sender may have stored at once'),
  flag('max-sender-stored-bytes', 'maxSenderStoredBytes', 'bytes of the messages one sender may have stored at once'),
  flag('max-backlog-per-sender', 'maxBacklogPerSender', 'message copies one sender may have stored for one recipient'),
  flag('max-backlog-bytes-per-sender', 'maxBacklogBytesPerSender', 'bytes one sender may have stored for one recipient'),
  flag('max-buffered-bytes', 'maxBufferedBytes', 'unsent output per connection before it is dropped as too slow'),
  flag('fanout-rate', 'fanout', 'group message copies (one per 8 KiB begun) and room notices per second per user', 'perSecond'),
  flag('fanout-burst', 'fanout', 'group message copies and room notices at once per user', 'burst'),
  flag('max-relay-bytes', 'maxRelayBytes', 'largest room relay payload (SDP, ICE)'),
  flag('max-connections', 'maxConnections', 'open connections in all'),
  flag('max-connections-per-ip', 'maxConnectionsPerIp', 'open connections per client address (IPv6: per /64)'),
  flag('ip-connect-rate', 'ipConnectRate', 'new connections per second per client address', 'perSecond'),
  flag('ip-connect-burst', 'ipConnectRate', 'new connections at once per client address', 'burst'),
  flag('prelogin-bytes', 'preLoginBytes', 'bytes a connection may send before it logs in'),
  flag('max-groups-per-user', 'maxGroupsPerUser', 'groups a user may own'),
  flag('group-creates-per-hour', 'groupCreatesPerHour', 'groups a user may create an hour (as many at once)'),
  flag('max-group-members', 'maxGroupMembers', 'members plus invitations per group'),
  flag('max-rooms-per-user', 'maxRoomsPerUser', 'rooms a user may hold for its calls at once'),
  flag('max-rooms', 'maxRooms', 'rooms held for calls in all'),
  flag('max-room-users', 'maxRoomUsers', 'users one room may admit'),
  flag('room-idle-ms', 'roomIdleMs', 'how long an empty room stays its call\'s once its invitations are over'),
  flag('log-rate', 'logPerSecond', 'refusal log lines per second'),
  flag('presence-batch-ms', 'presenceBatchMs', 'presence: a user\'s changes within this window of its last one are batched'),
  flag('presence-snapshot-rate', 'presenceSnapshots', 'presence snapshots (subscriptions) per second per user', 'perSecond'),
  flag('presence-snapshot-burst', 'presenceSnapshots', 'presence snapshots at once per user', 'burst'),
  flag('http-headers-timeout-ms', 'httpHeadersTimeoutMs', 'plain HTTP: a request\'s headers must arrive within this'),
  flag('http-request-timeout-ms', 'httpRequestTimeoutMs', 'plain HTTP: a whole request must arrive within this'),
  flag('http-keep-alive-ms', 'httpKeepAliveMs', 'plain HTTP: an idle keep-alive socket is closed after this'),
  flag('http-stall-ms', 'httpStallMs', 'plain HTTP: a connection on which nothing moves for this long is closed'),
  flag('max-http-pipelined', 'httpPipelined', 'plain HTTP: requests one connection may have unanswered at once'),
];

/** The usage lines of the limit flags, with their defaults. */
export function limitUsage(): string {
  return LIMIT_FLAGS.map((f) => {
    const value = DEFAULT_LIMITS[f.limit];
    const shown = typeof value === 'number' ? value : value[f.part ?? 'perSecond'];
    // A space at least after a flag as long as the column (--max-backlog-bytes-per-sender <n>).
    const name = `${f.flag} <n>`;
    return `  --${name.length < 28 ? name.padEnd(28) : `${name} `}${f.help} (${f.env}, default ${shown})`;
  }).join('\n');
}

/**
 * The limits given by flags or environment variables (`get` reads one flag, falling back to
 * its variable); `integer` parses a value or throws with the flag's name.
 */
export function parseLimitFlags(get: (flag: string) => string | undefined, integer: (flag: string, text: string | undefined) => number | undefined): Partial<Limits> {
  const out: Record<string, number | Rate> = {};
  for (const f of LIMIT_FLAGS) {
    const n = integer(f.flag, get(f.flag));
    if (n === undefined) continue;
    if (f.part === undefined) {
      out[f.limit] = n;
      continue;
    }
    const current = (out[f.limit] as Rate | undefined) ?? (DEFAULT_LIMITS[f.limit] as Rate);
    out[f.limit] = { ...current, [f.part]: n };
  }
  return out as Partial<Limits>;
}
