import { TOPICS, TopicName } from '../topics';

/** The Avro schemas in schemas/, by file name (schemas/<name>.avsc). */
export const SCHEMA_NAMES = [
  'events.user-registered',
  'events.episode-released',
  'events.notification-requested',
  'events.user-activity',
  'events.mailing-started',
  'events.mailing-resend-requested',
  'state.clients',
  'state.mailings',
  'state.templates',
  'deliveries.command',
  'deliveries.command-page',
  'deliveries.status',
  'deliveries.status-page',
  'deliveries.dead-letter',
] as const;

export type SchemaName = (typeof SCHEMA_NAMES)[number];

/** Which schema each topic's values use (express, bulk and retry share the command schema). */
export const SCHEMA_OF_TOPIC: Record<TopicName, SchemaName> = {
  [TOPICS.userRegistered]: 'events.user-registered',
  [TOPICS.episodeReleased]: 'events.episode-released',
  [TOPICS.notificationRequested]: 'events.notification-requested',
  [TOPICS.userActivity]: 'events.user-activity',
  [TOPICS.mailingStarted]: 'events.mailing-started',
  [TOPICS.mailingResendRequested]: 'events.mailing-resend-requested',
  [TOPICS.clients]: 'state.clients',
  [TOPICS.mailings]: 'state.mailings',
  [TOPICS.templates]: 'state.templates',
  [TOPICS.deliveriesExpress]: 'deliveries.command',
  [TOPICS.deliveriesBulk]: 'deliveries.command',
  [TOPICS.deliveriesBulkPages]: 'deliveries.command-page',
  [TOPICS.deliveriesRetry]: 'deliveries.command',
  [TOPICS.deliveriesStatus]: 'deliveries.status',
  [TOPICS.deliveriesStatusPages]: 'deliveries.status-page',
  [TOPICS.deliveriesDeadLetter]: 'deliveries.dead-letter',
};

/**
 * Encodes and decodes record values. Two wire formats: Confluent (magic 0 + schema id, with a
 * registry) and Avro single-object encoding (C3 01 + CRC-64-AVRO fingerprint, no server).
 * Readers accept both, whichever the writer used.
 */
export interface Codec {
  /** Validates then encodes; throws VestnikError VALIDATION_FAILED naming the failing field paths. */
  encode(schema: SchemaName, value: unknown): Promise<Buffer>;
  /** Decodes either format into the reader schema; throws VestnikError DECODE_FAILED / UNKNOWN_SCHEMA. */
  decode(schema: SchemaName, buffer: Buffer): Promise<unknown>;
}
