import {
  CompressionTypes, type Kafka, type Message, type RecordMetadata,
} from 'kafkajs';
import { SCHEMA_OF_TOPIC, type Codec, type SchemaName } from '../codec/codec';
import { VestnikError } from '../errors';
import type { Logger } from '../logger';
import type { TopicName } from '../topics';
import type { SchemaValues } from '../../schemas/types';
import { activeContext } from '../tracing/active';
import { traceHeadersOf, type RecordHeaders } from '../tracing/propagation';
import { sendEveryPartition } from './every-partition';
import { recordOffsets } from './produced-offsets';
import { javaCompatiblePartitioner } from './partitioner';
import { createReplaceableProducer, isProducerStateError } from './replaceable-producer';
import { topicNamesOf } from './topic-names';
import { kafkaObserverOf, observe } from './observer';
import type { OutgoingRecord, ProducedRecord, TopicValue } from './types';

export interface TypedProducerOptions {
  kafka: Kafka;
  codec: Codec;
  logger: Logger;
  /** gzip trades CPU for bytes on bulk topics; none is the default. */
  compression?: 'none' | 'gzip';
}

/** Records for one topic inside a multi-topic sendBatch; `schema` overrides the topic's own (test topics). */
export type TopicBatch =
  | { [T in TopicName]: { topic: T; records: readonly OutgoingRecord<TopicValue<T>>[]; schema?: undefined } }[TopicName]
  | { [S in SchemaName]: { topic: string; records: readonly OutgoingRecord<SchemaValues[S]>[]; schema: S } }[SchemaName];

/**
 * A producer of typed records: values are validated and Avro-encoded by the codec before they leave. Topics
 * are logical names (TOPICS); the client's topic prefix is applied on the way out and the produced records
 * report the logical name back.
 */
export interface TypedProducer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  /** Encodes with the topic's schema and produces all records in one request; returns each record's offset. */
  send<T extends TopicName>(topic: T, records: readonly OutgoingRecord<TopicValue<T>>[]): Promise<ProducedRecord[]>;
  send<S extends SchemaName>(
    topic: string,
    records: readonly OutgoingRecord<SchemaValues[S]>[],
    options: { schema: S },
  ): Promise<ProducedRecord[]>;
  /** Several topics in one request; the result lists records in the order given. */
  sendBatch(batches: readonly TopicBatch[]): Promise<ProducedRecord[]>;
}

interface EncodedBatch {
  topic: string;
  messages: Message[];
}

/**
 * An idempotent producer (acks=all, one request in flight per broker, unlimited kafkajs retries), so a
 * retried request never writes a record twice nor reorders a partition. Records of one call go out in
 * one sendBatch request; the Java-compatible murmur2 partitioner keeps keys on the partitions other
 * Kafka clients would pick.
 */
