/**
 * The cluster's Lua scripts (each one step on Redis, atomic) and the Redis client that has them
 * as commands. Keys and channels are described in `node.ts`.
 */
import { Redis } from 'ioredis';
import { REVOKED_PER_USER } from '../hub';
import { SUPERSEDED_PER_USER } from '../supersededTokens';
import { MERGE, type MergeCommand } from './budgets';
import { coalesceWrites } from './coalesce';
import { DELIVER, HELD, PARK, STREAM_SHARE, TAKEN } from './streamScripts';

// A user's revocations: her revoked userSigs (`P:k:<user>`, by digest) and her superseded session tokens
// (`P:s:<user>`), each field stamped with the user's login count (the directory's `epoch`) when written, each
// hash kept a week from its last write. `P:k` keeps her newest REVOKED_PER_USER (16), as one node keeps 16 revoked
// userSigs per user (`hub.ts`), and goes when her last session ends (ENDED). `P:s` keeps her newest
// SUPERSEDED_PER_USER (256) through her logouts: with one userSig on every device only the token tells a kicked
// session from the newer one, and one node forgets none of them but past 4,096 in all (`SUPERSEDED_MEMORY`). So a
// user who logs in again and again grows neither without bound (before the review of 2026-12-05 each token was a
// key of its own, kept 7 days, and P:k kept every userSig). A field written twice is written again: safe to resend.
const REVOKE = `
local function revoke(key, field, dir, ttl, keep)
  redis.call('HSET', key, field, redis.call('HGET', dir, 'epoch') or '0')
  redis.call('PEXPIRE', key, ttl)
  local n = redis.call('HLEN', key)
  if n <= keep then return end
  local all, older = redis.call('HGETALL', key), {}
  for i = 1, #all, 2 do
    if all[i] ~= field then older[#older + 1] = {all[i], tonumber(all[i + 1]) or 0} end
  end
  table.sort(older, function(x, y) return x[2] < y[2] end)
  for i = 1, n - keep do redis.call('HDEL', key, older[i][1]) end
end
local function supersede(key, token, dir, ttl) revoke(key, token, dir, ttl, ${SUPERSEDED_PER_USER}) end
local function revokeSig(key, sig, dir, ttl) revoke(key, sig, dir, ttl, ${REVOKED_PER_USER}) end
`;

// The live session this claim takes over (the directory's `token`: not this login's own, claimed again,
// nor the one it resumes, handed over) is kicked by it: its token (KEYS[3], P:s) and its userSig (KEYS[2],
// P:k) are refused from this step on, on every node, before the node that held it hears of it. A revocation
// the kicking node writes later could fail or land late (SUPERSEDE); this one is the takeover itself. A
// session whose end Redis took (ENDED) has no token left: nothing to revoke.
// A claim that loses to a later login's (two logins at once) revokes its own session the same way, its node
// kicking it next (a node killed before its own revocation, SUPERSEDE, left it unrevoked); not when that
// login resumed it (a handover), nor its userSig once the user's sessions since have ended (as SUPERSEDE).
const CLAIM = `${REVOKE}
local claimed = tonumber(redis.call('HGET', KEYS[1], 'claimed') or '0')
local epoch = tonumber(ARGV[2])
if epoch < claimed then
  local now = redis.call('HMGET', KEYS[1], 'token', 'resumed', 'ended')
  if now[1] ~= ARGV[3] and now[2] ~= ARGV[3] then
    supersede(KEYS[3], ARGV[3], KEYS[1], ARGV[7])
    if ARGV[8] ~= '' and tonumber(now[3] or '-1') < epoch then revokeSig(KEYS[2], ARGV[8], KEYS[1], ARGV[7]) end
  end
  return 0
end
local was = redis.call('HMGET', KEYS[1], 'node', 'token', 'sig')
local old = was[1]
if was[2] and was[2] ~= ARGV[3] and was[2] ~= ARGV[4] then
  supersede(KEYS[3], was[2], KEYS[1], ARGV[7])
  if was[3] then revokeSig(KEYS[2], was[3], KEYS[1], ARGV[7]) end
end
redis.call('HSET', KEYS[1], 'node', ARGV[1], 'token', ARGV[3], 'claimed', epoch, 'sig', ARGV[8])
-- The token this login resumed (a node whose claim loses to it hands its session over); a claim made again
-- by the same login (a node back on Redis) keeps it.
if epoch > claimed or ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'resumed', ARGV[4]) end
redis.call('PEXPIRE', KEYS[1], ARGV[7])
if old and old ~= ARGV[1] then
  redis.call('PUBLISH', ARGV[5] .. old, cjson.encode({t = 'takeover', user = ARGV[6], resume = ARGV[4], epoch = epoch}))
end
return 1`;

