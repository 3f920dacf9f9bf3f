import type { Admin } from 'kafkajs';
import { createStatsQueries } from '../../analytics/stats-queries';
import { createApp } from '../../ingest/app';
import type { HealthCheck } from '../../ingest/ports';
import { startHttpServer } from '../../ingest/server';
import { statsFromAnalytics } from '../../ingest/stats-from-analytics';
import { VestnikError } from '../../platform/errors';
import { newId } from '../../platform/ids';
import { createLinkStore } from '../../platform/links/link-store';
import { EMAIL_CONFIRMATION } from '../../processors/welcome/decide';
import { cancelRecurring } from '../../processors/scheduler/recurring-notifications';
import { createClientStore, createEventPublisher, createMailingStore, createTemplateStore } from '../../platform/stores';
import type { Runtime, Stoppable } from '../runtime';

/** api: the Koa HTTP API (admin resources, event intake, statistics, docs, health, metrics). */
export async function startApi(runtime: Runtime): Promise<Stoppable[]> {
  const { config, logger } = runtime;
  const producer = await runtime.producer();
  const redis = runtime.redis('api');
  const stores = { producer, redis };
  const admin = runtime.kafka().admin();
  const clients = createClientStore(stores);
  const app = createApp({
    clients,
    mailings: createMailingStore(stores),
    templates: createTemplateStore(stores),
    events: createEventPublisher({ producer }),
    recurring: { cancel: (requestId) => cancelRecurring(redis, requestId) },
    links: createLinkStore({ redis }),
    // The registered user is the client of the same id: its first click confirms the address.
    onLinkConfirmed: async (link) => {
      if (link.purpose !== EMAIL_CONFIRMATION) return;
      const client = await clients.get(link.subject);
      if (client && !client.emailConfirmed) await clients.put({ ...client, emailConfirmed: true, updatedAt: Date.now() });
    },
    stats: statsFromAnalytics(createStatsQueries({ client: runtime.clickhouse(), database: config.clickhouse.database })),
    health: healthChecks(runtime, admin),
    auth: config.auth,
    clock: { now: () => Date.now() },
    newId,
    logger,
  });
  const server = await startHttpServer(app, { host: config.http.host, port: config.http.port });
  logger.info({ url: server.url }, 'api listening');
  return [
    { name: 'kafka-health', stop: () => admin.disconnect() },
    { name: 'api', url: server.url, stop: () => server.close() },
  ];
}

function healthChecks(runtime: Runtime, admin: Admin): HealthCheck[] {
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
    { name: 'redis', check: async () => void (await runtime.redis('api').ping()) },
    {
      name: 'clickhouse',
      async check() {
        if (!(await runtime.clickhouse().ping())) throw new VestnikError('DEPENDENCY_UNAVAILABLE', 'clickhouse does not answer');
      },
    },
  ];
}
