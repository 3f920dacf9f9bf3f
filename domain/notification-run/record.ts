/**
 * Writes of the notification run record (notificationRunKeys().run): created once when a request is first
 * consumed, moved along its lifecycle by the fan-out, the scheduler and a cancellation. Every write is
 * one Lua script, so a replayed request or two processes racing cannot leave the hash and its indexes
 * (the time index, the per-status indexes, the parent's occurrences, the active set) disagreeing. On a
 * Redis Cluster those keys share the `{notifications}` slot (platform/redis/keys.ts), so the scripts run there too.
 */
import type { ChainableCommander } from 'ioredis';
import type { Redis } from '../../platform/redis/client';
import { notificationRunKeys, type NotificationRunKeys } from '../../platform/redis/keys';
import type { NotificationRequested } from '../../schemas/types';
import { STAMP_FIELD, TRANSITIONS, fanoutFieldsOf, parentOfOccurrence, runFieldsOf, type FanoutTally } from './model';

const STATUS_ORDER = ['scheduled', 'running', 'finished', 'cancelled'] as const;

/**
 * KEYS: run hash, list index (time index, or the parent's occurrences), status:scheduled index, active set.
 * ARGV: id, createdAt, '1' for an occurrence (kept out of the top-level indexes), then field/value pairs.
 */
const CREATE_ONCE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 4))
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
if ARGV[3] == '0' then redis.call('ZADD', KEYS[3], ARGV[2], ARGV[1]) end
redis.call('SADD', KEYS[4], ARGV[1])
return 1`;

/**
 * KEYS: run hash, the four status indexes (scheduled, running, finished, cancelled), active set.
 * ARGV: id, target status, now, allowed current statuses (space-separated), stamp field.
 */
const TRANSITION = `
local current = redis.call('HGET', KEYS[1], 'status')
if not current then return 0 end
local allowed = false
for s in string.gmatch(ARGV[4], '%S+') do if s == current then allowed = true end end
if not allowed then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[2])
redis.call('HSETNX', KEYS[1], ARGV[5], ARGV[3])
local parent = redis.call('HGET', KEYS[1], 'parentId')
if (not parent) or parent == '' then
  local createdAt = redis.call('HGET', KEYS[1], 'createdAt')
  local statuses = {'scheduled', 'running', 'finished', 'cancelled'}
  for i, s in ipairs(statuses) do
    if s == current then redis.call('ZREM', KEYS[i + 1], ARGV[1]) end
    if s == ARGV[2] then redis.call('ZADD', KEYS[i + 1], createdAt, ARGV[1]) end
  end
end
if ARGV[2] == 'finished' or ARGV[2] == 'cancelled' then redis.call('SREM', KEYS[6], ARGV[1]) end
return 1`;

type Target = keyof typeof TRANSITIONS;

/**
 * Queues one status move on a pipeline or MULTI of `keysOf`'s Redis (notificationRunKeys); it does nothing
 * unless the current status allows it.
 */
export function queueTransition(commands: ChainableCommander, keysOf: NotificationRunKeys, id: string, to: Target, now: number): ChainableCommander {
  const keys = [keysOf.run(id), ...STATUS_ORDER.map(keysOf.runsByStatus), keysOf.active];
  return commands.eval(TRANSITION, keys.length, ...keys, id, to, now, TRANSITIONS[to].join(' '), STAMP_FIELD[to]);
}

/** Moves one run; true when it moved (false: unknown, or already past that status). */
export async function transitionRun(redis: Redis, id: string, to: Target, now: number): Promise<boolean> {
  const [[error, moved] = [null, 0]] = (await queueTransition(redis.pipeline(), notificationRunKeys(redis), id, to, now).exec()) ?? [];
  if (error) throw error;
  return moved === 1;
}

/**
 * Records a request the first time it is seen (status scheduled) and nothing on a replay. An occurrence
 * of a recurring request (`<parent>@<fireAt>`) whose parent has a record is listed under it.
 */
export async function recordRequest(redis: Redis, request: NotificationRequested): Promise<{ parentId: string | null }> {
  const keysOf = notificationRunKeys(redis);
  const occurrence = parentOfOccurrence(request.requestId);
  const parentRecurrence = occurrence ? await redis.hget(keysOf.run(occurrence.parentId), 'recurrence') : null;
  const parentId = occurrence && parentRecurrence ? occurrence.parentId : null;
  const listKey = parentId ? keysOf.occurrences(parentId) : keysOf.runs;
  const keys = [keysOf.run(request.requestId), listKey, keysOf.runsByStatus('scheduled'), keysOf.active];
  const fields = Object.entries(runFieldsOf(request, parentId)).flat();
  // One MULTI: the parent's start and the occurrence's listing apply together, so no reader sees an
  // occurrence under a parent that still reads scheduled (a pipeline let one slip between them).
  const write = redis.multi();
  if (parentId) queueTransition(write, keysOf, parentId, 'running', request.occurredAt);
  write.eval(CREATE_ONCE, keys.length, ...keys, request.requestId, request.occurredAt, parentId ? '1' : '0', ...fields);
  for (const [error] of (await write.exec()) ?? []) if (error) throw error;
  return { parentId };
}

/**
 * The fan-out's start: the record exists, and unless the request waits for its notBefore it is
 * `running` (an occurrence's parent too). A request that waits stays `scheduled`; the scheduler moves it.
 */
export async function startRun(redis: Redis, request: NotificationRequested, now: number): Promise<void> {
  await recordRequest(redis, request);
  if (request.notBefore !== null && request.notBefore > now) return;
  await transitionRun(redis, request.requestId, 'running', now);
}

/** The fan-out paged every recipient: the record knows how many deliveries to wait for. */
export async function recordFanout(redis: Redis, requestId: string, tally: FanoutTally): Promise<void> {
  await redis.hset(notificationRunKeys(redis).run(requestId), fanoutFieldsOf(tally));
}
