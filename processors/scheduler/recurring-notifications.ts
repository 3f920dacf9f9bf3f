import type { TypedProducer } from '../../platform/kafka';
import type { Redis } from '../../platform/redis/client';
import { getMany } from '../../platform/redis/get-many';
import { KEYS } from '../../platform/redis/keys';
import { transitionRun } from '../../domain/notification-run/record';
import { TOPICS } from '../../platform/topics';
import type { NotificationRequested } from '../../schemas/types';
import { nextFireTime, occurrenceOf } from '../../domain/recurrence';

const CANCELLED = 'cancelled';
const CANCELLED_TTL_SECONDS = 30 * 24 * 3600;

/**
 * Registers a recurring request once: a replay of the same request finds it registered (or cancelled)
 * and changes nothing. Its definition and next fire time live in Redis, so they outlive every process.
 */
export async function registerRecurring(redis: Redis, request: NotificationRequested, now: number): Promise<boolean> {
  if (!request.recurrence) return false;
  const next = nextFireTime(request.recurrence, Math.max(now, request.notBefore ?? now), request.expiresAt);
  if (next === null) return false;
  const created = await redis.set(KEYS.recurring(request.requestId), JSON.stringify(request), 'NX');
  if (created !== 'OK') return false;
  await redis.zadd(KEYS.recurringSchedule, next, request.requestId);
  return true;
}

/**
 * Stops a recurring request; true when it was scheduled. Two steps, the definition first (its key and the
 * schedule are in different slots on a Redis Cluster): a tick between them, or after a crash between them,
 * finds the definition cancelled and drops the schedule entry itself.
 */
export async function cancelRecurring(redis: Redis, requestId: string): Promise<boolean> {
  await redis.set(KEYS.recurring(requestId), CANCELLED, 'EX', CANCELLED_TTL_SECONDS);
  return (await redis.zrem(KEYS.recurringSchedule, requestId)) === 1;
}

/** Recurring requests as the API cancels them: cancel(id) stops further occurrences; false when none was scheduled. */
export interface RecurringNotifications {
  cancel(requestId: string): Promise<boolean>;
}

/** No further occurrences, and the history shows the request cancelled (occurrences already fired run on). */
export function createRecurringNotifications(redis: Redis, now: () => number = Date.now): RecurringNotifications {
  return {
    async cancel(requestId) {
      const cancelled = await cancelRecurring(redis, requestId);
      if (cancelled) await transitionRun(redis, requestId, 'cancelled', now());
      return cancelled;
    },
  };
}

/**
 * Emits one occurrence of every recurring request that is due and moves it to its next fire time. The
 * occurrence id includes the fire time, so emitting it twice (crash before the reschedule) yields the
 * same deliveries, which senders claim once.
 */
export async function fireDueRecurring(deps: { redis: Redis; producer: TypedProducer; now: number; limit?: number }): Promise<number> {
  const due = await deps.redis.zrangebyscore(KEYS.recurringSchedule, '-inf', deps.now, 'WITHSCORES', 'LIMIT', 0, deps.limit ?? 100);
  if (due.length === 0) return 0;
  const ids = due.filter((_, i) => i % 2 === 0);
  const definitions = await getMany(deps.redis, ids.map(KEYS.recurring));
  const occurrences: NotificationRequested[] = [];
  const write = deps.redis.multi(); // every write is on the schedule's one key
  ids.forEach((id, i) => {
    const raw = definitions[i];
    const fireAt = Number(due[2 * i + 1]);
    if (!raw || raw === CANCELLED) {
      write.zrem(KEYS.recurringSchedule, id);
      return;
    }
    const request = JSON.parse(raw) as NotificationRequested;
    occurrences.push(occurrenceOf(request, fireAt));
    const next = request.recurrence ? nextFireTime(request.recurrence, Math.max(fireAt, deps.now), request.expiresAt) : null;
    if (next === null) write.zrem(KEYS.recurringSchedule, id);
    else write.zadd(KEYS.recurringSchedule, next, id);
  });
  if (occurrences.length > 0) {
    await deps.producer.send(TOPICS.notificationRequested, occurrences.map((o) => ({ key: o.requestId, value: o })));
  }
  await write.exec();
  return occurrences.length;
}
