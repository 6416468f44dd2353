/**
 * Lua scripts of the Redis hub. Each runs atomically, so seq stamping, backlog and publish of one
 * frame can never interleave with another instance's. Keys (prefix P, pairing key K, env E):
 *   P s:K:E  seq counter           P b:K:E  backlog (sorted set: score seq,
 *                                    member "<ms>|<from>|<id length>|<id><frame>", id '' when none)
 *   P j:K:E  join counter          P e:K  known envs (set)
 *   P p:K    presence (env → "<joinNo>:<instance>")            P i:<instance>  instance heartbeat
 *   P c:K    pub/sub channel of a key: "j<env>\n<joinNo>\n<1|0 new>" | "l<env>" (presence, replacement)
 *   P d:<instance>  pub/sub channel of an instance: the frames for the envs it holds (presence says
 *            which), "f<env>\n<seq>\n<key as JSON>\n<frame>" records joined by \x1e
 * Seq counters start at the clock in µs (hub.ts seqBase) so they keep increasing after a key expired.
 * A member's origin (sender env, message id) turns a confirmation into a `delivered` notice and a
 * trim into a loss report (receipts.ts).
 */

import { IDS_PER_NOTICE } from './receipts';

/**
 * Lua helpers: origin and frame of a backlog member; parseOrigin reads only the head (sender env
 * and id), without copying the frame text (confirmations and trims need no more).
 */
const ROUTES = `
local function routesOf(routes, p, key)
  local r = routes[key]
  if not r then
    r = { keyJson = cjson.encode(key), to = {} }
    local all = redis.call('HGETALL', p .. 'p:' .. key)
    for i = 1, #all, 2 do r.to[all[i]] = p .. 'd:' .. string.match(all[i + 1], ':(.*)$') end
    routes[key] = r
  end
  return r
end
local function addRecord(outbox, channels, ch, record)
  local box = outbox[ch]
  if not box then
    box = {}
    outbox[ch] = box
    channels[#channels + 1] = ch
  end
  box[#box + 1] = record
end
local function publishAll(outbox, channels)
  for _, ch in ipairs(channels) do redis.call('PUBLISH', ch, table.concat(outbox[ch], '\\30')) end
end
`;

const PARSE_MEMBER = ROUTES + `
local function parseMember(m)
  local ms, from, len, rest = string.match(m, '^(%d+)|([^|]*)|(%d+)|(.*)$')
  len = tonumber(len)
  return tonumber(ms), from, string.sub(rest, 1, len), string.sub(rest, len + 1)
end
local function parseOrigin(m)
  local from, len, at = string.match(m, '^%d+|([^|]*)|(%d+)|()')
  return from, string.sub(m, at, at + tonumber(len) - 1)
end
`;

/**
 * Forwards a batch of frames (all those of one event-loop turn of an instance) in one call:
 * ARGV = prefix, now, maxItems, ttl, maxEnvs, seqBase, then per frame: key, from, to ('' = the
 * other envs), tail, paired env ('' = none), message id ('' = none). Returns { counts, lost }:
 * per frame the number of targets (-1 when `to` would exceed the env limit), and per frame the
 * backlog limit pushed out, flat: target key, target env, sender env, id. Per key and per target
 * the work is done once per call, not once per frame: the env set is read once, each seq counter
 * is read once and written back once (with its TTL), each backlog gets one ZADD with all of its
 * frames, one trim and one expiry; the frames for one channel go out in one PUBLISH, records
 * separated by \x1e (never found in JSON text).
 */
