/**
 * The cluster's Lua scripts (each one step on Redis, atomic) and the Redis client that has them
 * as commands. Keys and channels are described in `node.ts`.
 */
import type { Redis } from 'ioredis';

const CLAIM = `
local claimed = tonumber(redis.call('HGET', KEYS[1], 'claimed') or '0')
local epoch = tonumber(ARGV[2])
if epoch < claimed then return 0 end
local old = redis.call('HGET', KEYS[1], 'node')
redis.call('HSET', KEYS[1], 'node', ARGV[1], 'token', ARGV[3], 'claimed', epoch, 'sig', ARGV[8])
redis.call('PEXPIRE', KEYS[1], ARGV[7])
if old and old ~= ARGV[1] then
  redis.call('PUBLISH', ARGV[5] .. old, cjson.encode({t = 'takeover', user = ARGV[6], resume = ARGV[4], epoch = epoch}))
end
return 1`;

// Revoked: the userSig (its digest, ARGV[2]) of a session kicked by a later login, unless the user's
// session now (the directory's `sig`) logged in with it too. `P:k` goes when the user's session ends
// (`ClusterNode.ended`): as on one node, the rule holds while the newer session lives, connected or not.
const PREPARE = `
local epoch = redis.call('HINCRBY', KEYS[1], 'epoch', 1)
redis.call('PEXPIRE', KEYS[1], ARGV[1])
local revoked = 0
if redis.call('HGET', KEYS[1], 'sig') ~= ARGV[2] then revoked = redis.call('HEXISTS', KEYS[4], ARGV[2]) end
return {epoch, redis.call('EXISTS', KEYS[2]), redis.call('HGETALL', KEYS[3]), revoked}`;

// A session kicked by a later login: its token never resumes, its userSig logs in no more (see PREPARE).
const SUPERSEDE = `
redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
redis.call('HSET', KEYS[2], ARGV[2], '1')
redis.call('PEXPIRE', KEYS[2], ARGV[1])
return 1`;

// The copies go into the stream and, in the same step, to the user's node (which takes them in
// from the message without reading the stream back: one round trip from sender to recipient).
const DELIVER = `
local ids = {}
local copies = {}
for i = 4, #ARGV do
  ids[#ids + 1] = redis.call('XADD', KEYS[1], '*', 'm', ARGV[i])
  copies[#copies + 1] = ARGV[i]
end
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local node = redis.call('HGET', KEYS[2], 'node')
if node then redis.call('PUBLISH', ARGV[2] .. node, cjson.encode({t = 'mail', user = ARGV[3], ids = ids, m = copies})) end
return 1`;

const RELEASE = `
if redis.call('HGET', KEYS[1], 'node') == ARGV[1] then redis.call('HDEL', KEYS[1], 'node', 'token') end
return 1`;

// A room member's entry goes only while it still names the node (it may have moved since).
const FORGET = `
local m = redis.call('HGET', KEYS[1], ARGV[1])
if m and cjson.decode(m).node == ARGV[2] then redis.call('HDEL', KEYS[1], ARGV[1]) end
return 1`;

export type Scripted = Redis & {
  hcClaim(dir: string, node: string, epoch: number, token: string, resume: string, channel: string, user: string, ttl: number, sig: string): Promise<number>;
  hcPrepare(dir: string, superseded: string, budgets: string, revoked: string, ttl: number, sig: string): Promise<[number, number, string[], number]>;
  hcSupersede(superseded: string, revoked: string, ttl: number, sig: string): Promise<number>;
  hcDeliver(inbox: string, dir: string, ttl: number, channel: string, user: string, ...entries: string[]): Promise<number>;
  hcRelease(dir: string, node: string): Promise<number>;
  hcForget(room: string, user: string, node: string): Promise<number>;
};

/** Registers the scripts as commands of `redis`, which is then {@link Scripted}. */
export function defineScripts(redis: Redis): Scripted {
  redis.defineCommand('hcClaim', { numberOfKeys: 1, lua: CLAIM });
  redis.defineCommand('hcPrepare', { numberOfKeys: 4, lua: PREPARE });
  redis.defineCommand('hcSupersede', { numberOfKeys: 2, lua: SUPERSEDE });
  redis.defineCommand('hcDeliver', { numberOfKeys: 2, lua: DELIVER });
  redis.defineCommand('hcRelease', { numberOfKeys: 1, lua: RELEASE });
  redis.defineCommand('hcForget', { numberOfKeys: 1, lua: FORGET });
  return redis as Scripted;
}
