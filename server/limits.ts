/**
 * The server's resource limits: their defaults, token buckets on the injected clock, and the
 * per-user and per-address budgets that outlive a connection (so that reconnecting resets
 * nothing). Per-user and per-address state sits behind small interfaces so that a cluster can
 * keep it in a shared store later.
 */

/** A token bucket on the injected clock: refills continuously, no timers. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  /**
   * @param perSecond refill rate
   * @param burst capacity (and initial content)
   * @param now the clock's current time in ms
   */
  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.last = now;
  }

  /** Takes `n` tokens if there are that many (a cost above the burst is never affordable). */
  take(now: number, n = 1): boolean {
    this.refill(now);
    if (this.tokens < n) return false;
    this.tokens -= n;
    return true;
  }

  /** True when the bucket is full again: forgetting it changes nothing. */
  full(now: number): boolean {
    this.refill(now);
    return this.tokens >= this.burst;
  }

  private refill(now: number): void {
    this.tokens = Math.min(this.burst, this.tokens + (Math.max(0, now - this.last) * this.perSecond) / 1000);
    this.last = Math.max(this.last, now);
  }
}

/**
 * Several token buckets on one clock reading, refilled together: what one {@link TokenBucket}
 * per rate would do (a refill is linear up to the burst, so refilling all of them at each take
 * is the same as refilling each when it is used), in one object and one array of unboxed
 * doubles instead of an object and two boxed numbers per bucket. Connections and users hold one
 * each, so this is most of what a quiet logged-in client costs in limits.
 */
export class TokenBuckets {
  /** The tokens of each bucket, then the time of the last refill. */
  private readonly state: number[];

  /**
   * @param rates each bucket's refill rate and burst (shared: never copied)
   * @param now the clock's current time in ms
   */
  constructor(
    private readonly rates: readonly Rate[],
    now: number,
  ) {
    // `concat` makes a backing store of exactly this length (a `push` would leave room for 20).
    this.state = rates.map((r) => r.burst).concat([now]);
  }

  /**
   * Takes `n` tokens of bucket `i` if there are that many. A cost above its burst is never affordable, unless `owing`:
   * then it is taken from a full bucket, left below zero (it refills from there, so over time no more than its rate).
   */
  take(i: number, now: number, n = 1, owing = false): boolean {
    this.refill(now);
    const tokens = this.state[i] as number;
    if (tokens < needed(n, this.rates[i] as Rate, owing)) return false;
    this.state[i] = tokens - n;
    return true;
  }

  /** True when every bucket is full again: forgetting them changes nothing. */
  full(now: number): boolean {
    this.refill(now);
    for (let i = 0; i < this.rates.length; i++) if ((this.state[i] as number) < (this.rates[i] as Rate).burst) return false;
    return true;
  }

  private refill(now: number): void {
    const { state, rates } = this;
    const n = rates.length;
    const last = state[n] as number;
    const elapsed = Math.max(0, now - last);
    if (elapsed > 0) {
      for (let i = 0; i < n; i++) {
        const r = rates[i] as Rate;
        state[i] = Math.min(r.burst, (state[i] as number) + (elapsed * r.perSecond) / 1000);
      }
    }
    state[n] = Math.max(last, now);
  }
}

/** A sustained rate and a burst. */
export interface Rate {
  readonly perSecond: number;
  readonly burst: number;
}

/**
 * Every bound of the server (beside `rate`, `maxStrikes`, `loginTimeoutMs` and
 * `idleTimeoutMs`, which are top-level options). Each is a CLI flag and an environment variable
 * (README, "Security model").
 */
