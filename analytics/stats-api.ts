/**
 * Adapts analytics/ StatsQueries (epoch-ms times, channel counts as a Map, a filter object) to the
 * StatsQueries port of the API (ISO times, channel counts as a list). The composition root wraps the
 * ClickHouse-backed queries with it.
 */
import type { ClientDeliveries } from './client-deliveries';
import type { StatsQueries as AnalyticsStatsQueries } from './stats-queries';
import { toIso } from '../domain/resources/common';
import type { ChannelCountsBySource, StatsQueries, UserNotifications } from './ports';

type AnalyticsReads = Pick<AnalyticsStatsQueries, 'countsBySource' | 'sourceDetail' | 'countsByChannel'>;

/** The port over the analytics queries. */
export function statsFromAnalytics(analytics: AnalyticsReads): StatsQueries {
  return {
    countsBySource: (sourceType, sourceIds) => analytics.countsBySource(sourceType, sourceIds),
    async sourceDetail(sourceType, sourceId, page) {
      const detail = await analytics.sourceDetail(sourceType, sourceId, page);
      return {
        ...detail,
        messages: detail.messages.map((m) => ({ ...m, firstAt: toIso(m.firstAt), lastAt: toIso(m.lastAt) })),
      };
    },
    async countsByChannel(sourceType, sourceId) {
      const counts = await analytics.countsByChannel({ sourceType, sourceId });
      return [...counts].map(([channel, { byStatus }]) => ({ channel, byStatus }));
    },
  };
}

/** The users' own view over analytics' per-client query: delivery ids as `id`, ISO times. */
export function userNotificationsFromAnalytics(deliveries: Pick<ClientDeliveries, 'forClient'>): UserNotifications {
  return {
    async list(clientId, page) {
      const { items, nextCursor } = await deliveries.forClient(clientId, page);
      return {
        items: items.map(({ deliveryId, firstAt, lastAt, ...rest }) => ({ id: deliveryId, ...rest, firstAt: toIso(firstAt), lastAt: toIso(lastAt) })),
        nextCursor,
      };
    },
  };
}

/** The history's per-channel counts over analytics' one-query-for-many-sources, zeros left out. */
export function channelCountsFromAnalytics(analytics: Pick<AnalyticsStatsQueries, 'channelCountsBySource'>): ChannelCountsBySource {
  return {
    async of(sourceType, sourceIds) {
      const bySource = await analytics.channelCountsBySource(sourceType, sourceIds);
      return new Map([...bySource].map(([id, channels]) => [id, Object.fromEntries(
        [...channels].map(([channel, { byStatus }]) => [channel, Object.fromEntries(Object.entries(byStatus).filter(([, n]) => n > 0))]),
      )]));
    },
  };
}
