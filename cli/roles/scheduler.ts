import { createStatsQueries } from '../../analytics/stats-queries';
import { createDelayQueue } from '../../platform/redis/delay-queue';
import { createDelayPump } from '../../processors/scheduler/delay-pump';
import { createScheduler } from '../../processors/scheduler/scheduler';
import type { Runtime, Stoppable } from '../runtime';

/** scheduler: starts mailings on time, releases delayed deliveries, finishes mailings. */
export async function startScheduler(runtime: Runtime): Promise<Stoppable[]> {
  const redis = runtime.redis('scheduler');
  const stats = createStatsQueries({ client: runtime.clickhouse(), database: runtime.config.clickhouse.database });
  const scheduler = createScheduler({
    redis,
    producer: await runtime.producer(),
    stats: { finalDeliveriesBySource: (type, ids) => stats.finalDeliveriesBySource(type, ids) },
    notificationStats: { countsBySource: (type, ids) => stats.countsBySource(type, ids) },
    logger: runtime.logger,
    pumpDelayed: createDelayPump({ queue: createDelayQueue({ redis }), producer: await runtime.rawProducer() }),
    ownerId: `${process.pid}-${Math.random().toString(36).slice(2)}`,
  });
  scheduler.start();
  return [{ name: 'scheduler', stop: () => scheduler.stop() }];
}
