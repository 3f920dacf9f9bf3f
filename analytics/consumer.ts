import type { Kafka } from 'kafkajs';
import type { Codec } from '../platform/codec/codec';
import { createBatchConsumer, type BatchConsumer, type DecodedRecord, type TypedProducer } from '../platform/kafka';
import type { Logger } from '../platform/logger';
import { TOPICS, TOPIC_SPECS } from '../platform/topics';
import type { DeliveryStatus, DeliveryStatusPage } from '../schemas/types';
import { statusesOfPage } from '../domain/deliveries/status-page';
import type { StatusStore } from './status-store';
import { statusProblems } from './validate-status';
import { invalidRecord } from '../platform/kafka/invalid-record';

const STATUS_TOPICS = [TOPICS.deliveriesStatus, TOPICS.deliveriesStatusPages] as const;

/** Every partition of both status topics at once, so that each batch of a fetch can join one insert (insert-coalescer.ts). */
const STATUS_PARTITIONS = TOPIC_SPECS.filter((spec) => (STATUS_TOPICS as readonly string[]).includes(spec.name))
  .reduce((sum, spec) => sum + spec.partitions, 0);

/**
 * Streams deliveries.status, and the status pages of the fan-outs and the bulk senders read as the statuses
 * they stand for (domain/deliveries/status-page.ts), into ClickHouse: each consumed batch handed to `store`, which the analytics
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
  /** Default true: a new group reads every kept status. */
  fromBeginning?: boolean;
}): BatchConsumer {
  return createBatchConsumer<DeliveryStatus | DeliveryStatusPage>({
    kafka: options.kafka,
    codec: options.codec,
    producer: options.producer,
    groupId: options.groupId ?? 'vestnik-analytics',
    topics: STATUS_TOPICS.map((topic) => ({ topic })),
    logger: options.logger.child({ module: 'analytics-consumer' }),
    fromBeginning: options.fromBeginning ?? true,
    partitionsConsumedConcurrently: STATUS_PARTITIONS,
    // ClickHouse pays per insert (a part written, merged later): under load a fetch waits for about
    // 3,000 statuses, or for the 1 s long-poll, whichever comes first.
    minBytes: 512 * 1024,
    handler: async (records, ctx) => {
      const statuses = records.flatMap((record) => {
        if (!record.value) return [];
        const { of, subject } = statusesOf(record);
        // A page is written by our own fan-outs and bulk senders, from ids and times they made, so an entry
        // ClickHouse cannot hold is a bug: the page is kept whole in the dead letters, none of it inserted,
        // rather than split.
        const problems = of.flatMap((status) => statusProblems(status).map((problem) => (of.length > 1 ? `${status.statusId}: ${problem}` : problem)));
        if (problems.length === 0) return of;
        ctx.deadLetter(record, invalidRecord(subject, problems));
        return [];
      });
      await options.store.insertBatch(statuses);
    },
  });
}

/** What a record of either topic stands for: its statuses, and what its dead letter calls it. */
function statusesOf(record: DecodedRecord<DeliveryStatus | DeliveryStatusPage>): { of: DeliveryStatus[]; subject: string } {
  if (record.topic === TOPICS.deliveriesStatusPages) {
    const page = record.value as DeliveryStatusPage;
    return { of: statusesOfPage(page), subject: `status page of ${page.sourceType} ${page.sourceId}` };
  }
  const status = record.value as DeliveryStatus;
  return { of: [status], subject: `status ${status.statusId}` };
}
