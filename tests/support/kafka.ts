/**
 * Kafka helpers for integration tests on the real broker: unique topics and groups per test, raw
 * produce (for bytes no codec would write), reading a whole topic back, committed offsets, and one
 * cleanup for afterAll that stops what the test registered and deletes its topics and groups.
 */
import type { Admin, Kafka } from 'kafkajs';
import { silentLogger, type Logger } from '../../platform/logger';
import { createKafka } from '../../platform/kafka/client';
import { ensureTopics } from '../../platform/kafka/admin';
import { decodeHeaders } from '../../platform/kafka/decode-batch';
import type { RecordHeaders } from '../../platform/kafka/types';
import { uniqueName } from './unique';
import { waitFor } from './wait-for';

export const TEST_BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

/** A record as it sits on the topic: bytes, not decoded. */
export interface RawRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: RecordHeaders;
}

export interface RawMessage {
  key: string | null;
  value: Buffer | null;
  partition?: number;
}

export interface KafkaTestContext {
  kafka: Kafka;
  /** Creates `<prefix>-<unique>` with N partitions (default 1), deleted by cleanup(). */
  createTopic(prefix: string, options?: { partitions?: number; cleanupPolicy?: 'compact' | 'delete' }): Promise<string>;
  /** A unique consumer group id, deleted by cleanup(). */
  groupId(prefix: string): string;
  /** Produces bytes as given, bypassing the codec. */
  produceRaw(topic: string, messages: readonly RawMessage[]): Promise<void>;
  /** Every record on the topic up to its current end, sorted by partition then offset. */
  readAll(topic: string, options?: { timeoutMs?: number }): Promise<RawRecord[]>;
  /** The group's committed offset (the next record to read) per partition; absent = nothing committed. */
  committedOffsets(groupId: string, topic: string): Promise<Map<number, bigint>>;
  /** Registers a teardown step (stop a consumer, disconnect a producer); run first by cleanup(). */
  onCleanup(step: () => Promise<unknown>): void;
  /** Runs the teardown steps, deletes topics and groups; every step is tried even when one fails. */
  cleanup(): Promise<void>;
}

/** One context per test file: `const kt = createKafkaTestContext(); afterAll(() => kt.cleanup());` */
export function createKafkaTestContext(options: { logger?: Logger } = {}): KafkaTestContext {
  const logger = options.logger ?? silentLogger;
  const kafka = createKafka({ brokers: TEST_BROKERS, clientId: uniqueName('test'), logger });
  const topics: string[] = [];
  const groups: string[] = [];
  const steps: (() => Promise<unknown>)[] = [];
  const adminClient = kafka.admin();
  let admin: Promise<Admin> | null = null;
  const connectAdmin = () => (admin ??= adminClient.connect().then(() => adminClient));

  const groupId = (prefix: string) => {
    const id = uniqueName(prefix);
    groups.push(id);
    return id;
  };

  return {
    kafka,
    groupId,
    async createTopic(prefix, topicOptions = {}) {
      const name = uniqueName(prefix);
      topics.push(name);
      await ensureTopics(kafka, [{ name, partitions: topicOptions.partitions ?? 1, cleanupPolicy: topicOptions.cleanupPolicy ?? 'delete' }]);
      return name;
    },
    async produceRaw(topic, messages) {
      const producer = kafka.producer({ allowAutoTopicCreation: false });
      await producer.connect();
      try {
        await producer.send({ topic, acks: -1, messages: messages.map((m) => ({ ...m })) });
      } finally {
        await producer.disconnect();
      }
    },
    async readAll(topic, readOptions = {}) {
      return readAll(kafka, await connectAdmin(), topic, readOptions.timeoutMs ?? 15_000);
    },
    async committedOffsets(group, topic) {
      const [entry] = await (await connectAdmin()).fetchOffsets({ groupId: group, topics: [topic] });
      const offsets = new Map<number, bigint>();
      for (const { partition, offset } of entry?.partitions ?? []) if (BigInt(offset) >= 0n) offsets.set(partition, BigInt(offset));
      return offsets;
    },
    onCleanup(step) {
      steps.push(step);
    },
    async cleanup() {
      const failures: unknown[] = [];
      const attempt = async (step: () => Promise<unknown>) => step().catch((error: unknown) => void failures.push(error));
      for (const step of steps.splice(0).reverse()) await attempt(step);
      const client = await connectAdmin();
      if (groups.length > 0) await attempt(() => client.deleteGroups(groups.splice(0)));
      if (topics.length > 0) await attempt(() => client.deleteTopics({ topics: topics.splice(0) }));
      await attempt(() => client.disconnect());
      admin = null;
      if (failures.length > 0) throw new AggregateError(failures, 'kafka test cleanup failed');
    },
  };
}

async function readAll(kafka: Kafka, admin: Admin, topic: string, timeoutMs: number): Promise<RawRecord[]> {
  const ends = await admin.fetchTopicOffsets(topic);
  // The last offset of each non-empty partition, as it stands now; reading stops once all are seen.
  const remaining = new Map(ends.filter((e) => BigInt(e.high) > BigInt(e.low)).map((e) => [e.partition, BigInt(e.high) - 1n]));
  if (remaining.size === 0) return [];
  const records: RawRecord[] = [];
  const group = uniqueName('read-all');
  const consumer = kafka.consumer({ groupId: group, maxWaitTimeInMs: 200 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const last = remaining.get(partition);
        if (last === undefined || BigInt(message.offset) > last) return;
        records.push({ topic, partition, offset: message.offset, key: message.key?.toString('utf8') ?? null,
          value: message.value, headers: decodeHeaders(message.headers) });
        if (BigInt(message.offset) === last) remaining.delete(partition);
      },
    });
    await waitFor(() => remaining.size === 0, { timeoutMs, description: `reading ${topic} to its end` });
  } finally {
    await consumer.disconnect();
    await admin.deleteGroups([group]).catch(() => undefined);
  }
  return records.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
}
