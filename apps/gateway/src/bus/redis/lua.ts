/**
 * Lua run inside Redis. Each script touches the keys of the topics it declares (one hash tag per
 * topic; on Redis Cluster one topic per call), so it is atomic and valid on Cluster. Frames are
 * built here, once, because seq and epoch are only known here; their layout is fixed
 * (`frame-header.ts` reads it back without a JSON parse) and equals
 * `JSON.stringify(BusMessage.toWire())`. A pub/sub message carries one or more frames of one
 * topic joined by a newline (JSON text never holds a raw one): see `splitFrames`.
 */

/** Shared functions, prepended to the scripts below. */
const LIB = `
local function new_epoch(nonce)
  local t = redis.call('TIME')
  return string.format('%x%06x', t[1], t[2]) .. '-' .. nonce
end

local function now_ms()
  local t = redis.call('TIME')
  return string.format('%.0f', t[1] * 1000 + math.floor(t[2] / 1000))
end

-- Epoch and last seq of a topic. A topic without meta (never published, expired, or a Redis
-- that restarted empty) gets a new epoch and an empty stream. So does a topic whose seq is
-- behind what the caller already saw in the same epoch (floor_epoch, floor_seq): this Redis
-- lost acknowledged writes (a replica promoted before it had them), and reusing those seqs
-- would hand clients different messages under numbers they already hold.
local function open_topic(meta, log, nonce, floor_epoch, floor_seq)
  local m = redis.call('HMGET', meta, 'epoch', 'seq')
  if m[1] and not (m[1] == floor_epoch and tonumber(m[2]) < tonumber(floor_seq)) then
    return m[1], tonumber(m[2])
  end
  local epoch = new_epoch(nonce)
  redis.call('DEL', log)
  redis.call('HSET', meta, 'epoch', epoch, 'seq', 0)
  return epoch, 0
end

local function frame_of(topic, seq, epoch, ts, payload)
  return '{"type":"message","topic":"' .. topic .. '","seq":' .. seq .. ',"epoch":"' ..
    epoch .. '","ts":' .. ts .. ',"payload":' .. payload .. '}'
end

-- Appends payloads[first..last] to a topic: consecutive seqs, stream entries (trimmed to the
-- history size once), latest frame and TTLs. Returns the first seq, the epoch and the frames
-- joined by newlines (one pub/sub message for them all).
local function append_all(meta, log, topic, payloads, first, last, ts, history, ttl, nonce,
                          floor_epoch, floor_seq)
  local epoch, seq = open_topic(meta, log, nonce, floor_epoch or '', floor_seq or 0)
  local frames = {}
  for i = first, last do
    seq = seq + 1
    local frame = frame_of(topic, seq, epoch, ts, payloads[i])
    redis.call('XADD', log, seq .. '-0', 'f', frame)
    frames[#frames + 1] = frame
  end
  redis.call('XTRIM', log, 'MAXLEN', history)
  redis.call('HSET', meta, 'seq', seq, 'last', frames[#frames])
  redis.call('PEXPIRE', meta, ttl)
  redis.call('PEXPIRE', log, ttl)
  return seq - #frames + 1, epoch, table.concat(frames, '\\n')
end

-- Records the topic in a pattern's index (bounded: entries older than the TTL and beyond the
-- cap are dropped whenever a new topic joins) and publishes the frame on the pattern's channel.
local function index_and_publish(index, channel, topic, ts, ttl, cap, pubcmd, frame)
  if redis.call('ZADD', index, ts, topic) == 1 then
    redis.call('ZREMRANGEBYSCORE', index, '-inf', '(' .. string.format('%.0f', tonumber(ts) - tonumber(ttl)))
    redis.call('ZREMRANGEBYRANK', index, 0, -tonumber(cap) - 1)
  end
  redis.call('PEXPIRE', index, ttl)
  redis.call(pubcmd, channel, frame)
end
`;

