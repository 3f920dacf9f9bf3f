import Router from '@koa/router';
import Koa from 'koa';
import { Registry, collectDefaultMetrics } from 'prom-client';
import type { Link, LinkStore } from '../platform/links/link-store';
import type { Logger } from '../platform/logger';
import type { UnsubscribeTokens } from '../platform/unsubscribe';
import type { Client, Mailing, Template } from '../schemas/types';
import type { ApiState, Principal } from './http/context';
import type { RouteTarget } from './http/route';
import { AuthConfig, createAuthenticator, requireRole, type Authenticate } from './middleware/auth';
import { errorHandler } from './middleware/error-handler';
import { jsonBody } from './middleware/json-body';
import { rateLimit, type RateLimits } from './middleware/rate-limit';
import { httpMetrics } from './middleware/metrics';
import { requestLog } from './middleware/request-log';
import { securityHeaders } from './middleware/security-headers';
import { traceContext } from './middleware/trace-context';
import { createRegistry } from './openapi/document';
import { swaggerUi } from './openapi/swagger-ui';
import type { AudienceSize, Clock, ExpressDeliveries, HealthCheck, IdGenerator, PipelineBacklog } from './ports';
import type { ChannelCountsBySource, ClientDeliveryLog, OverviewQueries, StatsQueries, UserNotifications } from '../analytics/ports';
import { mountAudienceRoute } from './routes/audience';
import { mountDeliveryLogRoute } from './routes/delivery-log';
import { mountOverviewRoute } from './routes/overview';
import { mountTemplatePreviewRoutes } from './routes/template-preview';
import type { TemplateRendering } from './template-render';
import type { NotificationRuns } from '../domain/notification-run/history';
import type { EventPublisher, ResourceStore } from '../platform/stores/ports';
import type { RecurringNotifications } from '../processors/scheduler/recurring-notifications';
import { mountClientRoutes } from './routes/clients';
import { idempotency } from './middleware/idempotency';
import type { IdempotencyStore } from './middleware/idempotency-store';
import type { EraseClient } from './erasure';
import { mountEventRoutes } from './routes/events';
import { mountHealthRoute } from './routes/health';
import { mountLinkRoutes } from './routes/links';
import { mountMailingRoutes } from './routes/mailings';
import { mountMailingResendRoute } from './routes/mailing-resend';
import { mountDeadLetterRoutes } from './routes/dead-letters';
import type { DeadLetters } from './dead-letters';
import { mountNotificationRoutes } from './routes/notifications';
import { mountMeRoutes } from './routes/me';
import { mountMetricsRoute, mountOpenApiRoute } from './routes/operations';
import { mountStatsRoutes } from './routes/stats';
import { mountTemplateRoutes } from './routes/templates';
import { mountUnsubscribeRoutes } from './routes/unsubscribe';
import { createConsole, type ConsoleOptions } from './console/console';
import { CONSOLE_ASSET_PREFIXES } from './console/assets';

/** Everything the API needs, passed in by the composition root (or by tests, as fakes). */
export interface AppDeps {
  clients: ResourceStore<Client>;
  /** Erases a deleted client's data outside the directory (ingest/erasure.ts); none when absent. */
  eraseClient?: EraseClient;
  /** Idempotency-Key answers of the creating POSTs; without it the header is ignored. */
  idempotency?: IdempotencyStore;
  mailings: ResourceStore<Mailing>;
  templates: ResourceStore<Template>;
  events: EventPublisher;
  recurring: RecurringNotifications;
  /** Short links (GET /l/{code}); onLinkConfirmed runs once on a link's first use. */
  links?: LinkStore;
  onLinkConfirmed?(link: Link): Promise<void>;
  stats: StatsQueries;
  /** The dead-letter topic for operators (ingest/dead-letters.ts); routes absent without it. */
  deadLetters?: DeadLetters;
  /** The broadcast history (GET /api/notifications…): run records and their per-channel counts. */
  notificationRuns: NotificationRuns;
  channelCounts: ChannelCountsBySource;
  /** A user's own deliveries (GET /api/me/notifications). */
  userNotifications: UserNotifications;
  /** The console's reads: per-minute charts, Kafka's backlog, audience sizes, delivery logs (ingest/routes/overview.ts…). */
  overview: OverviewQueries;
  backlog: PipelineBacklog;
  audience: AudienceSize;
  deliveryLog: ClientDeliveryLog;
  /** Template preview and test send: the pipeline's rendering, and the express topic for tests. */
  rendering: TemplateRendering;
  express: ExpressDeliveries;
  /** Verifies the tokens of unsubscribe links (GET|POST /u/{token}). */
  unsubscribeTokens: UnsubscribeTokens;
  health: readonly HealthCheck[];
  auth: AuthConfig;
  clock: Clock;
  newId: IdGenerator;
  logger: Logger;
  /** Defaults to a fresh registry with the default process metrics; null (METRICS_ENABLED=false): no /metrics. */
  metricsRegistry?: Registry | null;
  /** Per health check; default 2000 ms. */
  healthTimeoutMs?: number;
  /** Shown in the OpenAPI document. */
  version?: string;
  /** Request budgets (ingest/rate-limiters.ts; RateLimiterMemory in unit tests). Default: no limits. */
  rateLimits?: RateLimits;
  /**
   * TRUST_PROXY: the client IP is the last X-Forwarded-For entry (the one our proxy appended) rather than
   * the socket's address. Off by default: without a proxy that header is whatever the caller wrote.
   */
  trustProxy?: boolean;
  /** The operator console's sign-in and sessions (ingest/console/); without it there is no console. */
  console?: ConsoleOptions;
}

