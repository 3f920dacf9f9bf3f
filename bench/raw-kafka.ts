import { CompressionTypes, type Kafka } from 'kafkajs';
import { ensureTopics } from '../platform/kafka/admin';
import { javaCompatiblePartitioner } from '../platform/kafka/partitioner';
import { perSecond, pollUntil } from './stats';

/** Same partition count as deliveries.bulk, so the broker side matches what the senders read. */
export const RAW_PARTITIONS = 6;
export const PRODUCE_BATCH = 2000;

export interface RawKafkaResult {
  records: number;
  recordBytes: number;
  produceMs: number;
  /** From the first produce until the consumer has seen every record (consumer subscribed before). */
  totalMs: number;
  produceRecordsPerSecond: number;
  recordsPerSecond: number;
}

/** A raw run's figures from its counts and times (shared by both clients' measurements). */
export function rawKafkaResult(records: number, recordBytes: number, produceMs: number, totalMs: number): RawKafkaResult {
  return { records, recordBytes, produceMs, totalMs, produceRecordsPerSecond: perSecond(records, produceMs), recordsPerSecond: perSecond(records, totalMs) };
}

/**
 * The broker and kafkajs alone: `count` opaque records of `recordBytes` each produced the way Vestnik's
 * producer does (idempotent, acks=all, one request in flight, batches of 2000) to a fresh topic, and read
 * by an eachBatch consumer that does nothing but count. Ceiling for anything Vestnik does per command.
 */
export async function measureRawKafka(kafka: Kafka, topic: string, groupId: string, count: number, recordBytes: number): Promise<RawKafkaResult> {
  await ensureTopics(kafka, [{ name: topic, partitions: RAW_PARTITIONS, cleanupPolicy: 'delete' }]);
  let consumed = 0;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: javaCompatiblePartitioner() });
  await Promise.all([consumer.connect(), producer.connect()]);
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let assigned = false;
    consumer.on(consumer.events.GROUP_JOIN, () => void (assigned = true));
    await consumer.run({ eachBatch: async ({ batch }) => void (consumed += batch.messages.length) });
    await pollUntil(async () => (assigned ? true : null), { timeoutMs: 30_000, what: 'the raw consumer to join' });
    const value = Buffer.alloc(recordBytes, 7);
    const started = Date.now();
    for (let offset = 0; offset < count; offset += PRODUCE_BATCH) {
      const size = Math.min(PRODUCE_BATCH, count - offset);
      const messages = Array.from({ length: size }, (_, i) => ({ key: `k${offset + i}`, value }));
      await producer.send({ topic, messages, acks: -1, compression: CompressionTypes.None });
    }
    const produceMs = Date.now() - started;
    await pollUntil(async () => (consumed >= count ? true : null), { timeoutMs: 60_000 + count, intervalMs: 5, what: 'the raw consumer' });
    return rawKafkaResult(count, recordBytes, produceMs, Date.now() - started);
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
  }
}
