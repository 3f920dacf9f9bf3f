/**
 * The reads that analytics offers the API, beside their ClickHouse implementation (stats-api.ts):
 * statistics per source and channel, and a user's own deliveries.
 */
import type { Page } from '../platform/stores/ports';
import type { ClientDelivery } from './client-deliveries';
import type { SourceType } from '../schemas/types';

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

/**
 * One delivery of the calling user, as GET /api/me/notifications shows it: the analytics row
 * (client-deliveries.ts) under the API's names, `id` for the delivery id and ISO 8601 times.
 */
export type UserNotification = Omit<ClientDelivery, 'deliveryId' | 'firstAt' | 'lastAt'> & {
  id: string;
  firstAt: string;
  lastAt: string;
};

/** A user's own deliveries (analytics/ over ClickHouse). */
export interface UserNotifications {
  /** One page of the client's deliveries, newest first; the cursor is opaque (400 when it is not ours). */
  list(clientId: string, page: { limit: number; cursor?: string }): Promise<Page<UserNotification>>;
}

/** Deliveries of a source by channel, then by current status (statuses with no delivery are left out). */
export type ChannelStatusCounts = Record<string, Record<string, number>>;

/** Per-channel counts of several sources in one query (analytics/ over ClickHouse). */
export interface ChannelCountsBySource {
  /** Every id of `sourceIds` is in the map; `{}` for a source without deliveries. */
  of(sourceType: SourceType, sourceIds: string[]): Promise<Map<string, ChannelStatusCounts>>;
}