/**
 * Publishes a batch: one or more topics (standalone; one on Cluster), each with one or more
 * payloads, in order. Per topic: one stream trim, one meta write and one pub/sub message, however
 * many payloads it carries — the cost that made one script per publish slow.
 * A payload may carry an idempotency key (already scoped to its publisher). A key seen within
 * the window stores nothing and answers the seq it was stored as; a new one is stored with its
 * payload, in this same atomic step, under the topic's hash tag (so in the topic's slot).
 * ARGV: ts, history, ttl ms, epoch nonce, PUBLISH|SPUBLISH, index cap, return frames (1|0),
 *       idempotency window ms, then per topic: topic, its channel, its key prefix, floor epoch
 *       and seq (the latest this instance was told of, or '' and 0), v = variant count,
 *       v variant channels, n, then n pairs: key ('' for none), payload JSON.
 * KEYS: per topic: meta, log, then its v variant index keys (standalone only; v is 0 on Cluster).
 * Returns per topic, flat: epoch ('' when nothing was new), the seqs (one per payload; negative
 * for a repeat: -seq of the original)[, joined frames].
 */
export const PUBLISH_BATCH_LUA = `${LIB}
local ts, history, ttl, nonce = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local pubcmd, cap, want, window = ARGV[5], ARGV[6], ARGV[7] == '1', ARGV[8]
local out = {}
local a, k = 9, 1
while a <= #ARGV do
  local topic, channel, idem, v = ARGV[a], ARGV[a + 1], ARGV[a + 2], tonumber(ARGV[a + 5])
  local meta, log = KEYS[k], KEYS[k + 1]
  local variants = a + 6
  local n = tonumber(ARGV[variants + v])
  local first = variants + v + 1
  local epoch, seq
  local seqs, frames = {}, {}
  for i = 0, n - 1 do
    local key, payload = ARGV[first + 2 * i], ARGV[first + 2 * i + 1]
    local prior = false
    if key ~= '' then prior = redis.call('GET', idem .. key) end
    if prior then
      seqs[#seqs + 1] = -tonumber(prior)
    else
      if not epoch then epoch, seq = open_topic(meta, log, nonce, ARGV[a + 3], ARGV[a + 4]) end
      seq = seq + 1
      local frame = frame_of(topic, seq, epoch, ts, payload)
      redis.call('XADD', log, seq .. '-0', 'f', frame)
      if key ~= '' then redis.call('SET', idem .. key, seq, 'PX', window) end
      frames[#frames + 1] = frame
      seqs[#seqs + 1] = seq
    end
  end
  local joined = table.concat(frames, '\\n')
  if epoch then
    redis.call('XTRIM', log, 'MAXLEN', history)
    redis.call('HSET', meta, 'seq', seq, 'last', frames[#frames])
    redis.call('PEXPIRE', meta, ttl)
    redis.call('PEXPIRE', log, ttl)
    redis.call(pubcmd, channel, joined)
    for j = 0, v - 1 do
      index_and_publish(KEYS[k + 2 + j], ARGV[variants + j], topic, ts, ttl, cap, pubcmd, joined)
    end
  end
  out[#out + 1] = epoch or ''
  out[#out + 1] = seqs
  if want then out[#out + 1] = joined end
  a = first + 2 * n
  k = k + 2 + v
end
return out
`;

/**
 * The wildcard half of a publish on Redis Cluster, where a variant's channel and index live in
 * another slot than the topic. KEYS: index. ARGV: channel, topic, ts, ttl ms, cap, SPUBLISH, frame.
 */
export const VARIANT_LUA = `${LIB}
index_and_publish(KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7])
return 1
`;

