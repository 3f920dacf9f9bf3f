/**
 * The reads that analytics offers the API, beside their ClickHouse implementation (stats-api.ts):
 * statistics per source and channel, and a user's own deliveries.
 */
import type { Page } from '../platform/stores/ports';
import type { ClientDelivery } from './client-deliveries';
import type { Channel, DeliveryStatusName, SourceType } from '../schemas/types';
import type { TimeRange } from './time-range';

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

/** The instants [fromMs, toMs) statistics are narrowed to. */
export type { TimeRange };

/**
 * Delivery statistics (analytics/ over ClickHouse). With a range, a message counts if it had a status
 * change in it, by its latest status in it (analytics/stats-queries.ts StatsFilter).
 */
export interface StatsQueries {
  /** Counts per source id; sources without any message (in the range) are absent from the map. */
  countsBySource(sourceType: SourceType, sourceIds?: string[], range?: TimeRange): Promise<Map<string, SourceCounts>>;
  /** Counts and one page of messages of one source. */
  sourceDetail(sourceType: SourceType, sourceId: string, page: { limit: number; cursor?: string; status?: DeliveryStatusName }): Promise<SourceDetail>;
  /** Counts per channel, optionally narrowed to a source type and id (without one: the operators' own messages left out). */
  countsByChannel(sourceType?: SourceType, sourceId?: string, range?: TimeRange): Promise<ChannelCounts[]>;
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

/** One delivery of a client with its every status change, as the console's delivery log shows it (ISO times). */
export type DeliveryLogItem = Omit<ClientDelivery, 'firstAt' | 'lastAt'> & {
  firstAt: string;
  lastAt: string;
  history: { status: string; reason: string | null; attempt: number; at: string }[];
};

/** A client's delivery log (analytics/ over ClickHouse): two queries a page, the page and its histories. */
export interface ClientDeliveryLog {
  /** One page of the client's deliveries, newest first; the cursor is opaque (400 when it is not ours). */
  list(clientId: string, page: { limit: number; cursor?: string }): Promise<Page<DeliveryLogItem>>;
}

/** Deliveries of a source by channel, then by current status (statuses with no delivery are left out). */
export type ChannelStatusCounts = Record<string, Record<string, number>>;

/** Per-channel counts of several sources in one query (analytics/ over ClickHouse). */
export interface ChannelCountsBySource {
  /** Every id of `sourceIds` is in the map; `{}` for a source without deliveries. */
  of(sourceType: SourceType, sourceIds: string[]): Promise<Map<string, ChannelStatusCounts>>;
}

/** The statuses the console overview charts per minute. */
export const CHARTED_STATUSES = ['queued', 'sent', 'failed', 'expired', 'suppressed'] as const;
export type ChartedStatus = (typeof CHARTED_STATUSES)[number];

/** The minutes charted: `minutes` one-minute buckets from `fromMs` (a whole minute, epoch ms). */
export interface OverviewWindow {
  fromMs: number;
  minutes: number;
}

/** Per-minute series of a window, oldest minute first, zeros filled; test sends left out. */
export interface OverviewSeries {
  /** Status changes per minute (deduplicated by status id). */
  byStatus: Record<ChartedStatus, number[]>;
  /** Sends (status sent) per minute. */
  byChannel: Record<Channel, number[]>;
  /** The top 10 reasons of deliveries whose latest status in the window is failed. */
  failuresByReason: { reason: string; count: number }[];
}

/** The console overview's charts (analytics/overview-queries.ts over ClickHouse: three queries a call). */
export interface OverviewQueries {
  /** Every delivery but test sends, or (with mailingId) one mailing's deliveries only. */
  series(window: OverviewWindow, scope?: { mailingId: string }): Promise<OverviewSeries>;
}
