import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import Redis from 'ioredis';
import request from 'supertest';
import WebSocket from 'ws';
import { createAuthenticator } from '../../ingest/middleware/auth';
import { createRateLimiters } from '../../ingest/rate-limiters';
import { createInappGateway } from '../../ingest/ws/gateway';
import { createLogger } from '../../platform/logger';
import { createRedis, type Redis as VestnikRedis } from '../../platform/redis/client';
import { createInbox } from '../../senders/inapp/inbox';
import { JWT_SECRET, KEYS, bearer, createTestApp, userToken } from '../doubles/test-app';
import { deleteKeysWithPrefix, TEST_REDIS_URL } from '../support/redis';
import { startStack } from '../support/stack';
import { uniqueName } from '../support/unique';

const logger = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** The API's budgets on the real Redis, as cli/roles/api.ts builds them, each on its own connection. */
describe('rate limits on Redis', () => {
  const prefix = `${uniqueName('rate-limits')}:`;
  const connections: VestnikRedis[] = [];
  const closers: (() => Promise<unknown>)[] = [];

  function connection(url = TEST_REDIS_URL, name = 'rate-limit'): VestnikRedis {
    const redis = createRedis({ url, keyPrefix: prefix, logger, name, maxRetriesPerRequest: 1 });
    connections.push(redis);
    return redis;
  }

  /**
   * One API process: the app with its own Redis connection and limiters, once connected (until then the
   * limiters count in memory: the insurance, tested below).
   */
  async function apiProcess(limits: { publicPerMin?: number; apiPerMin?: number; wsPerMin?: number }, redis?: VestnikRedis) {
    if (!redis) {
      redis = connection();
      await redis.ping();
    }
    const rateLimits = createRateLimiters({
      redis, limits: { enabled: true, publicPerMin: 1000, apiPerMin: 1000, wsPerMin: 1000, staticPerMin: 1000, ...limits },
    });
    return { http: request(createTestApp({ rateLimits }).app.callback()), rateLimits };
  }

  afterAll(async () => {
    for (const close of closers.reverse()) await close();
    for (const redis of connections) redis.disconnect();
    await deleteKeysWithPrefix(prefix);
  });

  it('two API processes sharing one Redis share one budget per API key', async () => {
    const [one, two] = [await apiProcess({ apiPerMin: 5 }), await apiProcess({ apiPerMin: 5 })];
    const call = (p: Awaited<ReturnType<typeof apiProcess>>) => p.http.get('/api/clients').set('Authorization', bearer(KEYS.admin));
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await call(i % 2 === 0 ? one : two)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const refused = await call(one);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(refused.body.error.code).toBe('RATE_LIMITED');
    // Another key has its own budget on both processes.
    expect((await two.http.get('/api/stats/mailings').set('Authorization', bearer(KEYS.stats))).status).toBe(200);
  });

  it('two API processes share one budget per client IP on the public routes', async () => {
    const [one, two] = [await apiProcess({ publicPerMin: 3 }), await apiProcess({ publicPerMin: 3 })];
    expect((await one.http.get('/healthz')).status).toBe(200);
    expect((await two.http.get('/openapi.json')).status).toBe(200);
    expect((await one.http.get('/metrics')).status).toBe(200);
    expect((await two.http.get('/healthz')).status).toBe(429);
  });

  it('keeps the counters under the deployment key prefix, named by a hash (no key, user or IP in Redis)', async () => {
    const { http } = await apiProcess({});
    await http.get('/api/me/preferences').set('Authorization', bearer(userToken('user-in-clear'))).expect(404);
    const raw = new Redis(TEST_REDIS_URL);
    try {
      const keys = await raw.keys(`${prefix}rate-limit:*`);
      expect(keys.some((key) => key.startsWith(`${prefix}rate-limit:api:`))).toBe(true);
      expect(keys.some((key) => key.startsWith(`${prefix}rate-limit:public:`))).toBe(true);
      expect(keys.join(' ')).not.toMatch(/user-in-clear|test-admin-key|127\.0\.0\.1/);
      const ttl = await raw.pttl(keys[0] as string);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60_000);
    } finally {
      await raw.quit();
    }
  });

  it('with Redis unreachable, each process limits in memory at once instead of failing open or waiting', async () => {
    const gone = connection('redis://127.0.0.1:1', 'gone');
    const { http } = await apiProcess({ apiPerMin: 2 }, gone);
    const started = performance.now();
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await http.get('/api/clients').set('Authorization', bearer(KEYS.admin))).status);
    expect(statuses).toEqual([200, 200, 429]);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('refuses a websocket upgrade over the per-user budget with 429 and Retry-After; another user connects', async () => {
    const { rateLimits } = await apiProcess({ wsPerMin: 2 });
    const server = http.createServer((_req, res) => res.writeHead(404).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const redis = connection(TEST_REDIS_URL, 'inbox');
    const gateway = createInappGateway({
      server, authenticate: createAuthenticator({ apiKeys: [], jwtSecret: JWT_SECRET }), inbox: createInbox({ redis, inboxMax: 5, historyMax: 5 }),
      subscriber: connection(TEST_REDIS_URL, 'subscriber'), logger, limiter: rateLimits?.ws,
    });
    // Run last first: the server closes after the gateway has closed its sockets.
    closers.push(() => new Promise((resolve) => server.close(resolve)), () => gateway.close());
    const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`;

    const ann = await upgrade(url, userToken('ws-ann'));
    const again = await upgrade(url, userToken('ws-ann'));
    const third = await upgrade(url, userToken('ws-ann'));
    const bob = await upgrade(url, userToken('ws-bob'));
    expect([ann.status, again.status, third.status, bob.status]).toEqual([101, 101, 429, 101]);
    expect(Number(third.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(third.body)).toMatchObject({ error: { code: 'RATE_LIMITED', details: { retryAfterSeconds: Number(third.retryAfter) } } });
  });
});

/** The composition root (cli/roles/api.ts) builds the budgets from the environment. */
describe('the api role', () => {
  it('applies RATE_LIMIT_PUBLIC_PER_MIN, and with TRUST_PROXY budgets each forwarded client apart', async () => {
    const stack = await startStack({ roles: ['api'], env: { RATE_LIMIT_PUBLIC_PER_MIN: '2', TRUST_PROXY: 'true' } });
    try {
      await stack.runtime.redis('rate-limit').ping(); // the limiters' own connection, once up (before it, the insurance counts)
      const from = async (ip: string) => (await fetch(`${stack.apiUrl}/openapi.json`, { headers: { 'X-Forwarded-For': ip } })).status;
      expect([await from('203.0.113.1'), await from('203.0.113.1'), await from('203.0.113.1')]).toEqual([200, 200, 429]);
      expect(await from('203.0.113.2')).toBe(200);
    } finally {
      await stack.stop();
    }
  });

  it('has no limits with RATE_LIMIT_ENABLED=false', async () => {
    const stack = await startStack({ roles: ['api'], env: { RATE_LIMIT_ENABLED: 'false', RATE_LIMIT_PUBLIC_PER_MIN: '1' } });
    try {
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await fetch(`${stack.apiUrl}/openapi.json`)).status);
      expect(statuses).toEqual([200, 200, 200]);
    } finally {
      await stack.stop();
    }
  });
});

/** Opens a websocket and reports how the upgrade was answered (101 when it opened, closing it at once). */
function upgrade(url: string, token: string): Promise<{ status: number; retryAfter?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${token}` } });
    ws.once('open', () => {
      ws.close();
      resolve({ status: 101, body: '' });
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'], body }));
    });
    ws.once('error', reject);
  });
}