export interface Limits {
  /** Frames per second per user, whatever its connections (receipts included). */
  readonly userRate: Rate;
  /** Bytes per second, per connection and per user (receipts included). */
  readonly byteRate: Rate;
  /** Largest frame accepted, in bytes (at most the protocol's 64 KiB). */
  readonly maxFrameBytes: number;
  /**
   * WebSocket fragments one message may come in (the socket layer keeps an object per fragment
   * until the last: a message of one-byte fragments cost some 17 times its bytes). One more
   * closes the connection (1008).
   */
  readonly maxFragments: number;
  /**
   * Socket reads a frame may still be waiting in (the socket layer keeps each read until the frame
   * is whole: a read of one byte cost some 190 bytes). One more closes the connection (1008).
   */
  readonly maxFrameReads: number;
  /** Message copies handed to a connection and not yet confirmed; more wait in the store. */
  readonly maxUnconfirmed: number;
  /** Message copies stored for one recipient, and their bytes. */
  readonly maxBacklog: number;
  readonly maxBacklogBytes: number;
  /** Bytes of stored messages in all. */
  readonly maxStoreBytes: number;
  /** Message copies stored in all (each costs some 300 bytes of memory, whatever its payload: `backlogs.ts`). */
  readonly maxStored: number;
  /** Message copies one sender may have stored (not yet confirmed) at once, and the bytes of their bodies. */
  readonly maxSenderStored: number;
  readonly maxSenderStoredBytes: number;
  /** Of one recipient's backlog, the copies (and bytes) that may come from one sender. */
  readonly maxBacklogPerSender: number;
  readonly maxBacklogBytesPerSender: number;
  /**
   * A connection's unsent output: deliveries pause at a quarter of it, relays are dropped past
   * half of it, and past all of it the connection is dropped as too slow.
   */
  readonly maxBufferedBytes: number;
  /** Copies a user may cause per second: of its group messages, and of its room notices (entering, publishing). */
  readonly fanout: Rate;
  /**
   * Largest room relay payload (`relay.data`), in UTF-16 code units (what SDP and ICE are: ASCII).
   * Each copy of a relay to the whole room beyond the first is also paid from the sender's
   * frame and byte budgets (`userRate`, `byteRate`).
   */
  readonly maxRelayBytes: number;
  /** Open connections in all, and per client address (IPv6: per /64). */
  readonly maxConnections: number;
  readonly maxConnectionsPerIp: number;
  /** New connections per second per client address. */
  readonly ipConnectRate: Rate;
  /** Bytes a connection may send before it has logged in (counted as they arrive). */
  readonly preLoginBytes: number;
  /** Groups a user may own, and members plus invitations per group. */
  readonly maxGroupsPerUser: number;
  /**
   * Groups a user may create an hour (as many at once): in a cluster each group made and deleted leaves its
   * history in Redis for a week (the deletion, for nodes away meanwhile), so creating and deleting in a loop
   * grew Redis by up to 25 keys a second per user.
   */
  readonly groupCreatesPerHour: number;
  readonly maxGroupMembers: number;
  /** Rooms a user may hold for its calls at once, rooms in all, and users one room may admit. */
  readonly maxRoomsPerUser: number;
  readonly maxRooms: number;
  readonly maxRoomUsers: number;
  /** How long a room nobody is in stays reserved for its call once its invitations are over. */
  readonly roomIdleMs: number;
  /** Refusal log lines per second (the rest are counted and summarised). */
  readonly logPerSecond: number;
  /** Presence: changes of a user within this window of its last told one wait for the window's end, batched. */
  readonly presenceBatchMs: number;
  /** Presence snapshots (subscriptions) per user. */
  readonly presenceSnapshots: Rate;
  /** Plain HTTP: a request's headers must arrive within this, the whole request within the next, and an idle keep-alive socket closes after the last. */
  readonly httpHeadersTimeoutMs: number;
  readonly httpRequestTimeoutMs: number;
  readonly httpKeepAliveMs: number;
  /**
   * Plain HTTP: requests one connection may have unanswered at once (pipelined: sent before the
   * answers to the earlier ones were read); one more and the connection is dropped.
   */
  readonly httpPipelined: number;
  /**
   * Plain HTTP: a connection on which no byte moves either way for this long is closed (an answer
   * its client stopped reading held its slot, and its file, for ever). Generous: Node restarts the
   * timer only when a write completes, and once the send buffer is full the kernel wakes the writer
   * after a third of it drained, so a live but slow reader must drain that much within it.
   */
  readonly httpStallMs: number;
}

