/**
 * Adapts analytics/ StatsQueries (epoch-ms times, channel counts as a Map, a filter object) to the
 * StatsQueries port of the API (ISO times, channel counts as a list). The composition root wraps the
 * ClickHouse-backed queries with it.
 */
import type { StatsQueries as AnalyticsStatsQueries } from '../analytics/stats-queries';
import { toIso } from './openapi/common';
import type { StatsQueries } from './ports';

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
