import { startRoles, type Role } from '../../cli/roles';
import { setup } from '../../cli/commands/setup';
import { createRuntime, type Runtime, type Stoppable } from '../../cli/runtime';
import { sql, sqlIdentifier } from '../../analytics/sql-escape';
import { loadConfig } from '../../platform/config';
import { createLogger } from '../../platform/logger';
import { createAdminApi, type AdminApi } from '../../infra/local/admin-api';
import { deleteKeysWithPrefix } from './redis';
import { uniqueName } from './unique';
import { waitFor } from './wait-for';
import { KEYS } from '../../platform/redis/keys';
import { TOPICS } from '../../platform/topics';

export const TEST_ADMIN_KEY = 'test-admin-key';

export interface TestStack {
  runtime: Runtime;
  apiUrl: string;
  /** Calls the API as the admin; JSON in, JSON out. */
  api: AdminApi;
  /** Stops every role; `keepData` leaves Redis keys and the ClickHouse database for a restarted stack. */
  stop(options?: { keepData?: boolean }): Promise<void>;
  /** The isolation id: pass it to startStack to restart on the same data. */
  id: string;
}

/**
 * Runs Vestnik's roles in this process against the real Kafka, Redis and ClickHouse, isolated from other
 * runs by a unique consumer-group prefix, Redis key prefix and ClickHouse database (all removed by stop()).
 * Topics are the real ones: tests tell their data apart by their own ids and tags.
 */
export async function startStack(options: { roles: Role[]; env?: Record<string, string>; id?: string }): Promise<TestStack> {
  const id = options.id ?? uniqueName('e2e').replace(/[^A-Za-z0-9_]/g, '_');
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    KAFKA_GROUP_PREFIX: id,
    REDIS_KEY_PREFIX: `${id}:`,
    CLICKHOUSE_DATABASE: id,
    HTTP_PORT: '0',
    API_KEYS: `${TEST_ADMIN_KEY}:admin`,
    // A fresh database needs only this stack's statuses, not a replay of every earlier run's on the shared topic.
    ANALYTICS_START_FROM: 'latest',
    ...options.env,
  });
  const runtime = createRuntime(config, createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }));
  await setup(runtime);
  const started: Stoppable[] = await startRoles(runtime, options.roles);
  const apiUrl = started.find((part) => part.url)?.url ?? '';
  if (options.roles.includes('processors')) await waitForViewCaughtUp(runtime);

  return {
    id,
    runtime,
    apiUrl,
    api: createAdminApi(apiUrl, TEST_ADMIN_KEY),
    async stop(stopOptions = {}) {
      for (const part of [...started].reverse()) await part.stop();
      if (!stopOptions.keepData) {
        await deleteKeysWithPrefix(`${id}:`);
        await runtime.clickhouse().exec(sql`DROP DATABASE IF EXISTS ${sqlIdentifier(id)}`);
      }
      await runtime.close();
    },
  };
}

/**
 * A new stack's directory view replays the state topics from the beginning (other runs' records too, on a
 * shared broker); tests start once it has caught up, so a write's read-your-writes wait is not a replay.
 */
export async function waitForViewCaughtUp(runtime: Runtime): Promise<void> {
  const admin = runtime.kafka().admin();
  await admin.connect();
  try {
    const redis = runtime.redis('view-check');
    const targets = (
      await Promise.all(
        [TOPICS.clients, TOPICS.mailings, TOPICS.templates].map(async (topic) =>
          (await admin.fetchTopicOffsets(topic))
            .filter((p) => BigInt(p.high) > BigInt(p.low))
            .map((p) => ({ key: KEYS.viewOffset(topic, p.partition), last: BigInt(p.high) - 1n })),
        ),
      )
    ).flat();
    await waitFor(
      async () => {
        if (targets.length === 0) return true;
        const applied = await redis.mget(...targets.map((t) => t.key));
        return targets.every((t, i) => applied[i] !== null && BigInt(applied[i] as string) >= t.last);
      },
      { timeoutMs: 180_000, intervalMs: 250, description: 'the directory view caught up with the state topics' },
    );
  } finally {
    await admin.disconnect();
  }
}
