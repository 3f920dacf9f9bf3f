/**
 * The ports of the HTTP API: everything it needs from the outside world, as interfaces. The
 * composition root implements them with Kafka + Redis (state topics, Avro producer) and ClickHouse
 * (statistics); adapter tests pass the in-memory fakes of ingest/testing/.
 */
import type { TopicName } from '../platform/topics';
import type { Channel, DeliveryStatusName, SourceType } from '../schemas/types';

/** One page of a listing; `nextCursor` is null on the last page. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A listing request: opaque cursor from the previous page, page size, and equality filters. */
export interface ListQuery {
  cursor?: string;
  limit: number;
  /** Field → required value; undefined entries mean "no filter on that field". */
  filter?: Record<string, string | undefined>;
}

/** An admin resource (clients, mailings, templates) kept in a compacted state topic with a Redis view. */
export interface ResourceStore<T extends { id: string }> {
  /** The current value, or null when absent (never created or removed). */
  get(id: string): Promise<T | null>;
  /** A page in a stable order; clients filter by `tag` and `operatorCode`, mailings by `status`. */
  list(query: ListQuery): Promise<Page<T>>;
  /** Publishes to the state topic and resolves once the Redis view shows it (read-your-writes). */
  put(value: T): Promise<void>;
  /** Publishes a tombstone; resolves true if the resource existed, once the view no longer shows it. */
  remove(id: string): Promise<boolean>;
}

/** Produces one record to an Avro topic. */
export interface EventPublisher {
  /**
   * Fills Avro defaults of absent fields, validates against the topic's schema (throws VestnikError
   * VALIDATION_FAILED with `details` = the failing field paths) and produces with the given key.
   */
  publish(topic: TopicName, key: string, value: unknown): Promise<void>;
}

/** Message counts of one source (a mailing, a notification…), grouped by delivery status. */
export interface SourceCounts {
  total: number;
  byStatus: Record<string, number>;
}

/** The latest state of one delivery, as the statistics API shows it. */
export interface MessageStat {
  deliveryId: string;
  clientId: string;
  channel: string;
  status: string;
  attempts: number;
  lastError: string | null;
  /** ISO 8601 timestamps of the first and the latest status of the delivery. */
  firstAt: string;
  lastAt: string;
}

/** Counts plus one page of the messages of a source. */
export interface SourceDetail extends SourceCounts {
  messages: MessageStat[];
  nextCursor: string | null;
}

/** Counts of one channel, grouped by status. */
export interface ChannelCounts {
  channel: string;
  byStatus: Record<string, number>;
}

/** Delivery statistics (analytics/ over ClickHouse). */
export interface StatsQueries {
  /** Counts per source id; sources without any message are absent from the map. */
  countsBySource(sourceType: SourceType, sourceIds?: string[]): Promise<Map<string, SourceCounts>>;
  /** Counts and one page of messages of one source. */
  sourceDetail(sourceType: SourceType, sourceId: string, page: { limit: number; cursor?: string }): Promise<SourceDetail>;
  /** Counts per channel, optionally narrowed to a source type and id. */
  countsByChannel(sourceType?: SourceType, sourceId?: string): Promise<ChannelCounts[]>;
}

/** One delivery of the calling user, as GET /api/me/notifications shows it. */
export interface UserNotification {
  /** The delivery id. */
  id: string;
  channel: Channel;
  sourceType: SourceType;
  sourceId: string;
  /** The latest status. */
  status: DeliveryStatusName;
  attempts: number;
  /** Why it has this status (suppressed, failed…), or null. */
  reason: string | null;
  /** ISO 8601 timestamps of the first and the latest status of the delivery. */
  firstAt: string;
  lastAt: string;
}

/** A user's own deliveries (analytics/ over ClickHouse). */
export interface UserNotifications {
  /** One page of the client's deliveries, newest first; the cursor is opaque (400 when it is not ours). */
  list(clientId: string, page: { limit: number; cursor?: string }): Promise<Page<UserNotification>>;
}

/** A dependency probed by GET /healthz. */
export interface HealthCheck {
  /** Short name shown in the health document, e.g. `kafka`. */
  name: string;
  /** Resolves when the dependency answers; throws (with a short message) when it is down. */
  check(): Promise<void>;
}

/** Wall-clock time, injectable so tests control "now". */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

/** Generates a fresh unique id (uuid v4 in production). */
export type IdGenerator = () => string;

/** Recurring notification requests: cancel(id) stops further occurrences; false when none was scheduled. */
export interface RecurringNotifications {
  cancel(requestId: string): Promise<boolean>;
}

/** A notification request's run record, as the broadcast history keeps it (times are epoch ms). */
import type { NotificationRun, RunStatus } from '../processors/notification-fanout/run-model';
export type { NotificationRun, RunStatus };

/** The broadcast history's records (Redis): written by the fan-out and the scheduler, read here. */
export interface NotificationRuns {
  get(id: string): Promise<NotificationRun | null>;
  /** Top-level runs newest first, optionally of one status; a cursor we did not hand out is VALIDATION_FAILED. */
  list(query: { cursor?: string; limit: number; status?: RunStatus }): Promise<Page<NotificationRun>>;
  /** The latest `limit` occurrences of a recurring request, newest first, and how many there are in all. */
  occurrences(parentId: string, limit: number): Promise<{ items: NotificationRun[]; count: number }>;
}

/** Deliveries of a source by channel, then by current status (statuses with no delivery are left out). */
export type ChannelStatusCounts = Record<string, Record<string, number>>;

/** Per-channel counts of several sources in one query (analytics/ over ClickHouse). */
export interface ChannelCountsBySource {
  /** Every id of `sourceIds` is in the map; `{}` for a source without deliveries. */
  of(sourceType: SourceType, sourceIds: string[]): Promise<Map<string, ChannelStatusCounts>>;
}