// Revoked: the userSig (its digest, ARGV[2]) of a session kicked by a later login, unless the user's
// session now (the directory's `sig`) logged in with it too, or the login resumes that very session (ARGV[4]
// is the directory's `token`: as on one node, where only a live session found by its token passes). Any other
// resume token, stale or made up, is no way round the rule. `P:k` goes when the user's session ends
// (ENDED): as on one node, the rule holds while the newer session lives, connected or not. Superseded: the
// token the login resumes is one of the user's kicked sessions' (KEYS[2], P:s).
const PREPARE = `
local epoch = redis.call('HINCRBY', KEYS[1], 'epoch', 1)
redis.call('PEXPIRE', KEYS[1], ARGV[1])
local revoked = 0
local dir = redis.call('HMGET', KEYS[1], 'sig', 'token')
if dir[1] ~= ARGV[2] and not (ARGV[4] ~= '' and dir[2] == ARGV[4]) then revoked = redis.call('HEXISTS', KEYS[4], ARGV[2]) end
local superseded = 0
if ARGV[4] ~= '' then superseded = redis.call('HEXISTS', KEYS[2], ARGV[4]) end
-- What the user holds as a sender in the streams (KEYS[5], KEYS[6]): its node's quotas count it from the login on.
local held = redis.call('ZCOUNT', KEYS[5], '(' .. ARGV[3], '+inf')
-- The live node other than this one (ARGV[5]) that holds the user: asked for its budgets (\`budgetAsks.ts\`).
local holder = redis.call('HGET', KEYS[1], 'node')
if not holder or holder == ARGV[5] or redis.call('EXISTS', ARGV[6] .. holder) == 0 then holder = '' end
return {epoch, superseded, redis.call('HGETALL', KEYS[3]), revoked, held, tonumber(redis.call('GET', KEYS[6]) or '0'), holder}`;

// A session kicked by a later login, as its node saw it (CLAIM revokes what the directory named; this also
// covers a session it did not name yet): its token (ARGV[4]) never resumes (KEYS[1], a week, through the user's
// logouts: a later login with the same userSig must not be kicked back by it); its userSig logs in no more (KEYS[2]) while the user has a live session. Once the user's sessions
// since the kicked one's claim (its epoch ARGV[3]; the kicker's claim came later) have ended (ENDED wrote the
// last claim's epoch in the directory, KEYS[3]), a revocation that lands late (a command that timed out and ran
// later, one sent again) revokes no userSig: as on one node, nobody is left to protect; nor does it once a later
// login claimed the user, which superseded no session and kicks this userSig's holder no more than one node does.
const SUPERSEDE = `${REVOKE}
supersede(KEYS[1], ARGV[4], KEYS[3], ARGV[1])
if tonumber(redis.call('HGET', KEYS[3], 'ended') or '-1') >= tonumber(ARGV[3]) then return 0 end
revokeSig(KEYS[2], ARGV[2], KEYS[3], ARGV[1])
return 1`;

// The user's session (token ARGV[1], on node ARGV[2]) ended, not taken over: the userSigs its login superseded
// (KEYS[2]) log in again (the tokens it kicked, KEYS[3], never resume: the user's next login, with the same userSig,
// is one to protect from them too), and the directory (KEYS[1]) names no live session. Not while it names another live session (a
// later login's claim took over; its token not among the superseded): what was superseded stays refused while
// that one lives. One the directory still names though it was kicked, on this session's node, is not live: this
// session kicked it, its own claim never got there. Kicked on another node, it is not: the login that kicked it
// lives there, its claim on its way behind the revocation (a session of the user that ended here meanwhile had
// not heard it was taken over). The directory says so: its token goes, and `ended` holds the epoch of its last
// claim, kept past later claims (a session kicked up to it has no one left to protect from it: SUPERSEDE).
const ENDED = `
local token = redis.call('HGET', KEYS[1], 'token')
if token and token ~= ARGV[1] and (redis.call('HEXISTS', KEYS[3], token) == 0 or redis.call('HGET', KEYS[1], 'node') ~= ARGV[2]) then return 0 end
redis.call('DEL', KEYS[2])
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('HDEL', KEYS[1], 'token')
  redis.call('HSET', KEYS[1], 'ended', redis.call('HGET', KEYS[1], 'claimed') or '0')
end
return 1`;

