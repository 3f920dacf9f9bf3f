import { createClientDeliveries } from '../../analytics/client-deliveries';
import { createStatsQueries } from '../../analytics/stats-queries';
import { createApp } from '../../ingest/app';
import { createDeadLetters } from '../../ingest/dead-letters';
import { startHttpServer } from '../../ingest/server';
import { createAuthenticator } from '../../ingest/middleware/auth';
import { createInappGateway } from '../../ingest/ws/gateway';
import { createRateLimiters } from '../../ingest/rate-limiters';
import { createInbox } from '../../senders/inapp/inbox';
import { deliveryLogFromAnalytics, statsFromAnalytics, userNotificationsFromAnalytics } from '../../analytics/stats-api';
import { createOverviewQueries } from '../../analytics/overview-queries';
import { createAudienceSize } from '../../ingest/audience-size';
import { createPipelineBacklog } from '../../ingest/pipeline-backlog';
import { createTemplateRendering } from '../../ingest/template-render';
import { createExpressDeliveries } from '../../domain/deliveries/express';
import { createUserDataClient } from '../../processors/context-providers';
import { consumerGroups } from '../consumer-groups';
import { newId } from '../../platform/ids';
import { createUnsubscribeTokens } from '../../platform/unsubscribe';
import { createLinkStore } from '../../platform/links/link-store';
import { createEmailConfirmation } from '../../processors/welcome/confirm-email';
import { createRecurringNotifications } from '../../processors/scheduler/recurring-notifications';
import { createNotificationRunHistory } from '../../domain/notification-run/history';
import { channelCountsFromAnalytics } from '../../analytics/stats-api';
import { createClientStore, createMailingStore, createTemplateStore } from '../../domain/resources/stores';
import { createEventPublisher } from '../../platform/stores';
import { createAnalyticsErasure } from '../../analytics/erase';
import { createClientErasure } from '../../ingest/erasure';
import { createRedisIdempotencyStore } from '../../ingest/middleware/idempotency-store';
import { createRedisConsoleSessionStore } from '../../ingest/console/session-store';
import { createOidcClient } from '../../ingest/console/oidc-client';
import type { Runtime, Stoppable } from '../runtime';
import { dependencyChecks } from '../dependency-checks';

/** api: the Koa HTTP API (admin resources, event intake, statistics, docs, health, metrics). */
export async function startApi(runtime: Runtime): Promise<Stoppable[]> {
  const { config, logger } = runtime;
  const producer = await runtime.producer();
  const redis = runtime.redis('api');
  const stores = { producer, redis };
  const admin = runtime.kafka().admin();
  const clients = createClientStore(stores);
  const links = createLinkStore({ redis });
  const inbox = createInbox({ redis, inboxMax: config.inapp.inboxMax, historyMax: config.inapp.historyMax });
  const analyticsErasure = createAnalyticsErasure({ client: runtime.clickhouse(), database: config.clickhouse.database, cluster: runtime.clickhouseCluster() });
  // Deleting a client erases the person everywhere Vestnik keeps them (after the directory's tombstone).
  const eraseClient = createClientErasure([
    { name: 'inapp-inbox', erase: (id) => inbox.erase(id) },
    { name: 'links', erase: async (id) => void (await links.eraseSubject(id)) },
    { name: 'analytics', erase: async (id) => void (await analyticsErasure.eraseClient(id)) },
  ], logger);
  // Their own connection (opened only when enabled): a budget check never queues behind the API's reads.
  const clickhouse = { client: runtime.clickhouse(), database: config.clickhouse.database };
  const backlog = createPipelineBacklog({ kafka: runtime.kafka(), groups: consumerGroups((stage) => runtime.groupId(stage)) });
  // Previews fetch one client's context at a time: a small pool of its own, apart from the fan-outs'.
  const userData = createUserDataClient({ url: config.userData.url, timeoutMs: config.userData.timeoutMs, concurrency: 2 });
  const rateLimits = config.rateLimits.enabled ? createRateLimiters({ redis: runtime.redis('rate-limit'), limits: config.rateLimits }) : undefined;
  const app = createApp({
    clients,
    eraseClient,
    idempotency: createRedisIdempotencyStore(redis),
    mailings: createMailingStore(stores),
    templates: createTemplateStore(stores),
    events: createEventPublisher({ producer }),
    recurring: createRecurringNotifications(redis),
    links,
    onLinkConfirmed: createEmailConfirmation(clients),
    deadLetters: createDeadLetters({
      kafka: runtime.kafka(), producer: await runtime.rawProducer(), codec: runtime.codec(), redis, groupPrefix: runtime.groupId('api'),
    }),
    stats: statsFromAnalytics(createStatsQueries({ client: runtime.clickhouse(), database: config.clickhouse.database })),
    notificationRuns: createNotificationRunHistory(redis),
    channelCounts: channelCountsFromAnalytics(createStatsQueries({ client: runtime.clickhouse(), database: config.clickhouse.database })),
    userNotifications: userNotificationsFromAnalytics(createClientDeliveries({ client: runtime.clickhouse(), database: config.clickhouse.database })),
    overview: createOverviewQueries(clickhouse),
    backlog,
    audience: createAudienceSize({ redis }),
    deliveryLog: deliveryLogFromAnalytics(createClientDeliveries(clickhouse)),
    rendering: createTemplateRendering({ contexts: userData }),
    express: createExpressDeliveries(producer),
    unsubscribeTokens: createUnsubscribeTokens(config.unsubscribe.secret),
    health: dependencyChecks(runtime, admin),
    auth: config.auth,
    clock: { now: () => Date.now() },
    newId,
    logger,
    // The process's registry; none (no /metrics) with METRICS_ENABLED=false.
    metricsRegistry: runtime.metrics?.registry ?? (config.metricsEnabled ? undefined : null),
    rateLimits,
    trustProxy: config.trustProxy,
    console: {
      store: createRedisConsoleSessionStore(redis),
      publicBaseUrl: config.http.publicBaseUrl,
      sessionIdleMs: config.console.sessionIdleMs,
      sessionMaxMs: config.console.sessionMaxMs,
      forceSecureCookies: config.env === 'production',
      oidc: config.console.oidc
        ? createOidcClient({ ...config.console.oidc, redirectUri: `${config.http.publicBaseUrl.replace(/\/$/, '')}/console/auth/callback` })
        : undefined,
    },
  });
  const server = await startHttpServer(app, { host: config.http.host, port: config.http.port });
  logger.info({ url: server.url }, 'api listening');
  // The in-app websocket gateway shares the API's port (ws://…/ws) and its JWT secret.
  const gateway = createInappGateway({
    server: server.server, authenticate: createAuthenticator(config.auth), subscriber: runtime.redis('inapp-subscriber'),
    inbox, logger,
    limiter: rateLimits?.ws,
  });
  runtime.metrics?.watchWebsockets(() => gateway.connections());
  return [
    { name: 'kafka-health', stop: () => admin.disconnect() },
    { name: 'console-backlog', stop: () => backlog.close() },
    { name: 'user-data-client', stop: () => userData.close() },
    { name: 'api', url: server.url, stop: () => server.close() },
    // Listed after the server so it stops first: open websockets would hold the server's close.
    { name: 'inapp-gateway', stop: () => gateway.close() },
  ];
}
