import {
  CompressionAlgorithms, Consumer, MessagesStreamModes, ProduceAcks, Producer, compatibilityPartitioner, stringSerializer,
} from '@platformatic/kafka';
import { createKafka } from '../platform/kafka/client';
import { ensureTopics } from '../platform/kafka/admin';
import { silentLogger } from '../platform/logger';
import { PRODUCE_BATCH, RAW_PARTITIONS, rawKafkaResult, type RawKafkaResult } from './raw-kafka';
import { pollUntil } from './stats';

const CLIENT_ID = 'vestnik-bench-raw-platformatic';

/**
 * The broker and @platformatic/kafka alone (issue 15: measure it beside kafkajs in the bench's raw step, on the
 * same broker): the same `count` opaque records of `recordBytes` that measureRawKafka produces, the same way
 * (idempotent, acks=all, one request in flight, batches of 2000 keyed `k<i>`) to a fresh topic of its own,
 * and read by a consumer group that does nothing but count. Only the bench uses this client; Vestnik runs on
 * kafkajs.
 *
 * The topic is created with ensureTopics (a kafkajs admin) rather than platformatic's Admin: the same spec,
 * creation path and leader wait as the kafkajs measurement's topic, so the two differ only in the client
 * that produces and consumes, and the wait for leaders a freshly created topic needs on KRaft is not written twice.
 */
export async function measureRawPlatformaticKafka(brokers: string[], topic: string, count: number, recordBytes: number): Promise<RawKafkaResult> {
  const kafka = createKafka({ brokers, clientId: CLIENT_ID, logger: silentLogger });
  await ensureTopics(kafka, [{ name: topic, partitions: RAW_PARTITIONS, cleanupPolicy: 'delete' }]);
  // idempotent: true makes the producer itself set acks=all, one request in flight per connection and unbounded
  // retries. Keys are strings (stringSerializer); values stay Buffers (the default serializers pass them through).
  // compatibilityPartitioner is Java's and kafkajs's murmur2 (the library's default is not): the same keys land
  // on the same partitions as in the kafkajs measurement.
  const producer = new Producer<string, Buffer>({
    clientId: CLIENT_ID, bootstrapBrokers: brokers, idempotent: true, serializers: { key: stringSerializer },
    partitioner: compatibilityPartitioner, autocreateTopics: false,
  });
  // maxWaitTime as the kafkajs consumer's maxWaitTimeInMs; every record is only counted.
  const consumer = new Consumer({ clientId: CLIENT_ID, bootstrapBrokers: brokers, groupId: `${topic}-group`, maxWaitTime: 100 });
  try {
    let consumed = 0;
    let failure: Error | null = null;
    // consume() resolves once the group is joined and the partitions assigned; earliest = fromBeginning.
    const stream = await consumer.consume({ topics: [topic], mode: MessagesStreamModes.EARLIEST });
    stream.on('data', () => void consumed++);
    stream.on('error', (error) => void (failure = error));
    // The producer id is fetched before the clock starts, as kafkajs's idempotent producer does in connect().
    await producer.initIdempotentProducer({});
    const value = Buffer.alloc(recordBytes, 7);
    const started = Date.now();
    for (let offset = 0; offset < count; offset += PRODUCE_BATCH) {
      const size = Math.min(PRODUCE_BATCH, count - offset);
      const messages = Array.from({ length: size }, (_, i) => ({ topic, key: `k${offset + i}`, value }));
      await producer.send({ messages, acks: ProduceAcks.ALL, compression: CompressionAlgorithms.NONE });
    }
    const produceMs = Date.now() - started;
    await pollUntil(async () => {
      if (failure) throw failure;
      return consumed >= count ? true : null;
    }, { timeoutMs: 60_000 + count, intervalMs: 5, what: 'the raw @platformatic/kafka consumer' });
    return rawKafkaResult(count, recordBytes, produceMs, Date.now() - started);
  } finally {
    // Both are closed even when one refuses, and a failed close does not hide the measurement's own error.
    // force: the consumer closes its stream first (without it, it refuses to leave a group it still reads).
    await Promise.allSettled([consumer.close(true), producer.close()]);
  }
}
