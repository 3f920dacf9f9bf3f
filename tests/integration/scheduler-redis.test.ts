import type { Redis } from '../../platform/redis/client';
import { KEYS } from '../../platform/redis/keys';
import { TOPICS } from '../../platform/topics';
import { startDueMailings } from '../../processors/scheduler/mailing-starts';
import { cancelRecurring, fireDueRecurring, registerRecurring } from '../../processors/scheduler/recurring-notifications';
import type { MailingStarted, NotificationRequested } from '../../schemas/types';
import { createRecordingProducer } from '../support/kafka-fakes';
import { useRedisBackend, type RedisBackendName } from '../support/redis-backend';

/**
 * The scheduler's Redis state (mailing starts, recurring requests) on the run's Redis and on a Redis
 * Cluster (issue 16), where a request's definition and the schedule are in different slots. What it
 * produces is recorded (the end-to-end tests produce it to Kafka).
 */
for (const backendName of ['one Redis', 'a Redis Cluster'] as const) describe(`on ${backendName}`, () => describeScheduler(backendName));

const MINUTE = 60_000;
const EVERY_MINUTE = { cron: '* * * * *', timezone: 'UTC' };

function describeScheduler(backendName: RedisBackendName): void {
  const connection = useRedisBackend(backendName, 'scheduler-redis');
  let redis: Redis;

  beforeAll(() => {
    redis = connection();
  });

  const request = (requestId: string): NotificationRequested => ({
    requestId, occurredAt: 0, templateId: 't-1', userIds: ['c-1'], segmentTags: [], contextJson: '{}', priority: 'bulk', promo: false,
    channels: [], notBefore: null, expiresAt: null, recurrence: EVERY_MINUTE, requestedBy: null,
  });
  const requestIdsOf = (producer: ReturnType<typeof createRecordingProducer>) =>
    producer.sent.flatMap((batch) => batch.records.map((r) => (r.value as NotificationRequested).requestId));

  it('registers a recurring request once, fires each due occurrence once and moves it to its next minute', async () => {
    expect(await registerRecurring(redis, request('r-1'), 10_000)).toBe(true);
    expect(await registerRecurring(redis, request('r-1'), 20_000)).toBe(false); // a replay
    await registerRecurring(redis, request('r-2'), 10_000);
    const producer = createRecordingProducer();
    expect(await fireDueRecurring({ redis, producer, now: MINUTE - 1 })).toBe(0);
    expect(await fireDueRecurring({ redis, producer, now: MINUTE })).toBe(2);
    expect(producer.sent.map((batch) => batch.topic)).toEqual([TOPICS.notificationRequested]);
    expect(requestIdsOf(producer).sort()).toEqual(['r-1@60000', 'r-2@60000']);
    expect(await redis.zscore(KEYS.recurringSchedule, 'r-1')).toBe(String(2 * MINUTE));
    expect(await fireDueRecurring({ redis, producer, now: MINUTE })).toBe(0); // not again
  });

  it('cancels a recurring request: true once, no further occurrence, and a cancelled one found due is dropped', async () => {
    await registerRecurring(redis, request('r-1'), 10_000);
    await registerRecurring(redis, request('r-2'), 10_000);
    expect(await cancelRecurring(redis, 'r-1')).toBe(true);
    expect(await cancelRecurring(redis, 'r-1')).toBe(false);
    expect(await redis.get(KEYS.recurring('r-1'))).toBe('cancelled');
    // A crash between cancel's two steps: the definition says cancelled, the schedule still lists it.
    await redis.set(KEYS.recurring('r-2'), 'cancelled');
    const producer = createRecordingProducer();
    expect(await fireDueRecurring({ redis, producer, now: 5 * MINUTE })).toBe(0);
    expect(producer.sent).toEqual([]);
    expect(await redis.zrange(KEYS.recurringSchedule, '0', '-1')).toEqual([]);
  });

  it('starts the due mailings once, and keeps one re-scheduled meanwhile', async () => {
    await redis.zadd(KEYS.mailingSchedule, 1_000, 'm-due', 2_000, 'm-due-too', 9_000, 'm-later');
    const producer = createRecordingProducer();
    const send = producer.send;
    // The operator moves m-due-too while the tick is producing: its new time must not be removed.
    producer.send = (async (...args: Parameters<typeof send>) => {
      await redis.zadd(KEYS.mailingSchedule, 8_000, 'm-due-too');
      return send(...args);
    }) as typeof send;
    expect(await startDueMailings({ redis, producer, now: 5_000 })).toBe(2);
    const started = producer.sent.flatMap((batch) => batch.records.map((r) => r.value as MailingStarted));
    expect(started.map((e) => [e.mailingId, e.scheduledFor])).toEqual([['m-due', 1_000], ['m-due-too', 2_000]]);
    expect(await redis.zrange(KEYS.mailingSchedule, '0', '-1', 'WITHSCORES')).toEqual(['m-due-too', '8000', 'm-later', '9000']);
  });
}