export function createTypedProducer(options: TypedProducerOptions): TypedProducer {
  const logger = options.logger.child({ module: 'kafka-producer' });
  const partitionOf = new WeakMap<Message, number>();
  const producer = createReplaceableProducer(() => options.kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: javaCompatiblePartitioner((message, partition) => partitionOf.set(message, partition)),
  }), (error) => logger.warn({ err: error }, 'kafka producer replaced after a producer-state error (a leader change)'));
  const compression = options.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
  const names = topicNamesOf(options.kafka);

  const connect = (): Promise<void> => producer.connect().catch((error: unknown) => {
    throw new VestnikError('DEPENDENCY_UNAVAILABLE', 'kafka producer could not connect', { retriable: true, cause: error });
  });

  const sendBatch = async (batches: readonly TopicBatch[]): Promise<ProducedRecord[]> => {
    // The trace the records belong to: the caller's active one (a request, a consumed event), read once
    // per call, so a page of a thousand commands shares one header object. A record with headers of its
    // own (a status carrying its command's trace) keeps them.
    const trace = traceHeadersOf(activeContext());
    const encoded = await Promise.all(batches.map((batch) => encodeBatch(options.codec, batch, trace)));
    const nonEmpty = encoded.filter((batch) => batch.messages.length > 0);
    if (nonEmpty.length === 0) return [];
    await connect();
    let metadata: RecordMetadata[];
    const topicMessages = nonEmpty.map((batch) => ({ topic: names.physical(batch.topic), messages: batch.messages }));
    try {
      metadata = await sendEveryPartition(
        (pending) => producer.send((current) => current.sendBatch({ topicMessages: pending, acks: -1, compression })),
        topicMessages, (message) => partitionOf.get(message), (records) => {
          const logical = new Map([...records].map(([topic, n]) => [names.logical(topic), n] as const));
          logger.warn({ records: Object.fromEntries(logical) }, 'kafka answered without some partitions; their records sent again');
          observe(() => kafkaObserverOf(options.kafka).produceResent?.(logical), (hookError) => logger.error({ err: hookError }, 'produce metrics hook failed'));
        });
    } catch (error) {
      logger.error({ topics: nonEmpty.map((b) => b.topic), err: error }, 'produce failed');
      const failed = new Map(nonEmpty.map((b) => [b.topic, b.messages.length] as const));
      observe(() => kafkaObserverOf(options.kafka).produceFailed?.(failed), (hookError) => logger.error({ err: hookError }, 'produce metrics hook failed'));
      throw produceError(error);
    }
    return nonEmpty.flatMap((batch, i) =>
      recordOffsets(topicMessages[i]!.topic, batch.messages, metadata, (m) => partitionOf.get(m)).map((r) => ({ ...r, topic: batch.topic })));
  };

  return {
    connect,
    disconnect: () => producer.disconnect(),
    send(topic: string, records: readonly OutgoingRecord<unknown>[], sendOptions?: { schema?: SchemaName }) {
      return sendBatch([{ topic, records, schema: sendOptions?.schema } as TopicBatch]);
    },
    sendBatch,
  };
}

function schemaFor(topic: string, override: SchemaName | undefined): SchemaName {
  const schema = override ?? (SCHEMA_OF_TOPIC as Record<string, SchemaName | undefined>)[topic];
  if (!schema) {
    throw new VestnikError('UNKNOWN_SCHEMA', 'no schema for topic; pass { schema }', { details: { topic } });
  }
  return schema;
}

async function encodeBatch(codec: Codec, batch: TopicBatch, trace: RecordHeaders | undefined): Promise<EncodedBatch> {
  const schema = schemaFor(batch.topic, batch.schema);
  const messages = await Promise.all(
    batch.records.map(async (record: OutgoingRecord<unknown>): Promise<Message> => ({
      key: record.key,
      // A null value is a tombstone: Kafka's delete marker for the key on a compacted topic.
      value: record.value === null ? null : await codec.encode(schema, record.value),
      headers: record.headers ?? trace,
    })),
  );
  return { topic: batch.topic, messages };
}

/**
 * kafkajs has already retried transient failures by the time it throws; what reaches us is either
 * exhausted retries (the cluster is unwell: retriable later) or a broker verdict on the records
 * themselves, such as MESSAGE_TOO_LARGE, which no retry will change.
 */
function produceError(error: unknown): VestnikError {
  let root: unknown = error;
  while (root instanceof Error && root.cause instanceof Error) root = root.cause;
  // A producer-state error is kafkajs's non-retriable too, but about the producer, not the records: the
  // producer has been replaced (replaceable-producer.ts) and the same records will go through.
  const brokerRejected = root instanceof Error && 'type' in root && (root as { retriable?: boolean }).retriable === false && !isProducerStateError(root);
  return new VestnikError(brokerRejected ? 'INTERNAL' : 'DEPENDENCY_UNAVAILABLE', 'kafka produce failed', {
    retriable: !brokerRejected,
    cause: error,
  });
}
