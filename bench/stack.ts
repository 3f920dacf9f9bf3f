import { randomBytes } from 'node:crypto';
import { sql, sqlIdentifier } from '../analytics/sql-escape';
import { startRoles, type Role } from '../cli/roles';
import { setup } from '../cli/roles/setup';
import { createRuntime, type Runtime, type Stoppable } from '../cli/runtime';
import { loadConfig } from '../platform/config';
import { createLogger } from '../platform/logger';

const BENCH_ADMIN_KEY = 'bench-admin-key';

export interface BenchStack {
  /** The isolation id: consumer-group prefix, Redis key prefix (`<id>:`) and ClickHouse database. */
  id: string;
  runtime: Runtime;
  /** Calls the API as the admin; JSON in, JSON out. */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** Stops every role and closes the clients (the data is removed by cleanup.ts). */
  stop(): Promise<void>;
}

/**
 * Every Vestnik role in this process on the real Kafka, Redis and ClickHouse, isolated from other runs the
 * way tests/support/stack.ts does it: a unique group prefix, Redis key prefix and ClickHouse database.
 */
export async function startBenchStack(options: { roles: Role[]; env: Record<string, string> }): Promise<BenchStack> {
  const id = `bench_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'production',
    KAFKA_GROUP_PREFIX: id,
    REDIS_KEY_PREFIX: `${id}:`,
    CLICKHOUSE_DATABASE: id,
    HTTP_PORT: '0',
    API_KEYS: `${BENCH_ADMIN_KEY}:admin|stats`,
    METRICS_ENABLED: 'false',
    ...options.env,
  });
  const runtime = createRuntime(config, createLogger({ level: process.env.BENCH_LOG_LEVEL ?? 'error' }));
  await setup(runtime);
  const started: Stoppable[] = await startRoles(runtime, options.roles);
  const apiUrl = started.find((part) => part.url)?.url ?? '';
  return {
    id,
    runtime,
    async api(method, path, body) {
      const response = await fetch(`${apiUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${BENCH_ADMIN_KEY}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null };
    },
    async stop() {
      for (const part of [...started].reverse()) await part.stop();
    },
  };
}

/** Drops the run's ClickHouse database (before the runtime closes its client). */
export async function dropBenchDatabase(stack: BenchStack): Promise<void> {
  await stack.runtime.clickhouse().exec(sql`DROP DATABASE IF EXISTS ${sqlIdentifier(stack.id)}`);
}
