/**
 * The replica's Lua steps (`replica.ts`): SHARE takes a version, appends a change to its history and publishes it;
 * COMPACT replaces a long history with what makes its state; FORGET_CLAIM deletes a history holding one refused
 * claim alone. Their names are the server's alone (`test/architecture.test.ts`: ioredis lets a later
 * `defineCommand` of a name replace an earlier one on the same connection).
 */
import type { Redis } from 'ioredis';

/** How long a deleted group's deletion is kept. */
export const TOMBSTONE_MS = 7 * 86_400_000;

/**
 * Replaces a history with its compacted form, only if its last change is still the one the
 * compacting node had applied (ARGV[1]): a change made meanwhile leaves it as it is.
 */
const COMPACT = `
local last = redis.call('LINDEX', KEYS[1], -1)
if not last or cjson.decode(last).v ~= tonumber(ARGV[1]) then return 0 end
redis.call('DEL', KEYS[1])
for i = 3, #ARGV do redis.call('RPUSH', KEYS[1], ARGV[i]) end
local ttl = tonumber(ARGV[2])
if #ARGV >= 3 then
  if ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl) else redis.call('PERSIST', KEYS[1]) end
end
return 1`;

type CompactCommand = (history: string, version: string, ttl: number, ...entries: string[]) => Promise<number>;

/** Deletes a history that holds one change alone, of version ARGV[1] (a claim every node refused). */
const FORGET_CLAIM = `
if redis.call('LLEN', KEYS[1]) ~= 1 then return 0 end
local only = cjson.decode(redis.call('LINDEX', KEYS[1], 0))
if only.v ~= tonumber(ARGV[1]) then return 0 end
redis.call('DEL', KEYS[1])
return 1`;

type ForgetCommand = (history: string, version: number) => Promise<number>;

/**
 * Takes a version, appends the change to its history and publishes it, once: a change this node took as failed
 * (no answer: its connection died after Redis ran it, or Redis ran it after the command timeout) is sent again
 * from `Replica`'s unsent list (`replica.ts`), and ran twice it had a second, later version, applied by every other node
 * after the changes made between (a quit after the invitation that followed it). KEYS[3] holds the sequence
 * numbers of this node's changes Redis ran (ARGV[5]: this one's), but those below ARGV[6], the oldest this node
 * may still send, trimmed at every 16th change (before 2026-12-07 at each: a command per change for numbers never
 * looked up again): a change it finds there ran already, and is answered {0, 0}. The history's existence is its TYPE's
 * answer, its length RPUSH's (before, an EXISTS or two and an LLEN more). A history of another type is refused
 * before the version is taken (a version taken and never published held every node's rechecks their whole second).
 * ARGV[3]: '1' starts the history anew with this change; 'c', a room's claim ordered here, is taken only while the
 * room has no history; else it is answered {-1, 0}, nothing taken (its node decides it once it has heard the
 * history). A grant's history lives as long as the grant can, and a little more (`ClusterGrants.historyTtl`), so a
 * claim is not taken while any node may still hold a grant of the room, a renewal on its way included, whoever made
 * it (the reviews of 2026-12-06: its first change may name a former owner, a change made elsewhere not here yet).
 * 'k': the change's TTL only lengthens the history's (a change made in order that its node has not applied yet).
 * 'g': a group's change that neither makes nor deletes it leaves the history's life as it finds it: a live group's
 * is kept for good already, and a deleted group's tombstone keeps its week (a member's quit made on another node as
 * the owner deleted the group, taken by Redis after the deletion, made the tombstone persistent: a key per deleted
 * group for ever, test/cluster/groupTombstone.test.ts). No history found, it is kept ARGV[2] ms: nothing makes the
 * group again from it.
 */
const SHARE = `
if redis.call('ZSCORE', KEYS[3], ARGV[5]) then return {0, 0} end
local found = false
if ARGV[3] ~= '1' then
  local kind = redis.call('TYPE', KEYS[1])['ok']
  if kind ~= 'none' and kind ~= 'list' then return redis.error_reply('WRONGTYPE the history ' .. KEYS[1] .. ' is a ' .. kind) end
  found = kind == 'list'
end
local v, length = -1, 0
if ARGV[3] ~= 'c' or not found then
  v = redis.call('INCR', KEYS[2])
  local entry = '{"v":' .. v .. ',' .. string.sub(ARGV[1], 2)
  if ARGV[3] == '1' then redis.call('DEL', KEYS[1]) end
  length = redis.call('RPUSH', KEYS[1], entry)
  local ttl = tonumber(ARGV[2])
  if ARGV[3] == 'k' then
    if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
  elseif ARGV[3] == 'g' then
    if not found then redis.call('PEXPIRE', KEYS[1], ttl) end
  elseif ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl) else redis.call('PERSIST', KEYS[1]) end
  redis.call('PUBLISH', ARGV[4], entry)
end
-- A claim not taken is not counted as run: sent again (its answer lost), it is answered by the history as it is then.
if v == -1 then return {v, length} end
-- The numbers below the floor go at every 16th change, not at each (a few more kept, never looked up again).
if tonumber(ARGV[5]) % 16 == 0 then redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', '(' .. ARGV[6]) end
redis.call('ZADD', KEYS[3], ARGV[5], ARGV[5])
redis.call('PEXPIRE', KEYS[3], ${TOMBSTONE_MS})
return {v, length}`;

/**
 * How a change sets its history: started anew (`'1'`), a claim taken only into no history (`'c'`), its TTL only
 * lengthened (`'k'`), its life left as it is (`'g'`), or as the change says (`'0'`): see SHARE.
 */
export type HistoryMode = '0' | '1' | 'c' | 'k' | 'g';

type ShareCommand = (history: string, version: string, ran: string, frame: string, ttl: number, mode: HistoryMode, channel: string, seq: number, floor: number) => Promise<[number, number]>;

/** The replica's steps, defined on its connection. */
export interface ReplicaCommands {
  readonly share: ShareCommand;
  readonly compact: CompactCommand;
  readonly forgetClaim: ForgetCommand;
}

/** Defines the replica's steps on `redis`. */
export function replicaCommands(redis: Redis): ReplicaCommands {
  redis.defineCommand('hcShare', { numberOfKeys: 3, lua: SHARE });
  redis.defineCommand('hcCompact', { numberOfKeys: 1, lua: COMPACT });
  redis.defineCommand('hcForgetClaim', { numberOfKeys: 1, lua: FORGET_CLAIM });
  const defined = redis as unknown as { hcShare: ShareCommand; hcCompact: CompactCommand; hcForgetClaim: ForgetCommand };
  return { share: defined.hcShare.bind(redis), compact: defined.hcCompact.bind(redis), forgetClaim: defined.hcForgetClaim.bind(redis) };
}
