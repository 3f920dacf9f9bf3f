import type { TypedProducer } from '../../platform/kafka';
import type { Redis } from '../../platform/redis/client';
import { KEYS } from '../../platform/redis/keys';
import { TOPICS } from '../../platform/topics';
import type { MailingStarted } from '../../schemas/types';

/**
 * Emits events.mailing-started for every mailing whose start time has come. The schedule lives in Redis
 * (the view puts each scheduled mailing there), so it survives a restart of every process. The event is
 * produced before the entry is removed: a crash in between emits the same event id again, and the
 * fan-out's checkpoint makes that replay a no-op.
 */
const REMOVE_IF_SCORE = `
if redis.call('ZSCORE', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('ZREM', KEYS[1], ARGV[1]) end
return 0`;

export async function startDueMailings(deps: { redis: Redis; producer: TypedProducer; now: number; limit?: number }): Promise<number> {
  const due = await deps.redis.zrangebyscore(KEYS.mailingSchedule, '-inf', deps.now, 'WITHSCORES', 'LIMIT', 0, deps.limit ?? 100);
  const events: MailingStarted[] = [];
  for (let i = 0; i < due.length; i += 2) {
    const mailingId = due[i] as string;
    const startAt = Number(due[i + 1]);
    events.push({ eventId: `${mailingId}:${startAt}`, occurredAt: deps.now, mailingId, scheduledFor: startAt });
  }
  if (events.length === 0) return 0;
  await deps.producer.send(TOPICS.mailingStarted, events.map((event) => ({ key: event.mailingId, value: event })));
  // Remove only the entries we started: a mailing re-scheduled meanwhile has a new score and stays.
  const pipeline = deps.redis.pipeline();
  for (const event of events) pipeline.eval(REMOVE_IF_SCORE, 1, KEYS.mailingSchedule, event.mailingId, event.scheduledFor);
  await pipeline.exec();
  return events.length;
}