const RELEASE = `
if redis.call('HGET', KEYS[1], 'node') == ARGV[1] then redis.call('HDEL', KEYS[1], 'node', 'token') end
return 1`;

// A node's heartbeat (KEYS[1], kept ARGV[1] ms), '<token> <state>' with its process's token (ARGV[3]). Found gone, it is
// written 'lapsed', and stays so until the node, having read it, says 'ok' again (ARGV[2] '1', as at its first beat): a
// node whose beat timed out (its answer lost, the next beat finding the key its own late one wrote) still learns that
// it lapsed, and that the others may have forgotten it. Found holding another token, it is left as it is: the node
// stalled past it, another process claimed the id, and this one has lost it (answered 'taken': `nodeId.ts`).
const OWNED = `
local function owned(v, token) return v == false or string.sub(v, 1, #token + 1) == token .. ' ' end`;

const BEAT = `${OWNED}
local v = redis.call('GET', KEYS[1])
if not owned(v, ARGV[3]) then return 'taken' end
local state = 'ok'
if ARGV[2] ~= '1' then state = v and string.sub(v, #ARGV[3] + 2) or 'lapsed' end
redis.call('SET', KEYS[1], ARGV[3] .. ' ' .. state, 'PX', ARGV[1])
return state`;

// A graceful stop's goodbye: the heartbeat (KEYS[1]) goes and the node (ARGV[2]) leaves P:said (KEYS[2]) only while the
// key holds the process's token (ARGV[1]) or nothing; else another process took the id, and both are its (answers 0).
// The process's own record of the changes Redis ran (KEYS[3]) goes either way when ARGV[3] is '1'.
const DROP = `${OWNED}
if ARGV[3] == '1' then redis.call('DEL', KEYS[3]) end
if not owned(redis.call('GET', KEYS[1]), ARGV[1]) then return 0 end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], ARGV[2])
return 1`;

// A node gone for good leaves P:said (KEYS[1]) only while it is still gone (KEYS[2], its heartbeat, absent): the
// check that found it gone ran earlier, and a node back since (heartbeat set, members loaded, mark written) kept it.
const UNSAY = `
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
return redis.call('SREM', KEYS[1], ARGV[1])`;

// A room member's entry goes only while it still names the node (it may have moved since).
const FORGET = `
local m = redis.call('HGET', KEYS[1], ARGV[1])
if m and cjson.decode(m).node == ARGV[2] then redis.call('HDEL', KEYS[1], ARGV[1]) end
return 1`;

// A room member's leave (KEYS[1], as FORGET; its event ARGV[4] published on ARGV[3]). When it leaves the room's
// hash empty, the grant's vacate (ARGV[5], if given) is recorded in the grant's history (KEYS[2], versioned by
// KEYS[3] and kept ARGV[6] ms, as replica.ts's SHARE does) and published in the same step, so that exactly one
// leave vacates the room whatever the nodes saw of each other's: the one Redis took last. Not while a node
// holding the members the leaving node still saw elsewhere (ARGV[7]...) has not said its members since Redis
// last lost its data (KEYS[4], P:said): they may be in the room still, not written again yet.
const LEAVE = `
local m = redis.call('HGET', KEYS[1], ARGV[1])
if m and cjson.decode(m).node == ARGV[2] then redis.call('HDEL', KEYS[1], ARGV[1]) end
redis.call('PUBLISH', ARGV[3], ARGV[4])
if ARGV[5] == '' or redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
for i = 7, #ARGV do
  if redis.call('SISMEMBER', KEYS[4], ARGV[i]) == 0 then return 0 end
end
local v = redis.call('INCR', KEYS[3])
local entry = '{"v":' .. v .. ',' .. string.sub(ARGV[5], 2)
redis.call('RPUSH', KEYS[2], entry)
redis.call('PEXPIRE', KEYS[2], ARGV[6])
redis.call('PUBLISH', ARGV[3], entry)
return 1`;

