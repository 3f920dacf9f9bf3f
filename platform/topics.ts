/** Every Kafka topic Vestnik reads or writes, in one place (names are a contract: DESIGN.md). */
export const TOPICS = {
  userRegistered: 'events.user-registered',
  episodeReleased: 'events.episode-released',
  notificationRequested: 'events.notification-requested',
  userActivity: 'events.user-activity',
  mailingStarted: 'events.mailing-started',
  mailingResendRequested: 'events.mailing-resend-requested',
  clients: 'state.clients',
  mailings: 'state.mailings',
  templates: 'state.templates',
  deliveriesExpress: 'deliveries.express',
  deliveriesBulk: 'deliveries.bulk',
  deliveriesBulkPages: 'deliveries.bulk-pages',
  deliveriesRetry: 'deliveries.retry',
  deliveriesDeadLetter: 'deliveries.dead-letter',
  deliveriesStatus: 'deliveries.status',
  deliveriesStatusPages: 'deliveries.status-pages',
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

export interface TopicSpec {
  name: TopicName;
  partitions: number;
  /** compact for state.* (latest value per key is the truth), delete for streams. */
  cleanupPolicy: 'compact' | 'delete';
  retentionMs?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Partition counts bound how many consumers of a group can work at once; deliveries get more
 * because senders are the slow stage. Statuses are kept 7 days: ClickHouse is their long-term home.
 */
export const TOPIC_SPECS: readonly TopicSpec[] = [
  { name: TOPICS.userRegistered, partitions: 3, cleanupPolicy: 'delete', retentionMs: 7 * DAY_MS },
  { name: TOPICS.episodeReleased, partitions: 3, cleanupPolicy: 'delete', retentionMs: 7 * DAY_MS },
  { name: TOPICS.notificationRequested, partitions: 3, cleanupPolicy: 'delete', retentionMs: 7 * DAY_MS },
  { name: TOPICS.userActivity, partitions: 3, cleanupPolicy: 'delete', retentionMs: 7 * DAY_MS },
  { name: TOPICS.mailingStarted, partitions: 3, cleanupPolicy: 'delete', retentionMs: 7 * DAY_MS },
  { name: TOPICS.mailingResendRequested, partitions: 3, cleanupPolicy: 'delete', retentionMs: 7 * DAY_MS },
  { name: TOPICS.clients, partitions: 3, cleanupPolicy: 'compact' },
  { name: TOPICS.mailings, partitions: 1, cleanupPolicy: 'compact' },
  { name: TOPICS.templates, partitions: 1, cleanupPolicy: 'compact' },
  { name: TOPICS.deliveriesExpress, partitions: 6, cleanupPolicy: 'delete', retentionMs: 7 * DAY_MS },
  { name: TOPICS.deliveriesBulk, partitions: 6, cleanupPolicy: 'delete', retentionMs: 7 * DAY_MS },
  { name: TOPICS.deliveriesBulkPages, partitions: 6, cleanupPolicy: 'delete', retentionMs: 7 * DAY_MS },
  { name: TOPICS.deliveriesRetry, partitions: 6, cleanupPolicy: 'delete', retentionMs: 7 * DAY_MS },
  { name: TOPICS.deliveriesDeadLetter, partitions: 1, cleanupPolicy: 'delete', retentionMs: 30 * DAY_MS },
  { name: TOPICS.deliveriesStatus, partitions: 6, cleanupPolicy: 'delete', retentionMs: 7 * DAY_MS },
  { name: TOPICS.deliveriesStatusPages, partitions: 6, cleanupPolicy: 'delete', retentionMs: 7 * DAY_MS },
];
