import { createDayTotals } from '../../analytics/day-totals';
import { createMailingFolder, DEFAULT_FOLD_POLICY } from '../../analytics/fold-mailing';
import { createStatsQueries } from '../../analytics/stats-queries';
import { createExpressDeliveries } from '../../domain/deliveries/express';
import { createDirectoryReader, warnCorrupt } from '../../platform/redis/directory';
import { createDelayQueue, delayQueueStats } from '../../platform/redis/delay-queue';
import { readFanoutProgress } from '../../processors/mailing-fanout/progress';
import { createRenderer } from '../../processors/rendering/render';
import { createDailyReport, type DailyReport } from '../../processors/scheduler/daily-report';
import { createReportClaims } from '../../processors/scheduler/daily-report-claim';
import { createDelayPump } from '../../processors/scheduler/delay-pump';
import { createScheduler } from '../../processors/scheduler/scheduler';
import type { Runtime, Stoppable } from '../runtime';

/** scheduler: starts mailings on time, releases delayed deliveries, finishes mailings, sends the daily report. */
export async function startScheduler(runtime: Runtime): Promise<Stoppable[]> {
  const redis = runtime.redis('scheduler');
  // One FINAL stream (analytics/final-streams.ts): the lifecycle's checks are small sources asked every few
  // seconds, where each extra stream reads the same granules again (2.4× the ClickHouse CPU with 2 streams at
  // 40 one-message sources) and nobody waits on the answer; the streams are for people waiting on a large
  // mailing's counts.
  const stats = createStatsQueries({ client: runtime.clickhouse(), database: runtime.config.clickhouse.database, finalStreams: 1 });
  const folder = createMailingFolder({
    client: runtime.clickhouse(), database: runtime.config.clickhouse.database, shards: runtime.clickhouseCluster()?.shards,
    policy: { ...DEFAULT_FOLD_POLICY, minMessages: runtime.config.clickhouse.foldMinMessages },
  });
  const ownerId = `${process.pid}-${Math.random().toString(36).slice(2)}`;
  const scheduler = createScheduler({
    redis,
    producer: await runtime.producer(),
    stats,
    notificationStats: {
      countsBySource: (type, ids) => stats.countsBySource(type, ids),
      finalRowsBySource: (type, ids) => stats.finalRowsBySource(type, ids),
    },
    logger: runtime.logger,
    pumpDelayed: createDelayPump({ queue: createDelayQueue({ redis }), producer: await runtime.rawProducer() }),
    ownerId,
    dailyReport: await dailyReportOf(runtime, ownerId),
    foldMailing: (mailingId, messages) => folder.fold(mailingId, messages),
    clock: runtime.clock,
  });
  scheduler.start();
  // Read on scrape over a connection of their own, so a scrape never queues behind a tick.
  const metricsRedis = runtime.metrics ? runtime.redis('scheduler-metrics') : null;
  if (metricsRedis) {
    runtime.metrics?.watchDelayQueue(() => delayQueueStats(metricsRedis));
    runtime.metrics?.watchMailings(() => readFanoutProgress(metricsRedis));
  }
  return [{ name: 'scheduler', stop: () => scheduler.stop() }];
}

/** The daily statistics email when DAILY_REPORT_TO names someone; its Redis connection is its own, as a tick's is. */
async function dailyReportOf(runtime: Runtime, ownerId: string): Promise<DailyReport | undefined> {
  const config = runtime.config.dailyReport;
  if (config.recipients.length === 0) return undefined;
  const redis = runtime.redis('daily-report');
  return createDailyReport({
    config,
    claims: createReportClaims({ redis, ownerId }),
    totals: createDayTotals({ client: runtime.clickhouse(), database: runtime.config.clickhouse.database }),
    directory: createDirectoryReader(redis, warnCorrupt(runtime.logger)),
    deliveries: createExpressDeliveries(await runtime.producer()),
    renderer: createRenderer(),
    logger: runtime.logger,
  });
}