export const FORWARD = PARSE_MEMBER + `
local p, now, maxItems, ttl, maxEnvs, seqBase = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6]
local counts, lost, envSets, envKeys, targetsOf, outbox, channels, routes = {}, {}, {}, {}, {}, {}, {}, {}
local function envsOf(envsKey)
  local e = envSets[envsKey]
  if not e then
    e = { list = redis.call('SMEMBERS', envsKey), has = {}, touched = false }
    for _, env in ipairs(e.list) do e.has[env] = true end
    envSets[envsKey] = e
    envKeys[#envKeys + 1] = envsKey
  end
  return e
end
local function target(key, env, e, envsKey)
  local bk = p .. 'b:' .. key .. ':' .. env
  local t = targetsOf[bk]
  if not t then
    local sk = p .. 's:' .. key .. ':' .. env
    t = { bk = bk, sk = sk, key = key, env = env, seq = tonumber(redis.call('GET', sk) or seqBase), zadd = {} }
    targetsOf[bk] = t
    targetsOf[#targetsOf + 1] = t
    if not e.has[env] then
      e.has[env] = true
      e.list[#e.list + 1] = env
      redis.call('SADD', envsKey, env)
    end
  end
  return t
end
for i = 7, #ARGV, 6 do
  local key, from, to, tail, paired, id = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4], ARGV[i + 5]
  local envsKey = p .. 'e:' .. key
  local e = envsOf(envsKey)
  local targets, count = {}, nil
  if to ~= '' then
    if not e.has[to] and #e.list >= maxEnvs then count = -1
    else targets[1] = to end
  else
    for _, env in ipairs(e.list) do
      if env ~= from then targets[#targets + 1] = env end
    end
    if paired ~= '' and not e.has[paired] then targets[#targets + 1] = paired end
  end
  local r = #targets > 0 and routesOf(routes, p, key)
  for _, env in ipairs(targets) do
    local t = target(key, env, e, envsKey)
    t.seq = t.seq + 1
    local seq = string.format('%d', t.seq)
    local text = '{"seq":' .. seq .. ',' .. tail
    t.zadd[#t.zadd + 1] = seq
    t.zadd[#t.zadd + 1] = now .. '|' .. from .. '|' .. #id .. '|' .. id .. text
    local ch = r.to[env]
    if ch then addRecord(outbox, channels, ch, 'f' .. env .. '\\n' .. seq .. '\\n' .. r.keyJson .. '\\n' .. text) end
  end
  if #targets > 0 then e.touched = true end
  counts[#counts + 1] = count or #targets
end
for _, t in ipairs(targetsOf) do
  redis.call('SET', t.sk, string.format('%d', t.seq), 'PX', ttl)
  redis.call('ZADD', t.bk, unpack(t.zadd))
  if redis.call('ZCARD', t.bk) > maxItems then
    for _, m in ipairs(redis.call('ZRANGE', t.bk, 0, -(maxItems + 1))) do
      local from, id = parseOrigin(m)
      lost[#lost + 1] = t.key
      lost[#lost + 1] = t.env
      lost[#lost + 1] = from
      lost[#lost + 1] = id
    end
    redis.call('ZREMRANGEBYRANK', t.bk, 0, -(maxItems + 1))
  end
  redis.call('PEXPIRE', t.bk, ttl)
end
for _, envsKey in ipairs(envKeys) do
  if envSets[envsKey].touched then redis.call('PEXPIRE', envsKey, ttl) end
end
publishAll(outbox, channels)
return { counts, lost }
`;

/**
 * Lua helper: removes the frames of key+env with seq <= upTo (confirmed by the client) and, in the
 * same atomic call, stamps, stores and publishes one `delivered` notice per sender env (a relay
 * killed right after cannot lose the notices of frames it already removed). Returns how many
 * reliable messages it confirmed.
 */
const CONFIRM_UP_TO = PARSE_MEMBER + `
local function confirmUpTo(p, key, env, upTo, now, ttl, seqBase, routes, outbox, channels)
  local bk = p .. 'b:' .. key .. ':' .. env
  local bySender, senders, confirmed = {}, {}, 0
  for _, m in ipairs(redis.call('ZRANGEBYSCORE', bk, '-inf', upTo)) do
    local from, id = parseOrigin(m)
    if id ~= '' then
      if not bySender[from] then
        bySender[from] = {}
        senders[#senders + 1] = from
      end
      local ids = bySender[from]
      ids[#ids + 1] = id
      confirmed = confirmed + 1
    end
  end
  redis.call('ZREMRANGEBYSCORE', bk, '-inf', upTo)
  for _, sender in ipairs(senders) do
    local ids = bySender[sender]
    for first = 1, #ids, ${IDS_PER_NOTICE} do
      local chunk = {}
      for i = first, math.min(first + ${IDS_PER_NOTICE} - 1, #ids) do chunk[#chunk + 1] = ids[i] end
      local tail = '"from":' .. cjson.encode(env) .. ',"type":"delivered","ids":' .. cjson.encode(chunk) .. '}'
      local sk = p .. 's:' .. key .. ':' .. sender
      redis.call('SET', sk, seqBase, 'NX')
      local seq = string.format('%d', redis.call('INCR', sk))
      local text = '{"seq":' .. seq .. ',' .. tail
      local sbk = p .. 'b:' .. key .. ':' .. sender
      redis.call('ZADD', sbk, seq, now .. '|' .. env .. '|0|' .. text)
      redis.call('PEXPIRE', sbk, ttl)
      redis.call('PEXPIRE', sk, ttl)
      local r = routesOf(routes, p, key)
      local ch = r.to[sender]
      if ch then addRecord(outbox, channels, ch, 'f' .. sender .. '\\n' .. seq .. '\\n' .. r.keyJson .. '\\n' .. text) end
    end
  end
  return confirmed
end
`;

