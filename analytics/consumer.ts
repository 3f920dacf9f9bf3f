import type { Kafka } from 'kafkajs';
import type { Codec } from '../platform/codec/codec';
import { createBatchConsumer, type BatchConsumer, type TypedProducer } from '../platform/kafka';
import type { Logger } from '../platform/logger';
import { TOPICS } from '../platform/topics';
import type { DeliveryStatus } from '../schemas/types';
import type { StatusStore } from './status-store';

/**
 * Streams deliveries.status into ClickHouse: one INSERT per consumed batch. When ClickHouse is down the
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
}): BatchConsumer {
  return createBatchConsumer<DeliveryStatus>({
    kafka: options.kafka,
    codec: options.codec,
    producer: options.producer,
    groupId: options.groupId ?? 'vestnik-analytics',
    topics: [{ topic: options.topic ?? TOPICS.deliveriesStatus, schema: 'deliveries.status' }],
    logger: options.logger.child({ module: 'analytics-consumer' }),
    fromBeginning: true,
    partitionsConsumedConcurrently: 3,
    handler: async (records) => {
      const statuses = records.flatMap((record) => (record.value ? [record.value] : []));
      await options.store.insertBatch(statuses);
    },
  });
}