/** Builds the Koa app of the HTTP API. It never listens: see server.ts, or pass app.callback() to supertest. */
export function createApp(deps: AppDeps): Koa<ApiState> {
  const logger = deps.logger.child({ module: 'ingest' });
  const metrics = deps.metricsRegistry === null ? null : deps.metricsRegistry ?? defaultRegistry();
  const authenticate = createAuthenticator(deps.auth);
  const consoleAuth = deps.console ? createConsole(deps.console, { authenticate, clock: deps.clock }) : undefined;
  const target: RouteTarget = {
    router: new Router<ApiState>(),
    registry: createRegistry(),
    guard: (role, access) => requireRole(authenticate, role, { console: consoleAuth?.caller, access }),
  };
  consoleAuth?.mount(target.router);
  const { clock, newId } = deps;
  const idem = deps.idempotency ? idempotency({ store: deps.idempotency }) : undefined;
  mountClientRoutes(target, { clients: deps.clients, clock, newId, erase: deps.eraseClient, idempotency: idem });
  mountMailingRoutes(target, { mailings: deps.mailings, templates: deps.templates, clock, newId, idempotency: idem });
  mountMailingResendRoute(target, { mailings: deps.mailings, events: deps.events, clock, newId });
  // Before the template routes: /api/templates/preview is a path of its own, not a template id.
  mountTemplatePreviewRoutes(target, { templates: deps.templates, clients: deps.clients, rendering: deps.rendering, express: deps.express, clock, newId });
  mountTemplateRoutes(target, { templates: deps.templates, clock, newId });
  mountAudienceRoute(target, { audience: deps.audience });
  mountDeliveryLogRoute(target, { clients: deps.clients, log: deps.deliveryLog });
  mountOverviewRoute(target, { overview: deps.overview, backlog: deps.backlog, clock });
  if (deps.deadLetters) mountDeadLetterRoutes(target, { deadLetters: deps.deadLetters });
  mountEventRoutes(target, { events: deps.events, recurring: deps.recurring, clock, newId, idempotency: idem });
  if (deps.links) mountLinkRoutes(target, { links: deps.links, onConfirmed: deps.onLinkConfirmed ?? (async () => undefined), logger });
  mountStatsRoutes(target, { mailings: deps.mailings, stats: deps.stats });
  mountNotificationRoutes(target, { runs: deps.notificationRuns, counts: deps.channelCounts });
  mountMeRoutes(target, { clients: deps.clients, notifications: deps.userNotifications, clock });
  mountUnsubscribeRoutes(target, { clients: deps.clients, tokens: deps.unsubscribeTokens, clock, logger });
  mountHealthRoute(target, { health: deps.health, timeoutMs: deps.healthTimeoutMs ?? 2000, authenticate });
  if (metrics) mountMetricsRoute(target, metrics);
  mountOpenApiRoute(target, target.registry, deps.version ?? '0.1.0');

  const app = new Koa<ApiState>();
  app.proxy = deps.trustProxy ?? false;
  app.maxIpsCount = 1;
  app.use(securityHeaders()); // outermost: on every response, errors included
  app.use(traceContext()); // before the logging and the error mapping, so their lines carry the trace id
  app.use(errorHandler(logger)); // maps whatever any later middleware throws
  app.use(requestLog({ logger }));
  if (metrics) app.use(httpMetrics(metrics));
  // Before any work for the request (Swagger UI's files, body parsing, routes).
  if (deps.rateLimits) app.use(rateLimit({ limits: deps.rateLimits, identify: (ctx) => identify(authenticate, ctx.get('Authorization'), () => consoleAuth?.caller(ctx) ?? null), staticPrefixes: CONSOLE_ASSET_PREFIXES, logger }));
  app.use(swaggerUi());
  app.use(jsonBody());
  app.use(target.router.routes());
  app.use(target.router.allowedMethods());
  return app;
}

/** The caller of an /api request for its budget (a bearer token, else a console session), or null; the route's guard still answers 401/403. */
async function identify(authenticate: Authenticate, authorization: string, session: () => Promise<{ principal: Principal } | null> | null): Promise<Principal | null> {
  try {
    if (!authorization) {
      const fromSession = await session();
      if (fromSession) return fromSession.principal;
    }
    return await authenticate(authorization || undefined);
  } catch {
    return null;
  }
}

function defaultRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}
