import { migrate } from '../../analytics/schema';
import { ensureTopics } from '../../platform/kafka';
import { TOPIC_SPECS } from '../../platform/topics';
import type { Runtime } from '../runtime';

/** Creates the topics and the ClickHouse tables; idempotent, run by infra/up.sh and at every role's start. */
export async function setup(runtime: Runtime): Promise<void> {
  const { replicationFactor, minInsyncReplicas } = runtime.config.kafka;
  const specs = TOPIC_SPECS.map((spec) => ({ ...spec, replicationFactor, minInsyncReplicas }));
  const result = await ensureTopics(runtime.kafka(), specs, { logger: runtime.logger });
  await migrate(runtime.clickhouse(), runtime.config.clickhouse.database, runtime.clickhouseCluster() ?? undefined);
  runtime.logger.info({ created: result.created.length, database: runtime.config.clickhouse.database }, 'setup done');
}
