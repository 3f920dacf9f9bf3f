/** The dependency checks behind every role's readiness: one short request to each service a role uses. */
import type { Admin } from 'kafkajs';
import type { HealthCheck } from '../ingest/ports';
import { VestnikError } from '../platform/errors';
import type { Runtime } from './runtime';

/** Kafka, Redis and ClickHouse answer (the readiness of a process that uses them); `admin` is the caller's to close. */
export function dependencyChecks(runtime: Runtime, admin: Admin): HealthCheck[] {
  let connected: Promise<void> | null = null;
  return [
    {
      name: 'kafka',
      async check() {
        connected ??= admin.connect().catch((error) => {
          connected = null;
          throw error;
        });
        await connected;
        await admin.describeCluster();
      },
    },
    { name: 'redis', check: async () => void (await runtime.redis('health').ping()) },
    {
      name: 'clickhouse',
      async check() {
        if (!(await runtime.clickhouse().ping())) throw new VestnikError('DEPENDENCY_UNAVAILABLE', 'clickhouse does not answer');
      },
    },
  ];
}
