import type { EachBatchPayload, Kafka } from 'kafkajs';
import { ReplyError } from 'ioredis';
import { MaxRetriesPerRequestError } from 'ioredis/built/errors';
import { silentLogger } from '../../platform/logger';
import type { Redis } from '../../platform/redis/client';
import { classifyRedisError } from '../../platform/redis/classify';
import { KEYS } from '../../platform/redis/keys';
import { TOPICS } from '../../platform/topics';
import type { DeadLetter, Mailing, MailingStarted } from '../../schemas/types';
import { createFakePayload, createJsonCodec, createRecordingProducer, json, message } from '../../tests/support/kafka-fakes';
import { createMailingFanoutConsumer } from './consumer';

/**
 * "A Redis error during a fan-out page leads to a retry, not a dead letter": the mailing fan-out consumer
 * as built for production (its handler, the batch consumer and its batch processor), fed one
 * mailing-started record through a fake kafkajs consumer, over a Redis whose audience page read fails.
 * A Redis outage fails it the way the Redis edge (platform/redis/client.ts) reports one; a command's own
 * error (WRONGTYPE) is the contrast: that one is dead-lettered.
 */
const NOW = Date.parse('2030-01-01T12:00:00Z');
const mailing: Mailing = {
  id: 'm1', text: 'Hi {{name}}', templateId: null, startAt: NOW - 1_000, endAt: NOW + 3_600_000, filter: { tags: ['vip'], operatorCodes: [] },
  channel: 'sms', sendWindow: null, promo: false, priority: 'bulk', status: 'scheduled', createdAt: 1, updatedAt: 1,
};
const started: MailingStarted = { eventId: 'm1:1', occurredAt: NOW, mailingId: 'm1', scheduledFor: NOW - 1_000 };

/** The Redis the fan-out touches before its first page, in memory; the page read (ZRANGEBYLEX) fails. */
function redisFailingPageReads(pageError: Error) {
  const pageReads: string[] = [];
  const multi = () => {
    const chain = { hset: () => chain, hsetnx: () => chain, sadd: () => chain, exec: async () => [] };
    return chain;
  };
  const redis = {
    get: async (key: string) => (key === KEYS.mailing(mailing.id) ? JSON.stringify(mailing) : null),
    hgetall: async () => ({}),
    hset: async () => 1,
    multi,
    zrangebylex: async (key: string) => {
      pageReads.push(key);
      throw pageError;
    },
  } as unknown as Redis;
  return { redis, pageReads };
}

/** A kafkajs stand-in that hands over the eachBatch callback the batch consumer registers. */
function capturingKafka() {
  let eachBatch: ((payload: EachBatchPayload) => Promise<void>) | null = null;
  const consumer = {
    connect: async () => undefined,
    subscribe: async () => undefined,
    run: async (config: { eachBatch: (payload: EachBatchPayload) => Promise<void> }) => void (eachBatch = config.eachBatch),
    disconnect: async () => undefined,
    on: () => () => undefined,
    events: { CRASH: 'consumer.crash', GROUP_JOIN: 'consumer.group_join' },
  };
  const kafka = { consumer: () => consumer } as unknown as Kafka;
  return { kafka, eachBatch: () => eachBatch as NonNullable<typeof eachBatch> };
}

async function fanOutOneStart(pageError: Error) {
  const { redis, pageReads } = redisFailingPageReads(pageError);
  const { kafka, eachBatch } = capturingKafka();
  const producer = createRecordingProducer();
  const consumer = createMailingFanoutConsumer({
    kafka, codec: createJsonCodec(), producer, redis, logger: silentLogger, clock: { now: () => NOW },
  });
  await consumer.start();
  const batch = createFakePayload(TOPICS.mailingStarted, 0, [message(41, json(started))]);
  try {
    await eachBatch()(batch.payload);
  } finally {
    await consumer.stop(); // clears the partition's backoff timer
  }
  const deadLetters = producer.sent
    .filter((s) => s.topic === TOPICS.deliveriesDeadLetter)
    .flatMap((s) => s.records.map((r) => r.value as DeadLetter));
  return { batch, deadLetters, producer, pageReads };
}

describe('mailing fan-out: a Redis failure while reading an audience page', () => {
  it('Redis unavailable (REDIS_UNAVAILABLE from the edge): the batch is retried, nothing dead-lettered or committed', async () => {
    const outage = classifyRedisError(new MaxRetriesPerRequestError(20) as Error) as Error;
    const { batch, deadLetters, producer, pageReads } = await fanOutOneStart(outage);
    expect(pageReads).toEqual([KEYS.clientsByTag('vip')]);
    expect(deadLetters).toEqual([]);
    expect(producer.sent).toEqual([]);
    expect(batch.resolved).toEqual([]);
    expect(batch.commits).toBe(0);
    expect(batch.paused).toBe(1); // the partition backs off, then kafkajs fetches the same record again
  });

  it('a command error (WRONGTYPE, left as it is by the edge): the start is dead-lettered and committed past', async () => {
    const wrongType = new (ReplyError as new (message: string) => Error)('WRONGTYPE Operation against a key holding the wrong kind of value');
    const { batch, deadLetters } = await fanOutOneStart(wrongType);
    expect(deadLetters).toEqual([expect.objectContaining({ originalTopic: TOPICS.mailingStarted, offset: '41', reasonCode: 'INTERNAL' })]);
    expect(batch.resolved).toEqual(['41']);
    expect(batch.commits).toBe(1);
    expect(batch.paused).toBe(0);
  });
});
