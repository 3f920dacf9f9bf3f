/**
 * A day's totals for the daily statistics email (processors/scheduler/daily-report.ts declares the port;
 * cli/roles/scheduler.ts injects this). Built from the statistics API's own queries with the same range,
 * so the email and `GET /api/stats/mailings|channels|overview?from=&to=` cannot disagree: per mailing
 * (countsBySource), per channel (countsByChannel, the operators' own messages left out) and the top
 * failure reasons (the overview's). Three queries, at once.
 */
import type { DayTotals } from '../domain/daily-report/model';
import type { ClickHouseClient } from './clickhouse-client';
import { topFailureReasons } from './overview-queries';
import { createStatsQueries } from './stats-queries';
import type { TimeRange } from './time-range';

export interface DayTotalsQueries {
  /** What happened in [fromMs, toMs): per mailing, per channel, and the top failure reasons. */
  of(range: TimeRange): Promise<DayTotals>;
}

export function createDayTotals({ client, database }: { client: ClickHouseClient; database: string }): DayTotalsQueries {
  const stats = createStatsQueries({ client, database });
  return {
    async of(range) {
      const [mailings, channels, failures] = await Promise.all([
        stats.countsBySource('mailing', undefined, range),
        stats.countsByChannel({ range }),
        topFailureReasons({ client, database }, range),
      ]);
      return {
        mailings: [...mailings].map(([mailingId, counts]) => ({ mailingId, total: counts.total, byStatus: counts.byStatus })),
        channels: [...channels].map(([channel, counts]) => ({ channel, total: counts.total, byStatus: counts.byStatus })),
        failures,
      };
    },
  };
}
