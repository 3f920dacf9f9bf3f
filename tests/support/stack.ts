import { startRoles, type Role } from '../../cli/roles';
import { setup } from '../../cli/commands/setup';
import { createRuntime, type Runtime, type Stoppable } from '../../cli/runtime';
import { sql, sqlIdentifier } from '../../analytics/sql-escape';
import { loadConfig } from '../../platform/config';
import { createLogger, type Logger } from '../../platform/logger';
import { createAdminApi, type AdminApi } from '../../infra/local/admin-api';
import { deleteKeysWithPrefix } from './redis';
import { uniqueName } from './unique';
import { waitFor } from './wait-for';
import { getMany } from '../../platform/redis/get-many';
import { KEYS } from '../../platform/redis/keys';
import { TOPIC_SPECS, TOPICS } from '../../platform/topics';
import { topicNamesOf } from '../../platform/kafka';

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
  /** The broker's name of a logical topic (TOPICS), for tests that use kafkajs directly on the stack's topics. */
  topic(logical: string): string;
}

/**
 * Runs Vestnik's roles in this process against the real Kafka, Redis and ClickHouse, isolated from other
 * runs by a unique topic prefix (KAFKA_TOPIC_PREFIX), consumer-group prefix, Redis key prefix and ClickHouse
 * database (all removed by stop()). A new stack's view so replays only its own state topics, not every
 * earlier run's.
 */
export async function startStack(options: {
  roles: Role[]; env?: Record<string, string>; id?: string; logger?: Logger;
  /** The scheduler's wall clock (default the real one): a test moves it to tomorrow rather than wait. */
  clock?: { now(): number };
}): Promise<TestStack> {
  const id = options.id ?? uniqueName('e2e').replace(/[^A-Za-z0-9_]/g, '_');
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    KAFKA_GROUP_PREFIX: id,
    KAFKA_TOPIC_PREFIX: id,
    REDIS_KEY_PREFIX: `${id}:`,
    CLICKHOUSE_DATABASE: id,
    HTTP_PORT: '0',
    API_KEYS: `${TEST_ADMIN_KEY}:admin`,
    // A fresh database needs only this stack's statuses, not a replay of every earlier run's on the shared topic.
    ANALYTICS_START_FROM: 'latest',
    ...options.env,
  });
  const runtime = createRuntime(config, options.logger ?? createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }), { clock: options.clock });
  await setup(runtime);
  const started: Stoppable[] = await startRoles(runtime, options.roles);
  const apiUrl = started.find((part) => part.url)?.url ?? '';
  if (options.roles.includes('processors')) await waitForViewCaughtUp(runtime);
  const names = topicNamesOf(runtime.kafka());

  return {
    id,
    topic: (logical) => names.physical(logical),
    runtime,
    apiUrl,
    api: createAdminApi(apiUrl, TEST_ADMIN_KEY),
    async stop(stopOptions = {}) {
      for (const part of [...started].reverse()) await part.stop();
      if (!stopOptions.keepData) {
        // A stack on a Redis Cluster (the cluster world's) leaves its keys to the Cluster's removal.
        if (!config.redis.clusterNodes) await deleteKeysWithPrefix(`${id}:`);
        await runtime.clickhouse().exec(sql`DROP DATABASE IF EXISTS ${sqlIdentifier(id)}`);
        await deleteStackTopics(runtime);
      }
      await runtime.close();
    },
  };
}

/** Deletes the stack's own topics (never the unprefixed ones a stack started with KAFKA_TOPIC_PREFIX='' uses). */
async function deleteStackTopics(runtime: Runtime): Promise<void> {
  const names = topicNamesOf(runtime.kafka());
  if (names.prefix === '') return;
  const admin = runtime.kafka().admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const ours = TOPIC_SPECS.map((spec) => names.physical(spec.name)).filter((name) => existing.has(name));
    if (ours.length > 0) await admin.deleteTopics({ topics: ours, timeout: 30_000 });
  } finally {
    await admin.disconnect();
  }
}

/**
 * A new stack's directory view replays its state topics from the beginning (a restarted stack's own records,
 * or every run's where the topics are not prefixed); tests start once it has caught up, so a write's
 * read-your-writes wait is not a replay.
 */
export async function waitForViewCaughtUp(runtime: Runtime): Promise<void> {
  const admin = runtime.kafka().admin();
  const names = topicNamesOf(runtime.kafka());
  await admin.connect();
  try {
    const redis = runtime.redis('view-check');
    const targets = (
      await Promise.all(
        [TOPICS.clients, TOPICS.mailings, TOPICS.templates].map(async (topic) =>
          (await admin.fetchTopicOffsets(names.physical(topic)))
            .filter((p) => BigInt(p.high) > BigInt(p.low))
            .map((p) => ({ key: KEYS.viewOffset(topic, p.partition), last: BigInt(p.high) - 1n })),
        ),
      )
    ).flat();
    await waitFor(
      async () => {
        if (targets.length === 0) return true;
        const applied = await getMany(redis, targets.map((t) => t.key));
        return targets.every((t, i) => applied[i] !== null && BigInt(applied[i] as string) >= t.last);
      },
      { timeoutMs: 180_000, intervalMs: 250, description: 'the directory view caught up with the state topics' },
    );
  } finally {
    await admin.disconnect();
  }
}