const KIB = 1024;

/** The tokens a bucket of `rate` must hold to pay `n`: `n`, or, `owing`, at most a full bucket (the rest is owed). */
export function needed(n: number, rate: Rate, owing: boolean): number {
  return owing ? Math.min(n, rate.burst) : n;
}

/**
 * What one copy of a group message costs the fan-out budget: one per this many bytes of its payload begun. Paid in
 * copies alone, a user's 60 KB messages to a group of 200 (four a second, at the byte rate) made the server write
 * 48 MB a second to the members; now what a user's group messages make the server send is bounded in bytes too
 * (`fanout.perSecond` times this, 8 MB a second by default). 8 KiB, not less: the largest signalling message, an
 * invitation (or its cancel, its hang-up) to a group of 200 with 32-character user IDs, is 8.0 KB as written (escaped,
 * `server/fanout.ts`), and must cost one a copy as before, or with many devices a call to such a group and its cancel at
 * once outran the burst (the cancel refused, every device ringing on to its timeout; at 4 KiB a copy cost two).
 */
export const FANOUT_COPY_BYTES = 8 * KIB;
const MIB = 1024 * KIB;
const INT32_MAX = 2 ** 31 - 1;

/** Limits that contradict each other or are not positive: a misconfiguration (the command line exits with 2). */
export class LimitsError extends Error {
  override readonly name = 'LimitsError';
}

/** The defaults: generous for honest clients, small enough that one user cannot hurt the others. */
export const DEFAULT_LIMITS: Limits = {
  userRate: { perSecond: 50, burst: 200 },
  byteRate: { perSecond: 256 * KIB, burst: MIB },
  maxFrameBytes: 64 * KIB,
  maxFragments: 64,
  maxFrameReads: 256,
  maxUnconfirmed: 256,
  maxBacklog: 1000,
  maxBacklogBytes: 16 * MIB,
  maxStoreBytes: 1024 * MIB,
  maxStored: 1_000_000,
  maxSenderStored: 10_000,
  maxSenderStoredBytes: 64 * MIB,
  maxBacklogPerSender: 250,
  maxBacklogBytesPerSender: 4 * MIB,
  maxBufferedBytes: MIB,
  fanout: { perSecond: 1000, burst: 2000 },
  maxRelayBytes: 16 * KIB,
  maxConnections: 5000,
  maxConnectionsPerIp: 50,
  ipConnectRate: { perSecond: 10, burst: 50 },
  preLoginBytes: 8 * KIB,
  maxGroupsPerUser: 20,
  groupCreatesPerHour: 60,
  maxGroupMembers: 200,
  maxRoomsPerUser: 32,
  maxRooms: 100_000,
  maxRoomUsers: 100,
  roomIdleMs: 300_000,
  logPerSecond: 10,
  presenceBatchMs: 1000,
  presenceSnapshots: { perSecond: 1, burst: 5 },
  httpHeadersTimeoutMs: 10_000,
  httpRequestTimeoutMs: 30_000,
  httpKeepAliveMs: 5_000,
  httpPipelined: 4,
  httpStallMs: 120_000,
};

/** Every server socket's high-water mark (Node 20's default; Node 22 raised its own to 64 KiB): see `resolveLimits`. */
export const SOCKET_HIGH_WATER_MARK = 16 * KIB;

