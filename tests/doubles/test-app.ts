import { createHmac } from 'node:crypto';
import { base64url } from 'jose';
import { Registry } from 'prom-client';
import { silentLogger } from '../../platform/logger';
import { createUnsubscribeTokens } from '../../platform/unsubscribe';
import type { Client, Mailing, Template } from '../../schemas/types';
import { AppDeps, createApp } from '../../ingest/app';
import { createAvroCheckingPublisher } from './avro-publisher';
import { createMemoryNotifications } from './memory-notifications';
import { createMemoryStats } from './memory-stats';
import { createMemoryChannelCounts, createMemoryNotificationRuns } from './memory-history';
import { clientMatches, mailingMatches } from '../../domain/resources/stores';
import { createMemoryMailingRuns } from './memory-runs';
import { createMemoryStore } from './memory-store';
import { createMemoryIdempotencyStore } from './memory-idempotency';
import {
  createMemoryAudience, createMemoryBacklog, createMemoryContexts, createMemoryDeliveryLog, createMemoryExpress, createMemoryOverview,
} from './memory-console';
import { createTemplateRendering } from '../../ingest/template-render';

/** API keys of the test app, one per role, plus a key with no useful role. */
export const KEYS = { admin: 'test-admin-key', stats: 'test-stats-key', service: 'test-service-key', none: 'test-nobody-key' };
export const JWT_SECRET = 'test-jwt-secret-at-least-16';
export const UNSUBSCRIBE_SECRET = 'test-unsubscribe-secret-16+';
/** "Now" of the test clock: 2030-01-01T00:00:00Z. */
export const NOW = Date.parse('2030-01-01T00:00:00Z');

export const bearer = (token: string): string => `Bearer ${token}`;

/**
 * An HS256 JWT with exactly these claims and header (nothing added: tests build tokens without exp, with
 * `alg: none`…). Synchronous because fast-check arbitraries and test tables need tokens up front, and jose
 * signs only asynchronously; jose verifies it in the app, so a mistake here fails the tests.
 */
export function signHs256(claims: Record<string, unknown>, secret: string, header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' }): string {
  const part = (value: unknown) => base64url.encode(JSON.stringify(value));
  const input = `${part(header)}.${part(claims)}`;
  return `${input}.${base64url.encode(createHmac('sha256', secret).update(input).digest())}`;
}

/** Now in JWT seconds. */
export const nowS = (): number => Math.floor(Date.now() / 1000);

/** A JWT an end user of the in-app channel would hold: HS256, `sub` and an expiry an hour away. */
export const userToken = (clientId: string, secret = JWT_SECRET): string => signHs256({ sub: clientId, exp: nowS() + 3600 }, secret);

/** The app with in-memory fakes of every port; the fakes are returned for arranging and asserting. */
export function createTestApp(overrides: Partial<AppDeps> = {}) {
  let seq = 0;
  const mailingRuns = createMemoryMailingRuns();
  const clients = createMemoryStore<Client>({ matches: clientMatches });
  const userData = createMemoryContexts();
  const fakes = {
    mailingRuns,
    clients,
    mailings: createMemoryStore<Mailing>({ matches: mailingMatches, overlay: mailingRuns.overlay }),
    templates: createMemoryStore<Template>(),
    events: createAvroCheckingPublisher(),
    stats: createMemoryStats(),
    notificationRuns: createMemoryNotificationRuns(),
    channelCounts: createMemoryChannelCounts(),
    userNotifications: createMemoryNotifications(),
    overview: createMemoryOverview(),
    backlog: createMemoryBacklog(),
    audience: createMemoryAudience(clients),
    deliveryLog: createMemoryDeliveryLog(),
    userData,
    rendering: createTemplateRendering({ contexts: userData }),
    express: createMemoryExpress(),
    unsubscribeTokens: createUnsubscribeTokens(UNSUBSCRIBE_SECRET),
    recurring: createMemoryRecurring(),
    idempotency: createMemoryIdempotencyStore(),
    clock: { now: () => NOW },
    metricsRegistry: new Registry(),
  };
  const deps: AppDeps = {
    ...fakes,
    health: [],
    auth: {
      apiKeys: [
        { key: KEYS.admin, roles: ['admin'] },
        { key: KEYS.stats, roles: ['stats'] },
        { key: KEYS.service, roles: ['service'] },
        { key: KEYS.none, roles: ['reader'] },
      ],
      jwtSecret: JWT_SECRET,
    },
    newId: () => `id-${++seq}`,
    logger: silentLogger,
    ...overrides,
  };
  return { app: createApp(deps), ...fakes, deps };
}

/** Recurring requests kept in a set: `scheduled` is what a test arranges, cancel() removes from it. */
export function createMemoryRecurring(scheduled: string[] = []) {
  const ids = new Set(scheduled);
  return { ids, cancel: async (requestId: string) => ids.delete(requestId) };
}