/**
 * Confirms every key+env of one turn up to its lastSeq. ARGV: prefix, now, ttl, seqBase, then per
 * confirmation: key, env, lastSeq. Returns the count of reliable messages confirmed.
 */
export const CONFIRM = CONFIRM_UP_TO + `
local p, now, ttl, seqBase, confirmed = ARGV[1], ARGV[2], ARGV[3], ARGV[4], 0
local routes, outbox, channels = {}, {}, {}
for i = 5, #ARGV, 3 do
  confirmed = confirmed + confirmUpTo(p, ARGV[i], ARGV[i + 1], ARGV[i + 2], now, ttl, seqBase, routes, outbox, channels)
end
publishAll(outbox, channels)
return confirmed
`;

export const JOIN = `
local p, key, env, inst, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local ttl, pttl = tonumber(ARGV[6]), tonumber(ARGV[7])
local pk = p .. 'p:' .. key
local jk = p .. 'j:' .. key .. ':' .. env
if redis.call('EXISTS', jk) == 0 then redis.call('SET', jk, now) end
local joinNo = string.format('%d', redis.call('INCR', jk))
redis.call('PEXPIRE', jk, ttl)
local isNew = '1'
local prev = redis.call('HGET', pk, env)
if prev and redis.call('EXISTS', p .. 'i:' .. string.match(prev, ':(.*)$')) == 1 then isNew = '0' end
redis.call('HSET', pk, env, joinNo .. ':' .. inst)
redis.call('PEXPIRE', pk, pttl)
redis.call('SADD', p .. 'e:' .. key, env)
redis.call('PEXPIRE', p .. 'e:' .. key, ttl)
local peers = {}
local all = redis.call('HGETALL', pk)
for i = 1, #all, 2 do
  local e, v = all[i], all[i + 1]
  if e ~= env then
    if redis.call('EXISTS', p .. 'i:' .. string.match(v, ':(.*)$')) == 1 then peers[#peers + 1] = e
    else redis.call('HDEL', pk, e) end
  end
end
redis.call('PUBLISH', p .. 'c:' .. key, 'j' .. env .. '\\n' .. joinNo .. '\\n' .. isNew)
return { joinNo, peers }
`;

export const LEAVE = `
local p, key, env, joinNo = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local pk = p .. 'p:' .. key
local v = redis.call('HGET', pk, env)
if v and string.match(v, '^(%d+):') == joinNo then
  redis.call('HDEL', pk, env)
  redis.call('PUBLISH', p .. 'c:' .. key, 'l' .. env)
end
return 1
`;

/**
 * The frames after `after`, oldest first, as
 * { confirmed count, frames (seq, text flat), expired (sender, id flat), expired count }.
 * Frames at or below `after` are confirmed (notices sent, see confirmUpTo); frames older than the
 * TTL are removed as lost. `after` '' (no resume): nothing is confirmed and every frame held goes
 * again (written to a socket is not read). ARGV: prefix, key, env, after, oldest ms kept, now, ttl, seqBase.
 */
export const REPLAY = CONFIRM_UP_TO + `
local p, key, env, after, oldest = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
local bk = p .. 'b:' .. key .. ':' .. env
local confirmed = 0
if after == '' then after = '0'
else
  local outbox, channels = {}, {}
  confirmed = confirmUpTo(p, key, env, after, ARGV[6], ARGV[7], ARGV[8], {}, outbox, channels)
  publishAll(outbox, channels)
end
local frames, expired, expiredCount = {}, {}, 0
local flat = redis.call('ZRANGEBYSCORE', bk, '(' .. after, '+inf', 'WITHSCORES')
for i = 1, #flat, 2 do
  local ms, from, id, text = parseMember(flat[i])
  if ms <= oldest then
    expiredCount = expiredCount + 1
    redis.call('ZREM', bk, flat[i])
    if id ~= '' then
      expired[#expired + 1] = from
      expired[#expired + 1] = id
    end
  else
    frames[#frames + 1] = flat[i + 1]
    frames[#frames + 1] = text
  end
end
return { confirmed, frames, expired, expiredCount }
`;
