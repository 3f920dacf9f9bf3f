import type { SchemaName } from '../codec/codec';
import type { TopicName } from '../topics';
import type { SchemaValues } from '../../schemas/types';

/**
 * The schema of a topic at the type level. Mirrors SCHEMA_OF_TOPIC (runtime map in codec.ts, which is
 * typed as a plain Record and so cannot drive types): every topic carries the schema of its own name,
 * except the three delivery queues, which share the command schema, and the two topics of page records
 * (bulk command pages, status pages). types.test.ts keeps the two in step.
 */
export type SchemaOfTopic<T extends TopicName> = T extends 'deliveries.express' | 'deliveries.bulk' | 'deliveries.retry'
  ? 'deliveries.command'
  : T extends 'deliveries.status-pages'
    ? 'deliveries.status-page'
    : T extends 'deliveries.bulk-pages'
      ? 'deliveries.command-page'
      : T extends SchemaName
        ? T
        : never;

/** The TypeScript value type carried by a topic. */
export type TopicValue<T extends TopicName> = SchemaValues[SchemaOfTopic<T>];

/** Header values are written and read as UTF-8 strings; binary headers are not used in Vestnik. */
export type RecordHeaders = Record<string, string>;

/** One record to produce. `value: null` is a tombstone (deletes the key of a compacted state.* topic). */
export interface OutgoingRecord<V> {
  key: string | null;
  value: V | null;
  headers?: RecordHeaders;
}

/** Where a produced record landed: what a caller needs for read-your-writes. */
export interface ProducedRecord {
  topic: string;
  partition: number;
  /** Kafka offsets exceed 2^53, so they travel as decimal strings (as kafkajs does). */
  offset: string;
}

/** A consumed record after decoding; `value: null` is a tombstone. */
export interface DecodedRecord<T> {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: T | null;
  headers: RecordHeaders;
  /** Broker or producer timestamp, epoch milliseconds. */
  timestamp: number;
}
