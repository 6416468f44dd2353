/**
 * Lua scripts of the Redis hub. Each runs atomically, so seq stamping, backlog and publish of one
 * frame can never interleave with another instance's. Keys (prefix P, pairing key K, env E):
 *   P s:K:E  seq counter           P b:K:E  backlog (sorted set: score seq, member "<ms>|<frame>")
 *   P r:K:E  last seq sent to E    P j:K:E  join counter       P e:K  known envs (set)
 *   P p:K    presence (env → "<joinNo>:<instance>")            P i:<instance>  instance heartbeat
 *   P c:K    pub/sub channel: "f<env>\n<seq>\n<frame>" records joined by \x1e | "j<env>\n<joinNo>\n<1|0 new>" | "l<env>"
 * Counters start at the clock in ms so they keep increasing after a key expired.
 */

/**
 * Forwards a batch of frames (all those of one event-loop turn of an instance) in one call:
 * ARGV = prefix, now, maxItems, ttl, maxEnvs, then per frame: key, from, to ('' = the other envs),
 * tail, paired env ('' = none). Returns per frame the number of targets, or -1 when `to` would
 * exceed the env limit, then (one more element) the number of frames the backlog limits pushed out.
 * Backlog trims and expiries run once per key touched; the frames for one
 * channel go out in one PUBLISH, records separated by \x1e (never found in JSON text).
 */
export const FORWARD = `
local p, now, maxItems, ttl, maxEnvs = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local counts, backlogs, envSets, outbox, channels = {}, {}, {}, {}, {}
for i = 6, #ARGV, 5 do
  local key, from, to, tail, paired = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
  local envsKey = p .. 'e:' .. key
  local targets, count = {}, nil
  if to ~= '' then
    if redis.call('SISMEMBER', envsKey, to) == 0 and redis.call('SCARD', envsKey) >= maxEnvs then count = -1
    else targets[1] = to end
  else
    for _, e in ipairs(redis.call('SMEMBERS', envsKey)) do
      if e ~= from then targets[#targets + 1] = e end
    end
    if paired ~= '' and redis.call('SISMEMBER', envsKey, paired) == 0 then targets[#targets + 1] = paired end
  end
  local ch = p .. 'c:' .. key
  for _, env in ipairs(targets) do
    local sk = p .. 's:' .. key .. ':' .. env
    redis.call('SET', sk, now, 'NX')
    local seq = string.format('%d', redis.call('INCR', sk))
    local text = '{"seq":' .. seq .. ',' .. tail
    local bk = p .. 'b:' .. key .. ':' .. env
    redis.call('ZADD', bk, seq, now .. '|' .. text)
    if not backlogs[bk] then
      backlogs[bk] = sk
      redis.call('SADD', envsKey, env)
    end
    if not outbox[ch] then
      outbox[ch] = {}
      channels[#channels + 1] = ch
    end
    local box = outbox[ch]
    box[#box + 1] = 'f' .. env .. '\\n' .. seq .. '\\n' .. text
  end
  if #targets > 0 then envSets[envsKey] = true end
  counts[#counts + 1] = count or #targets
end
local trimmed = 0
for bk, sk in pairs(backlogs) do
  trimmed = trimmed + redis.call('ZREMRANGEBYRANK', bk, 0, -(maxItems + 1))
  redis.call('PEXPIRE', bk, ttl)
  redis.call('PEXPIRE', sk, ttl)
end
for envsKey in pairs(envSets) do redis.call('PEXPIRE', envsKey, ttl) end
for _, ch in ipairs(channels) do redis.call('PUBLISH', ch, table.concat(outbox[ch], '\\30')) end
counts[#counts + 1] = trimmed
return counts
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
local p, key, env, joinNo, sent, ttl, gone = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), ARGV[6], ARGV[7]
local rk = p .. 'r:' .. key .. ':' .. env
if sent > tonumber(redis.call('GET', rk) or '0') then redis.call('SET', rk, ARGV[5], 'PX', ttl) end
if gone == '1' then
  local pk = p .. 'p:' .. key
  local v = redis.call('HGET', pk, env)
  if v and string.match(v, '^(%d+):') == joinNo then
    redis.call('HDEL', pk, env)
    redis.call('PUBLISH', p .. 'c:' .. key, 'l' .. env)
  end
end
return 1
`;

export const REPLAY = `
local p, key, env, after = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local bk = p .. 'b:' .. key .. ':' .. env
if after == '' then after = redis.call('GET', p .. 'r:' .. key .. ':' .. env) or '0' end
redis.call('ZREMRANGEBYSCORE', bk, '-inf', after)
return redis.call('ZRANGEBYSCORE', bk, '(' .. after, '+inf', 'WITHSCORES')
`;
