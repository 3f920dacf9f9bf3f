import { createAnalyticsConsumer } from '../../analytics/consumer';
import { coalesceInserts } from '../../analytics/insert-coalescer';
import { createStatusStore } from '../../analytics/status-store';
import type { Runtime, Stoppable } from '../runtime';

/** analytics: deliveries.status → ClickHouse. */
export async function startAnalytics(runtime: Runtime): Promise<Stoppable[]> {
  const plain = createStatusStore({
    client: runtime.clickhouse(), database: runtime.config.clickhouse.database, logger: runtime.logger,
  });
  // Metrics see the inserts ClickHouse gets: the coalesced ones.
  const store = coalesceInserts(runtime.metrics?.instrumentStatusStore(plain) ?? plain);
  const consumer = createAnalyticsConsumer({
    kafka: runtime.kafka(), codec: runtime.codec(), producer: await runtime.producer(), store, logger: runtime.logger,
    groupId: runtime.groupId('analytics'), fromBeginning: runtime.config.analytics.startFrom === 'earliest',
  });
  await consumer.start();
  return [{ name: 'analytics-consumer', stop: () => consumer.stop(), ready: () => consumer.joined() }];
}