/** Applies defaults; throws on a limit that cannot work. */
export function resolveLimits(partial: Partial<Limits> = {}, protocolMaxFrame = 64 * KIB): Limits {
  const limits: Limits = { ...DEFAULT_LIMITS, ...partial };
  for (const [name, value] of Object.entries(limits)) {
    const numbers = typeof value === 'number' ? [value] : [(value as Rate).perSecond, (value as Rate).burst];
    if (numbers.some((n) => !Number.isFinite(n) || n <= 0)) throw new LimitsError(`limit ${name} must be positive`);
  }
  // Counts, and the socket layer (`ws`) reads these two as 32-bit integers (`n | 0`): 2 ** 32 was 0,
  // which it takes for no limit at all, and 0.5 too.
  for (const name of ['maxFragments', 'maxFrameReads', 'httpPipelined'] as const) {
    if (!Number.isInteger(limits[name]) || limits[name] > INT32_MAX) throw new LimitsError(`limit ${name} must be a whole number from 1 to ${INT32_MAX}`);
  }
  if (limits.maxFrameBytes > protocolMaxFrame) throw new LimitsError(`maxFrameBytes is at most ${protocolMaxFrame}`);
  if (limits.byteRate.burst < limits.maxFrameBytes) throw new LimitsError('byteRate.burst (--byte-burst) must be at least maxFrameBytes (--max-frame-bytes)');
  if (limits.fanout.burst < limits.maxGroupMembers) throw new LimitsError('fanout.burst (--fanout-burst) must be at least maxGroupMembers (--max-group-members)');
  // Deliveries pause at a quarter of it and resume on the socket's drain, which comes only past the socket's
  // high-water mark (the server sets it: SOCKET_HIGH_WATER_MARK): below four of it a paused connection waited for its
  // next receipt, or for ever.
  const least = 4 * SOCKET_HIGH_WATER_MARK;
  if (limits.maxBufferedBytes < least) throw new LimitsError(`maxBufferedBytes (--max-buffered-bytes) must be at least ${least}`);
  if (limits.httpHeadersTimeoutMs > limits.httpRequestTimeoutMs) throw new LimitsError('httpHeadersTimeoutMs must be at most httpRequestTimeoutMs');
  return limits;
}

/** What a user's budget is spent on. */
export type UserBudget = 'frames' | 'bytes' | 'fanout' | 'groups';

/** The `groups` budget: {@link Limits.groupCreatesPerHour} an hour, as many at once. */
export function groupCreateRate(limits: Pick<Limits, 'groupCreatesPerHour'>): Rate {
  return { perSecond: limits.groupCreatesPerHour / 3600, burst: limits.groupCreatesPerHour };
}

/** Per-user budgets that survive reconnects (in-process now; a shared store in a cluster). */
export interface UserBudgets {
  /** Spends `n` of the user's `budget`; false (nothing spent) when it cannot. */
  take(userID: string, budget: UserBudget, n: number, now: number): boolean;
  /**
   * Spends `n` as {@link take} does, but a cost above the budget's burst is taken from a full budget, which owes the
   * rest (it refills from below zero): never refused for ever, and over time never more than the rate.
   */
  takeOwing(userID: string, budget: UserBudget, n: number, now: number): boolean;
  /** Forgets users whose budgets are full again. */
  prune(now: number): void;
  /** Users tracked now. */
  readonly size: number;
}

/** Where each {@link UserBudget} is in a user's {@link TokenBuckets}. */
const USER_BUDGET_INDEX: Readonly<Record<UserBudget, number>> = { frames: 0, bytes: 1, fanout: 2, groups: 3 };

/** {@link UserBudgets} in memory. */
export class MemoryUserBudgets implements UserBudgets {
  private readonly users = new Map<string, TokenBuckets>();
  /** Every user's rates, in {@link USER_BUDGET_INDEX} order (one array for all of them). */
  private readonly rates: readonly Rate[];

  constructor(limits: Limits) {
    this.rates = [limits.userRate, limits.byteRate, limits.fanout, groupCreateRate(limits)];
  }

  get size(): number {
    return this.users.size;
  }

  take(userID: string, budget: UserBudget, n: number, now: number): boolean {
    return this.bucketsOf(userID, now).take(USER_BUDGET_INDEX[budget], now, n);
  }