export type Scripted = Redis & {
  /** `revoked`, `superseded`: the user's revoked userSigs (\`P:k:<user>\`) and superseded tokens (\`P:s:<user>\`). */
  hcClaim(dir: string, revoked: string, superseded: string, node: string, epoch: number, token: string, resume: string, channel: string, user: string, ttl: number, sig: string): Promise<number>;
  /** `alive`: the heartbeat keys' prefix (\`P:alive:\`); answers the live node other than `node` that holds the user, or ''. */
  hcPrepare(dir: string, superseded: string, budgets: string, revoked: string, held: string, heldBytes: string, ttl: number, sig: string, now: number, resume: string, node: string, alive: string): Promise<[number, number, string[], number, number, number, string]>;
  /** `epoch`: the kicked session's claim. Answers 0 when the user's sessions since it ended (the userSig left as it was). */
  hcSupersede(superseded: string, revoked: string, dir: string, ttl: number, sig: string, epoch: number, token: string): Promise<number>;
  /** Answers 0 when the directory names another session (nothing freed). `node`: the ending session's. */
  hcEnded(dir: string, revoked: string, superseded: string, token: string, node: string): Promise<number>;
  /** `caps`: maxBacklog, maxBacklogBytes, maxBacklogPerSender, maxBacklogBytesPerSender, maxSenderStored, maxSenderStoredBytes; `entries`: (json, from, bytes, expiresAt) per copy. */
  hcDeliver(inbox: string, dir: string, counts: string, parked: string, ttl: number, channel: string, user: string, now: number, senders: string, ...capsAndEntries: (string | number)[]): Promise<(number | string)[]>;
  hcTaken(inbox: string, counts: string, parked: string, senders: string, user: string, ...ids: string[]): Promise<number>;
  /** Answers how many of `ids` it parked now. */
  hcPark(inbox: string, counts: string, parked: string, ...ids: string[]): Promise<number>;
  hcHeld(set: string, bytes: string, now: number): Promise<[number, number]>;
  hcStreamShare(inbox: string, counts: string, parked: string, senders: string, user: string, now: number, from: string): Promise<string>;
  hcRelease(dir: string, node: string): Promise<number>;
  hcForget(room: string, user: string, node: string): Promise<number>;
  /** Answers 'lapsed' when the heartbeat was found gone since the last `reset` ('1'), 'taken' when it holds another process's token, else 'ok'. */
  hcBeat(alive: string, ms: number, reset: '0' | '1', token: string): Promise<string>;
  /** Answers 0 when the heartbeat holds another process's token (nothing of the node's gone, but `ran` if `dropRan`). */
  hcDrop(alive: string, said: string, ran: string, token: string, node: string, dropRan: '0' | '1'): Promise<number>;
  /** `node` leaves `said` (P:said) unless its heartbeat (`alive`) exists; answers 1 when it left. */
  hcUnsay(said: string, alive: string, node: string): Promise<number>;
  /** Answers 1 when the leave vacated the room (`vacate`: '' for none; `elsewhere`: nodes, see LEAVE). */
  /** A user's buckets merged into its hash: the emptier of each pair stays (`budgets.ts`). */
  hcBudgets: MergeCommand;
  hcLeave(room: string, history: string, version: string, said: string, user: string, node: string, channel: string, event: string, vacate: string, ttl: number, ...elsewhere: string[]): Promise<number>;
};

/**
 * The nodes' ioredis options. A command that the connection had sent when it died fails at once
 * (`maxRetriesPerRequest: 0`) and is not sent again on the next connection (`autoResendUnfulfilledCommands`,
 * on by default, kept it for one reconnect: what Redis had run before the connection died ran twice, a relay's
 * publish heard twice). Failed, it may have run, as one past the command timeout (which Redis may run later,
 * on the same connection, before anything the node sends after it): every caller takes the failure as
 * "maybe ran" and sends again only what is safe twice (SHARE, `replica.ts`: once per change; a take-in's delete,
 * `mailbox.ts`: with the next take-in, which takes nothing in twice). Commands sent
 * while the connection is down fail at once too (no offline queue). The subscriber (`node.ts`) queues its
 * (un)subscribes, which are safe twice, and subscribes again by itself (not ioredis: `autoResubscribe` off).
 */
