import { MINUTE_MS, overviewWindowOf, sendRate } from '../overview-window';
import type { OverviewQueries } from '../../analytics/ports';
import { toIso } from '../../domain/resources/common';
import { RouteTarget, mountRoute } from '../http/route';
import { OverviewQuery, OverviewSchema } from '../openapi/console-reads';
import type { Clock, PipelineBacklog } from '../ports';

export interface OverviewRouteDeps {
  overview: OverviewQueries;
  backlog: PipelineBacklog;
  clock: Clock;
}

/**
 * GET /api/stats/overview (stats role, console viewers): the console's first page. Per-minute series from
 * ClickHouse (three queries, whatever the range; ?mailingId= narrows them to one mailing, for its
 * page's chart), the consumer lag and dead letters from Kafka's admin API,
 * all read at once.
 */
export function mountOverviewRoute(target: RouteTarget, deps: OverviewRouteDeps): void {
  const spec = {
    method: 'get', path: '/api/stats/overview', summary: 'Deliveries per minute by status and channel, send rate, failures, dead letters, lag',
    tag: 'stats', role: 'stats', query: OverviewQuery,
    responses: { 200: { description: 'The last hour or day (or from–to), minute by minute', schema: OverviewSchema } },
  } as const;
  mountRoute(target, spec, async (ctx, { query }) => {
    const { range, window } = overviewWindowOf(query, deps.clock.now());
    const [series, lag, deadLetters] = await Promise.all([
      deps.overview.series(window, query.mailingId === undefined ? undefined : { mailingId: query.mailingId }),
      deps.backlog.consumerLag(), deps.backlog.deadLetters(),
    ]);
    ctx.body = {
      range,
      mailingId: query.mailingId ?? null,
      from: toIso(window.fromMs),
      to: toIso(window.fromMs + window.minutes * MINUTE_MS),
      bucketSeconds: 60,
      buckets: Array.from({ length: window.minutes }, (_, i) => toIso(window.fromMs + i * MINUTE_MS)),
      ...series,
      sendRatePerMinute: sendRate(series.byStatus.sent),
      deadLetters: { total: deadLetters },
      lag,
    };
  });
}