/**
 * One consistent read of a topic: epoch, latest seq and the frames a recovery may need — the
 * last `count`, or from `since` + 1 when `sinceEpoch` is the current epoch (bounded by history).
 * KEYS: meta, log. ARGV: since ('' for none), sinceEpoch, count (>= 1), create (1|0), nonce, ttl.
 * Returns {} for an unknown topic unless `create`, which gives it an epoch (a subscriber learns
 * the epoch its later resume will be checked against), else {epoch, seq, entries}; entries is
 * either XRANGE output or, when only the latest is wanted, {frame}.
 */
export const READ_LUA = `${LIB}
local m = redis.call('HMGET', KEYS[1], 'epoch', 'seq', 'last')
local epoch = m[1]
if not epoch then
  if ARGV[4] ~= '1' then return {} end
  epoch = new_epoch(ARGV[5])
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[1], 'epoch', epoch, 'seq', 0)
  redis.call('PEXPIRE', KEYS[1], ARGV[6])
  return {epoch, 0, {}}
end
local seq = tonumber(m[2])
local from = seq - tonumber(ARGV[3]) + 1
if ARGV[1] ~= '' and ARGV[2] == epoch then
  local s = tonumber(ARGV[1]) + 1
  if s < from then from = s end
end
if from < 1 then from = 1 end
if from > seq then return {epoch, seq, {}} end
if from == seq and m[3] then return {epoch, seq, {m[3]}} end
return {epoch, seq, redis.call('XRANGE', KEYS[2], string.format('%.0f', from), '+')}
`;

/**
 * Device presence from instance leases, with the presence message published in the same step,
 * so online/offline transitions are never reordered between instances.
 * KEYS: meta, log, leases, then (standalone only) variant index keys.
 * ARGV: topic, deviceId, instance, op (join|refresh|leave|sweep), lease ms, history, ttl ms,
 *       nonce, PUBLISH|SPUBLISH, topic channel, index cap, return frame (1|0), transport ('' for
 *       a sweep: the one last stored), variant channels.
 * Redis's clock decides expiry, so instances with skewed clocks agree.
 * Returns {changed, this instance still holds a lease[, seq, epoch[, frame]]}.
 */
export const PRESENCE_LUA = `${LIB}
local leases = KEYS[3]
local instance, op = ARGV[3], ARGV[4]
local now = now_ms()
local was = redis.call('HGET', leases, '~online') == '1'
local transport = ARGV[13]
if transport ~= '' then
  redis.call('HSET', leases, '~transport', transport)
else
  transport = redis.call('HGET', leases, '~transport') or ''
end
if op == 'join' or op == 'refresh' then
  redis.call('HSET', leases, instance, string.format('%.0f', tonumber(now) + tonumber(ARGV[5])))
elseif op == 'leave' then
  redis.call('HDEL', leases, instance)
end
local all = redis.call('HGETALL', leases)
local live, mine = 0, 0
for i = 1, #all, 2 do
  local field = all[i]
  if field ~= '~online' and field ~= '~transport' then
    if tonumber(all[i + 1]) <= tonumber(now) then
      redis.call('HDEL', leases, field)
    else
      live = live + 1
      if field == instance then mine = 1 end
    end
  end
end
redis.call('PEXPIRE', leases, ARGV[7])
local online = live > 0
if online == was then return {0, mine} end
redis.call('HSET', leases, '~online', online and '1' or '0')
local tail = '}'
if transport ~= '' then tail = ',"transport":"' .. transport .. '"}' end
local payload = '{"deviceId":"' .. ARGV[2] .. '","online":' .. tostring(online) .. ',"lastSeen":' .. now .. tail
local seq, epoch, frame = append_all(KEYS[1], KEYS[2], ARGV[1], {payload}, 1, 1, now, ARGV[6], ARGV[7], ARGV[8])
redis.call(ARGV[9], ARGV[10], frame)
for i = 4, #KEYS do
  index_and_publish(KEYS[i], ARGV[i + 10], ARGV[1], now, ARGV[7], ARGV[11], ARGV[9], frame)
end
if ARGV[12] == '1' then return {1, mine, seq, epoch, frame} end
return {1, mine, seq, epoch}
`;
