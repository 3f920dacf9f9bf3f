/**
 * The inbox's Lua scripts. Each touches one user's keys only (KEYS.inapp* share the `{userId}` hash
 * tag), so it runs atomically on one Redis (Cluster) node. Loops call Redis per id instead of
 * `unpack()`-ing lists, which Lua limits to a few thousand values.
 */

/**
 * APPEND — KEYS: items, pending. ARGV: id, body, inboxMax, channel, wake payload.
 * Stores the body once (HSETNX: a replayed delivery is a no-op), appends its id to the pending list,
 * drops the OLDEST pending ids beyond inboxMax (with their bodies), then publishes the wake-up.
 * Returns {added (0|1), dropped}.
 */
export const APPEND_SCRIPT = `
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return {0, 0} end
local length = redis.call('RPUSH', KEYS[2], ARGV[1])
local max = tonumber(ARGV[3])
local dropped = 0
while length > max do
  local oldest = redis.call('LPOP', KEYS[2])
  redis.call('HDEL', KEYS[1], oldest)
  length = length - 1
  dropped = dropped + 1
end
redis.call('PUBLISH', ARGV[4], ARGV[5])
return {1, dropped}`;

/**
 * DRAIN — KEYS: pending, items, history, read. ARGV: historyMax.
 * Takes every pending id (oldest first) and removes them in the same step, so two gateways (or two
 * sockets of one gateway) draining at once each get a disjoint part: every message is handed out once.
 * The ids move to the head of the history (newest first), which keeps historyMax ids; bodies and read
 * flags of ids falling off its end are deleted. Returns the bodies, oldest first.
 */
export const DRAIN_SCRIPT = `
local ids = redis.call('LRANGE', KEYS[1], 0, -1)
if #ids == 0 then return {} end
redis.call('DEL', KEYS[1])
local bodies = {}
for i = 1, #ids do
  bodies[i] = redis.call('HGET', KEYS[2], ids[i])
  redis.call('LPUSH', KEYS[3], ids[i])
end
local max = tonumber(ARGV[1])
local length = redis.call('LLEN', KEYS[3])
while length > max do
  local old = redis.call('RPOP', KEYS[3])
  redis.call('HDEL', KEYS[2], old)
  redis.call('HDEL', KEYS[4], old)
  length = length - 1
end
return bodies`;

/**
 * REQUEUE — KEYS: pending, history, items. ARGV: ids, oldest first.
 * Undoes a drain whose messages reached no socket (the user's sockets closed meanwhile): each id still
 * stored leaves the history and goes back to the FRONT of the pending list, in its original order, so
 * the next connect gets it first. Returns how many went back.
 */
export const REQUEUE_SCRIPT = `
local back = 0
for i = #ARGV, 1, -1 do
  if redis.call('HEXISTS', KEYS[3], ARGV[i]) == 1 then
    redis.call('LREM', KEYS[2], 1, ARGV[i])
    redis.call('LPUSH', KEYS[1], ARGV[i])
    back = back + 1
  end
end
return back`;

/**
 * MARK_READ — KEYS: items, read. ARGV: id, now.
 * Flags a stored message read (the first time wins, so readAt does not move). Returns 1, or 0 when the
 * user has no such message (another user's id, or one already dropped).
 */
export const MARK_READ_SCRIPT = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2])
return 1`;

/**
 * HISTORY — KEYS: history, items, read. ARGV: limit.
 * The newest `limit` delivered messages: {bodies, readAt flags} in the same order (false when unread).
 */
export const HISTORY_SCRIPT = `
local ids = redis.call('LRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)
local bodies = {}
local reads = {}
for i = 1, #ids do
  bodies[i] = redis.call('HGET', KEYS[2], ids[i])
  reads[i] = redis.call('HGET', KEYS[3], ids[i])
end
return {bodies, reads}`;
