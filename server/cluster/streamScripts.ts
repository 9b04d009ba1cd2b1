/**
 * The Lua steps of the users' streams (`mailbox.ts`): a node's copies moved in (DELIVER), taken in (TAKEN), parked
 * (PARK), and what a sender holds (HELD, STREAM_SHARE), each counted as one node's store counts its copies. The
 * commands they run are most of what a message costs Redis (`test/cluster/commandsPerSetup.test.ts` pins them).
 */
// What a user's stream holds is counted as the store counts it on one node (`mail.ts`, `senders.ts`):
// per recipient (`P:q:<user>`: n and b, and per sender `s:<from>` = "count bytes"; it lives as long as
// the stream) and per sender in every stream (`P:o:s:<from>`, a sorted set of `<id> <bytes> <user>` by
// expiry, and `P:o:b:<from>`, their bytes). An entry leaves the counts in the step that deletes it
// (taken in, or expired at the stream's head), and a sender's expired entries stop counting at
// their expiry: the counts are those of the streams, whatever a node did or failed to do.
const COUNTS = `
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

// The copies go into the stream as far as the quotas allow and, in the same step, to the user's node
// (which takes them in from the message without reading the stream back: one round trip from sender to
// recipient). A copy past its sender's share of the user (up to one share more) goes in parked. A copy
// refused stays on the sending node, and so do the later copies of its sender in this call (their order
// holds); once the recipient's own cap is reached, every later copy that would count in it. Answers a flag
// (1 moved, 0 refused) per copy, one more: 1 when the recipient's cap was reached, then what each sender
// of these copies holds in every stream and in this one now (sender, copies, bytes, copies here, bytes
// here), for its node's quotas.
export const DELIVER = `${COUNTS}
local inbox, counts, senders, user, now = KEYS[1], KEYS[3], ARGV[5], ARGV[3], tonumber(ARGV[4])
local cap = {}
for i = 6, 11 do cap[#cap + 1] = tonumber(ARGV[i]) end
for _, e in ipairs(redis.call('XRANGE', inbox, '-', '+', 'COUNT', 16)) do
  local expires = field(e[2], 'e')
  if not expires or tonumber(expires) > now then break end
  remove(inbox, counts, KEYS[4], senders, user, e[1], e[2])
end
-- The user's counts and each sender's share of them, in one read (the senders of this call's copies).
local fields, shareAt = {'n', 'b'}, {}
for i = 13, #ARGV, 4 do
  if not shareAt[ARGV[i]] then
    fields[#fields + 1] = 's:' .. ARGV[i]
    shareAt[ARGV[i]] = #fields
  end
end
local got = redis.call('HMGET', counts, unpack(fields))
local n, b = tonumber(got[1]) or 0, tonumber(got[2]) or 0
-- What a sender holds in every stream now (copies, bytes), its expired copies out first, and whether its set is empty
-- now (no copy of it anywhere). A sender seldom holds more than a few: its set read whole (up to 16 members) answers
-- all three, and an empty one holds no bytes (the set and its bytes change together, in the same steps), so the set's
-- count and, when nothing expired, its bytes are not asked for apart. Past 16, as HELD does.
local function holdings(zs, zb)
  local head = redis.call('ZRANGE', zs, 0, 16, 'WITHSCORES')
  if #head == 0 then return 0, 0, true end
  if #head > 32 then
    purgeSender(zs, zb, now)
    return redis.call('ZCOUNT', zs, '(' .. now, '+inf'), tonumber(redis.call('GET', zb) or '0'), false
  end
  local gone, freed, live = {}, 0, 0
  for i = 1, #head, 2 do
    if tonumber(head[i + 1]) <= now then
      gone[#gone + 1] = head[i]
      freed = freed + tonumber(string.match(head[i], '^%S+ (%d+) '))
    else
      live = live + 1
    end
  end
  if #gone == 0 then return live, tonumber(redis.call('GET', zb) or '0'), false end
  redis.call('ZREM', zs, unpack(gone))
  return live, redis.call('DECRBY', zb, freed), live == 0
end
-- Per sender in this call: its share of this stream and its copies in every stream.
local seen, order = {}, {}
local function sender(from)
  local s = seen[from]
  if s then return s end
  local zs, zb = senders .. 's:' .. from, senders .. 'b:' .. from
  local pn, pb = pair(got[shareAt[from]])
  local sn, sb, empty = holdings(zs, zb)
  s = {from = from, zs = zs, zb = zb, pn = pn, pb = pb, sn = sn, sb = sb, empty = empty, life = 0}
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
    -- The set and its bytes live at least as long as its copies, a minute beyond (as keepFor): a set that was empty
    -- (made again by this step's ZADD) is given its life without asking for the one it had.
    if s.empty or redis.call('PTTL', s.zs) < s.life then
      redis.call('SET', s.zb, s.sb, 'PX', s.life + 60000)
      redis.call('PEXPIRE', s.zs, s.life + 60000)
    else
      redis.call('SET', s.zb, s.sb, 'KEEPTTL')
    end
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

// Entries of a user's stream taken in by its node: deleted, and their counts with them (an id deleted
// already counts nothing).
export const TAKEN = `${COUNTS}
for i = 3, #ARGV do
  local e = redis.call('XRANGE', KEYS[1], ARGV[i], ARGV[i])[1]
  if e then remove(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2], e[1], e[2]) end
end
return 1`;

// Entries of a user's stream that the node holding the user refused for their senders' sake (a sender's
// share of the user there, or its total there, is full): parked, they leave the user's own counts (the
// cap DELIVER holds other senders to) and keep counting as their senders' (their share of the user,
// their copies in every stream), until they are taken in or expire. Without this, senders whose totals
// were full on the user's node filled his stream with copies his node refused, and every other
// sender's copy to him waited. An entry parked already, or gone, changes nothing.
export const PARK = `
local n, b = 0, 0
for i = 1, #ARGV do
  local e = redis.call('XRANGE', KEYS[1], ARGV[i], ARGV[i])[1]
  if e and redis.call('SADD', KEYS[3], e[1]) == 1 then
    for j = 1, #e[2], 2 do if e[2][j] == 'b' then b = b + tonumber(e[2][j + 1]) end end
    n = n + 1
  end
end
if n > 0 then
  local got = redis.call('HMGET', KEYS[2], 'n', 'b')
  redis.call('HSET', KEYS[2], 'n', math.max(0, (tonumber(got[1]) or 0) - n), 'b', math.max(0, (tonumber(got[2]) or 0) - b))
  -- As long as the counts it corrects live (DELIVER extends the three together).
  local ttl = redis.call('PTTL', KEYS[2])
  if ttl > 0 then redis.call('PEXPIRE', KEYS[3], ttl) end
end
return n`;

// What a sender holds in every stream now (its copies, their bytes), its expired copies purged first.
export const HELD = `${COUNTS}
local now = tonumber(ARGV[1])
purgeSender(KEYS[1], KEYS[2], now)
return {redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf'), tonumber(redis.call('GET', KEYS[2]) or '0')}`;

// What a sender holds in one user's stream now (its share of the user: "copies bytes"), the stream's
// expired head purged first (16 entries at most, with their payloads: as DELIVER does).
export const STREAM_SHARE = `${COUNTS}
local now = tonumber(ARGV[3])
for _, e in ipairs(redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 16)) do
  local expires = field(e[2], 'e')
  if not expires or tonumber(expires) > now then break end
  remove(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2], e[1], e[2])
end
return redis.call('HGET', KEYS[2], 's:' .. ARGV[4]) or '0 0'`;