  takeOwing(userID: string, budget: UserBudget, n: number, now: number): boolean {
    return this.bucketsOf(userID, now).take(USER_BUDGET_INDEX[budget], now, n, true);
  }

  private bucketsOf(userID: string, now: number): TokenBuckets {
    let buckets = this.users.get(userID);
    if (!buckets) {
      buckets = new TokenBuckets(this.rates, now);
      this.users.set(userID, buckets);
    }
    return buckets;
  }

  prune(now: number): void {
    for (const [userID, b] of this.users) if (b.full(now)) this.users.delete(userID);
  }
}

/** Why a connection was refused at the door. */
export type AdmissionRefusal = 'maxConnections' | 'maxConnectionsPerIp' | 'ipConnectRate';

/**
 * How long a connection may be without logging in before its slot may go to a new one: an honest
 * login takes a round trip and a half (its upgrade, then its login frame); one cut on its way would
 * only try again, and users arriving at a full server would cut each other before any got in.
 */
export const EVICTABLE_AFTER_MS = 3000;

/**
 * Open connections per client address, and the rate of new ones. At the cap in all, the slot of
 * the oldest connection that has not logged in, if it has had {@link EVICTABLE_AFTER_MS} to, goes
 * to the new one (`evict` is told to close it): clients that never log in cannot keep users out by
 * holding every slot, whatever addresses they have. A logged-in connection's slot is never taken.
 */
export class Admission<C extends object> {
  private readonly addresses = new Map<string, { open: number; readonly connects: TokenBucket }>();
  /** Every open connection's address key, and when it was admitted. */
  private readonly open = new Map<C, { readonly key: string; readonly at: number }>();
  /** The open connections that have not logged in, oldest first. */
  private readonly anonymous = new Set<C>();

  constructor(
    private readonly limits: Limits,
    private readonly evict: (conn: C) => void,
  ) {}

  /** Admits `conn` from `address` (counting it) or says why not. */
  admit(conn: C, address: string, now: number): AdmissionRefusal | null {
    const key = addressKey(address);
    const full = this.open.size >= this.limits.maxConnections;
    const [oldest] = this.anonymous;
    const evictable = oldest !== undefined && now - (this.open.get(oldest)?.at ?? now) >= EVICTABLE_AFTER_MS;
    if (full && !evictable) return 'maxConnections';
    let entry = this.addresses.get(key);
    if (!entry) {
      entry = { open: 0, connects: new TokenBucket(this.limits.ipConnectRate.perSecond, this.limits.ipConnectRate.burst, now) };
      this.addresses.set(key, entry);
    }
    if (entry.open >= this.limits.maxConnectionsPerIp) return 'maxConnectionsPerIp';
    if (!entry.connects.take(now)) return 'ipConnectRate';
    if (full && oldest !== undefined) {
      this.release(oldest);
      this.evict(oldest);
    }
    entry.open++;
    this.open.set(conn, { key, at: now });
    this.anonymous.add(conn);
    return null;
  }

  /** `conn` logged in: its slot is its own until it closes. */
  loggedIn(conn: C): void {
    this.anonymous.delete(conn);
  }

  /** `conn` is gone (again: nothing). */
  release(conn: C): void {
    const key = this.open.get(conn)?.key;
    if (key === undefined) return;
    this.open.delete(conn);
    this.anonymous.delete(conn);
    const entry = this.addresses.get(key);
    if (entry) entry.open--;
  }

  /** Forgets addresses with nothing open and a full rate budget. */
  prune(now: number): void {
    for (const [key, entry] of this.addresses) if (entry.open === 0 && entry.connects.full(now)) this.addresses.delete(key);
  }
}

/** The unit a per-address limit counts: an IPv4 address, or the /64 of an IPv6 one. */
export function addressKey(address: string): string {
  const v4 = /^(?:::ffff:)?(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (v4?.[1]) return v4[1];
  if (!address.includes(':')) return address;
  const [head = '', tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.toLowerCase().replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
