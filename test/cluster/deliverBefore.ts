/**
 * DELIVER as it was before 2026-12-07 (server/cluster/scripts.ts at 6d8e4da, word for word, its COUNTS with it): the
 * reference deliverHoldings.test.ts runs the DELIVER of today against, on the same states of the keys.
 */
const COUNTS_BEFORE = `
local function field(fields, name)
  for i = 1, #fields, 2 do if fields[i] == name then return fields[i + 1] end end
  return nil
end
local function pair(text)
  if not text then return 0, 0 end
  local n, b = string.match(text, '^(%d+) (%d+)$')
  return tonumber(n) or 0, tonumber(b) or 0
end
-- Deletes entry id of stream inbox (of user, counted in counts), and its counts: a parked entry (in the
-- set parked: see PARK) left the user's own counts already, not its sender's.
local function remove(inbox, counts, parked, senders, user, id, fields)
  if redis.call('XDEL', inbox, id) == 0 then return end
  local from = field(fields, 'f')
  if not from then return end
  local bytes = tonumber(field(fields, 'b') or '0')
  local got = redis.call('HMGET', counts, 'n', 'b', 's:' .. from)
  local n, b = tonumber(got[1]) or 0, tonumber(got[2]) or 0
  if redis.call('SREM', parked, id) == 0 then n, b = math.max(0, n - 1), math.max(0, b - bytes) end
  local pn, pb = pair(got[3])
  -- Kept when it reaches nothing, as the emptied stream is (one TTL for both, set once a minute at most).
  if pn <= 1 then
    redis.call('HSET', counts, 'n', n, 'b', b)
    redis.call('HDEL', counts, 's:' .. from)
  else
    redis.call('HSET', counts, 'n', n, 'b', b, 's:' .. from, (pn - 1) .. ' ' .. (pb - bytes))
  end
  if redis.call('ZREM', senders .. 's:' .. from, id .. ' ' .. bytes .. ' ' .. user) == 1 then
    redis.call('DECRBY', senders .. 'b:' .. from, bytes)
  end
end
-- A sender's copies that expired (up to 256 a step) leave its set and its bytes.
local function purgeSender(zs, zb, now)
  local gone = redis.call('ZRANGEBYSCORE', zs, '-inf', now, 'LIMIT', 0, 256)
  if #gone == 0 then return end
  local freed = 0
  for _, member in ipairs(gone) do freed = freed + tonumber(string.match(member, '^%S+ (%d+) ')) end
  redis.call('ZREM', zs, unpack(gone))
  redis.call('DECRBY', zb, freed)
end
-- A key (and its companions, whose life it sets) lives at least ms more; a minute beyond, so that a key
-- in steady use is extended once a minute, not at every step.
local function keepFor(key, ms, companion, another)
  if redis.call('PTTL', key) < ms then
    redis.call('PEXPIRE', key, ms + 60000)
    redis.call('PEXPIRE', companion, ms + 60000)
    if another then redis.call('PEXPIRE', another, ms + 60000) end
  end
end
`;

export const DELIVER_BEFORE = `${COUNTS_BEFORE}
local inbox, counts, senders, user, now = KEYS[1], KEYS[3], ARGV[5], ARGV[3], tonumber(ARGV[4])
local cap = {}
for i = 6, 11 do cap[#cap + 1] = tonumber(ARGV[i]) end
for _, e in ipairs(redis.call('XRANGE', inbox, '-', '+', 'COUNT', 16)) do
  local expires = field(e[2], 'e')
  if not expires or tonumber(expires) > now then break end
  remove(inbox, counts, KEYS[4], senders, user, e[1], e[2])
end
local got = redis.call('HMGET', counts, 'n', 'b')
local n, b = tonumber(got[1]) or 0, tonumber(got[2]) or 0
-- Per sender in this call: its share of this stream and its copies in every stream (expired ones purged first).
local seen, order = {}, {}
local function sender(from)
  local s = seen[from]
  if s then return s end
  local zs, zb = senders .. 's:' .. from, senders .. 'b:' .. from
  purgeSender(zs, zb, now)
  local pn, pb = pair(redis.call('HGET', counts, 's:' .. from))
  s = {from = from, zs = zs, zb = zb, pn = pn, pb = pb, sn = redis.call('ZCOUNT', zs, '(' .. now, '+inf'), sb = tonumber(redis.call('GET', zb) or '0'), life = 0}
  seen[from] = s
  return s
end
local ids, copies, flags, blocked, full, parkedNow = {}, {}, {}, {}, false, false
for i = 12, #ARGV, 4 do
  local m, from, bytes, expires = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2]), tonumber(ARGV[i + 3])
  local ok = 0
  if not full and not blocked[from] then
    local s = sender(from)
    -- Past its share of this user (its node had not learned it yet: a burst, a node it just logged in on),
    -- up to one share more: parked at once, out of the user's count (see PARK), so that it never waits on
    -- its node counted in the user's backlog there. Beyond that, or past its total: refused.
    local over = s.pn >= cap[3] or s.pb + bytes > cap[4]
    if s.sn >= cap[5] or s.sb + bytes > cap[6] or s.pn >= 2 * cap[3] or s.pb + bytes > 2 * cap[4] then
      blocked[from] = true
    elseif not over and (n >= cap[1] or b + bytes > cap[2]) then
      full = true
    else
      local id = redis.call('XADD', inbox, '*', 'm', m, 'f', from, 'b', bytes, 'e', expires)
      if over then
        redis.call('SADD', KEYS[4], id)
        parkedNow = true
      else
        n, b = n + 1, b + bytes
      end
      s.pn, s.pb, s.sn, s.sb = s.pn + 1, s.pb + bytes, s.sn + 1, s.sb + bytes
      redis.call('ZADD', s.zs, expires, id .. ' ' .. bytes .. ' ' .. user)
      if s.life == 0 then order[#order + 1] = s end
      s.life = math.max(s.life, expires - now)
      ids[#ids + 1] = id
      copies[#copies + 1] = m
      ok = 1
    end
  end
  flags[#flags + 1] = ok
end
if #ids > 0 then
  local set = {'n', n, 'b', b}
  for _, s in ipairs(order) do
    set[#set + 1] = 's:' .. s.from
    set[#set + 1] = s.pn .. ' ' .. s.pb
    redis.call('SET', s.zb, s.sb, 'KEEPTTL')
    keepFor(s.zs, s.life, s.zb)
  end
  redis.call('HSET', counts, unpack(set))
  keepFor(counts, tonumber(ARGV[1]), inbox, KEYS[4])
  -- A parked set made in this step lives as long as the counts (keepFor extends them together from then on).
  if parkedNow and redis.call('PTTL', KEYS[4]) == -1 then redis.call('PEXPIRE', KEYS[4], redis.call('PTTL', counts)) end
  local node = redis.call('HGET', KEYS[2], 'node')
  if node then redis.call('PUBLISH', ARGV[2] .. node, cjson.encode({t = 'mail', user = user, ids = ids, m = copies})) end
end
flags[#flags + 1] = full and 1 or 0
for from, s in pairs(seen) do
  flags[#flags + 1] = from
  flags[#flags + 1] = s.sn
  flags[#flags + 1] = s.sb
  flags[#flags + 1] = s.pn
  flags[#flags + 1] = s.pb
end
return flags`;
