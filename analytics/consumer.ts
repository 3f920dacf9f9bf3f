import type { Kafka } from 'kafkajs';
import type { Codec } from '../platform/codec/codec';
import { createBatchConsumer, type BatchConsumer, type TypedProducer } from '../platform/kafka';
import type { Logger } from '../platform/logger';
import { TOPICS, TOPIC_SPECS } from '../platform/topics';
import type { DeliveryStatus } from '../schemas/types';
import type { StatusStore } from './status-store';
import { statusProblems } from './validate-status';
import { invalidRecord } from '../platform/kafka/invalid-record';

/** Every partition of deliveries.status at once, so that each batch of a fetch can join one insert (insert-coalescer.ts). */
const STATUS_PARTITIONS = TOPIC_SPECS.find((spec) => spec.name === TOPICS.deliveriesStatus)?.partitions ?? 1;

/**
 * Streams deliveries.status into ClickHouse: each consumed batch handed to `store`, which the analytics
 * role makes coalescing (the batches of one fetch share an INSERT). When ClickHouse is down the
 * insert fails as retriable, the offset stays where it is and the batch is inserted once it is back;
 * a batch inserted twice (crash after insert, before commit) counts once (statusId).
 */
export function createAnalyticsConsumer(options: {
  kafka: Kafka;
  codec: Codec;
  producer: TypedProducer;
  store: StatusStore;
  logger: Logger;
  groupId?: string;
  topic?: string;
  /** Default true: a new group reads every kept status. */
  fromBeginning?: boolean;
}): BatchConsumer {
  return createBatchConsumer<DeliveryStatus>({
    kafka: options.kafka,
    codec: options.codec,
    producer: options.producer,
    groupId: options.groupId ?? 'vestnik-analytics',
    topics: [{ topic: options.topic ?? TOPICS.deliveriesStatus, schema: 'deliveries.status' }],
    logger: options.logger.child({ module: 'analytics-consumer' }),
    fromBeginning: options.fromBeginning ?? true,
    partitionsConsumedConcurrently: STATUS_PARTITIONS,
    // ClickHouse pays per insert (a part written, merged later): under load a fetch waits for about
    // 3,000 statuses, or for the 1 s long-poll, whichever comes first.
    minBytes: 512 * 1024,
    handler: async (records, ctx) => {
      const statuses = records.flatMap((record) => {
        if (!record.value) return [];
        const problems = statusProblems(record.value);
        if (problems.length === 0) return [record.value];
        ctx.deadLetter(record, invalidRecord(`status ${record.value.statusId}`, problems));
        return [];
      });
      await options.store.insertBatch(statuses);
    },
  });
}
