/**
 * Adapts analytics/ StatsQueries (epoch-ms times, channel counts as a Map, a filter object) to the
 * StatsQueries port of the API (ISO times, channel counts as a list). The composition root wraps the
 * ClickHouse-backed queries with it.
 */
import type { ClientDeliveries } from './client-deliveries';
import type { StatsQueries as AnalyticsStatsQueries } from './stats-queries';
import { toIso } from '../domain/resources/common';
import type { ChannelCountsBySource, ClientDeliveryLog, StatsQueries, UserNotifications } from './ports';

type AnalyticsReads = Pick<AnalyticsStatsQueries, 'countsBySource' | 'sourceDetail' | 'countsByChannel'>;

/** The port over the analytics queries. */
export function statsFromAnalytics(analytics: AnalyticsReads): StatsQueries {
  return {
    countsBySource: (sourceType, sourceIds, range) => analytics.countsBySource(sourceType, sourceIds, range),
    async sourceDetail(sourceType, sourceId, page) {
      const detail = await analytics.sourceDetail(sourceType, sourceId, page);
      return {
        ...detail,
        messages: detail.messages.map((m) => ({ ...m, firstAt: toIso(m.firstAt), lastAt: toIso(m.lastAt) })),
      };
    },
    async countsByChannel(sourceType, sourceId, range) {
      const counts = await analytics.countsByChannel({ sourceType, sourceId, range });
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

/** The console's delivery log: a page of the client's deliveries, then their histories in one more query. */
export function deliveryLogFromAnalytics(deliveries: Pick<ClientDeliveries, 'forClient' | 'historyOf'>): ClientDeliveryLog {
  return {
    async list(clientId, page) {
      const { items, nextCursor } = await deliveries.forClient(clientId, page);
      const history = await deliveries.historyOf(clientId, items.map((item) => item.deliveryId));
      return {
        items: items.map(({ firstAt, lastAt, ...rest }) => ({
          ...rest, firstAt: toIso(firstAt), lastAt: toIso(lastAt),
          history: (history.get(rest.deliveryId) ?? []).map(({ at, ...change }) => ({ ...change, at: toIso(at) })),
        })),
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