export function redisSettings() {
  return {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    commandTimeout: 2000,
    connectTimeout: 2000,
    retryStrategy: (times: number) => Math.min(100 * times, 1000),
  };
}

/** Registers the scripts as commands of `redis`, which is then {@link Scripted}. */
export function defineScripts(redis: Redis): Scripted {
  redis.defineCommand('hcClaim', { numberOfKeys: 3, lua: CLAIM });
  redis.defineCommand('hcPrepare', { numberOfKeys: 6, lua: PREPARE });
  redis.defineCommand('hcSupersede', { numberOfKeys: 3, lua: SUPERSEDE });
  redis.defineCommand('hcEnded', { numberOfKeys: 3, lua: ENDED });
  redis.defineCommand('hcDeliver', { numberOfKeys: 4, lua: DELIVER });
  redis.defineCommand('hcTaken', { numberOfKeys: 3, lua: TAKEN });
  redis.defineCommand('hcPark', { numberOfKeys: 3, lua: PARK });
  redis.defineCommand('hcHeld', { numberOfKeys: 2, lua: HELD });
  redis.defineCommand('hcStreamShare', { numberOfKeys: 3, lua: STREAM_SHARE });
  redis.defineCommand('hcRelease', { numberOfKeys: 1, lua: RELEASE });
  redis.defineCommand('hcForget', { numberOfKeys: 1, lua: FORGET });
  redis.defineCommand('hcBeat', { numberOfKeys: 1, lua: BEAT });
  redis.defineCommand('hcDrop', { numberOfKeys: 3, lua: DROP });
  redis.defineCommand('hcUnsay', { numberOfKeys: 2, lua: UNSAY });
  redis.defineCommand('hcLeave', { numberOfKeys: 4, lua: LEAVE });
  redis.defineCommand('hcBudgets', { numberOfKeys: 1, lua: MERGE });
  return redis as Scripted;
}

/**
 * Opens a node's two connections to Redis at `url` (commands, with the scripts, and pub/sub); rejects, leaving
 * nothing open, when Redis cannot be reached. A command sent when the connection dies fails at once, never sent
 * again ({@link redisSettings}); the subscriber's (un)subscribes, safe twice, are queued and sent again (ioredis's
 * defaults, as before).
 */
export async function connectRedis(url: string): Promise<{ redis: Scripted; sub: Redis }> {
  const settings = redisSettings();
  const redis = new Redis(url, settings);
  coalesceWrites(redis);
  // The node renews its channels itself (`Rejoin`) and hears how that went; ioredis's own renewal
  // (`autoResubscribe`) leaves a failure unhandled (redis/ioredis#2187), which ends the process.
  const sub = new Redis(url, { ...settings, enableOfflineQueue: true, commandTimeout: undefined, maxRetriesPerRequest: 1, autoResendUnfulfilledCommands: true, autoResubscribe: false });
  let cause: unknown = null; // errors are the `up` flag's and the health check's business; the last one says why a start failed
  const quiet = (error: unknown) => void (cause = error);
  redis.on('error', quiet);
  sub.on('error', quiet);
  try {
    await redis.connect();
    await sub.connect();
  } catch (error) {
    for (const connection of [redis, sub]) connection.disconnect();
    const why = cause ?? error;
    throw Object.assign(new Error(`cannot reach Redis at ${shownUrl(url)}: ${why instanceof Error ? why.message : String(why)}`), { code: 'HC_REDIS_UNREACHABLE' });
  }
  return { redis: defineScripts(redis), sub };
}

/**
 * The `--redis` URL as it may be shown (`/healthz` answers anyone, logs travel): without user and password,
 * and without the query, where ioredis takes any option too (`?username=...&password=...`).
 */
export function shownUrl(url: string): string {
  const parsed = URL.canParse(url) ? new URL(url) : null;
  if (!parsed) return 'the --redis URL';
  parsed.username = '';
  parsed.password = '';
  parsed.search = '';
  parsed.hash = '';
  return parsed.href;
}
