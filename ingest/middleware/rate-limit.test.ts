import request from 'supertest';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { silentLogger } from '../../platform/logger';
import { createMemoryRateLimits } from '../../tests/doubles/memory-rate-limits';
import { createMemoryConsoleSessionStore } from '../../tests/doubles/memory-console-sessions';
import { KEYS, NOW, bearer, createTestApp, userToken } from '../../tests/doubles/test-app';
import { clientAddress, consumePoint, limitKey } from './rate-limit';

const limited = (perMinute: Parameters<typeof createMemoryRateLimits>[0], trustProxy = false) =>
  request(createTestApp({ rateLimits: createMemoryRateLimits(perMinute), trustProxy }).app.callback());

async function spend(times: number, call: () => request.Test): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < times; i++) statuses.push((await call()).status);
  return statuses;
}

describe('rate limits on the public routes (per client IP)', () => {
  it.each([
    ['GET /healthz', (http: request.Agent) => http.get('/healthz')],
    ['GET /l/{code}', (http: request.Agent) => http.get('/l/some-code')],
    ['GET /u/{token}', (http: request.Agent) => http.get('/u/not-a-token')],
    ['POST /u/{token}', (http: request.Agent) => http.post('/u/not-a-token')],
    ['GET /links/confirmed', (http: request.Agent) => http.get('/links/confirmed')],
    ['GET /openapi.json', (http: request.Agent) => http.get('/openapi.json')],
    ['GET /docs', (http: request.Agent) => http.get('/docs')],
    ['GET /metrics', (http: request.Agent) => http.get('/metrics')],
    ['an unknown path', (http: request.Agent) => http.get('/nothing-here')],
  ])('%s: the 4th call in the minute is 429 with Retry-After and the RATE_LIMITED body', async (_name, call) => {
    const http = request.agent(createTestApp({ rateLimits: createMemoryRateLimits({ public: 3 }) }).app.callback());
    const statuses = await spend(3, () => call(http));
    expect(statuses.every((s) => s !== 429)).toBe(true);
    const res = await call(http);
    expect(res.status).toBe(429);
    const retryAfter = Number(res.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(res.body).toEqual({ error: { code: 'RATE_LIMITED', message: expect.any(String), details: { retryAfterSeconds: retryAfter } } });
  });

  it('counts all public routes against one budget per IP', async () => {
    const http = limited({ public: 2 });
    await http.get('/healthz').expect(200);
    await http.get('/metrics').expect(200);
    await http.get('/openapi.json').expect(429);
  });

  it('charges the console\'s module files to their own budget per IP, apart from the public one', async () => {
    const clock = { now: () => NOW };
    const http = request.agent(createTestApp({
      clock, rateLimits: createMemoryRateLimits({ public: 1, static: 2 }),
      console: { store: createMemoryConsoleSessionStore(clock), publicBaseUrl: 'http://127.0.0.1:8080', sessionIdleMs: 60_000, sessionMaxMs: 3_600_000 },
    }).app.callback());
    await http.get('/console/static/app.js').expect(200);
    await http.get('/console/vendor/preact.mjs').expect(200);
    expect((await http.get('/console/static/lib/api.js')).status).toBe(429);
    // The public budget is untouched by them, and spent by the page itself.
    await http.get('/console').expect(200);
    expect((await http.get('/healthz')).status).toBe(429);
  });

  it('behind a trusted proxy, different client IPs (X-Forwarded-For) have separate budgets', async () => {
    const http = limited({ public: 2 }, true);
    const from = (ip: string) => http.get('/healthz').set('X-Forwarded-For', ip);
    expect(await spend(3, () => from('203.0.113.1'))).toEqual([200, 200, 429]);
    expect(await spend(2, () => from('203.0.113.2'))).toEqual([200, 200]);
    // The proxy appends the address it saw: an entry the caller wrote before it does not buy a new budget.
    expect((await http.get('/healthz').set('X-Forwarded-For', '198.51.100.7, 203.0.113.1')).status).toBe(429);
  });

  it('without TRUST_PROXY, X-Forwarded-For is ignored: a forged header does not buy a fresh budget', async () => {
    const http = limited({ public: 2 });
    const forged = (ip: string) => http.get('/healthz').set('X-Forwarded-For', ip);
    expect(await spend(3, () => forged(`198.51.100.${Math.floor(Math.random() * 250)}`))).toEqual([200, 200, 429]);
  });
});

describe('rate limits on /api (per API key or user)', () => {
  it('the N+1th call with one key is 429; another key still has its own budget', async () => {
    const http = limited({ api: 3 });
    const as = (key: string) => http.get('/api/clients').set('Authorization', bearer(key));
    expect(await spend(4, () => as(KEYS.admin))).toEqual([200, 200, 200, 429]);
    expect(await spend(3, () => as(KEYS.stats))).toEqual([403, 403, 403]);
    expect((await as(KEYS.stats)).status).toBe(429);
    expect((await as(KEYS.service)).status).toBe(403);
  });

  it('/api/me is charged to the user (JWT subject): two users, two budgets', async () => {
    const http = limited({ api: 2 });
    const as = (user: string) => http.get('/api/me/preferences').set('Authorization', bearer(userToken(user)));
    expect(await spend(3, () => as('c-1'))).toEqual([404, 404, 429]);
    expect((await as('c-2')).status).toBe(404);
    // A fresh token of the same user is the same budget.
    expect((await as('c-1')).status).toBe(429);
  });

  it('an /api call without a valid credential is charged to the client IP, not to an API budget', async () => {
    const http = limited({ public: 2, api: 100 });
    expect(await spend(3, () => http.get('/api/clients').set('Authorization', bearer('made-up-key')))).toEqual([401, 401, 429]);
    // Rotating made-up keys does not escape it.
    expect((await http.get('/api/clients').set('Authorization', bearer('another-made-up-key'))).status).toBe(429);
    expect((await http.get('/api/clients').set('Authorization', bearer(KEYS.admin))).status).toBe(200);
  });

  it('a refused request does no work: nothing is written', async () => {
    const t = createTestApp({ rateLimits: createMemoryRateLimits({ api: 1 }) });
    const http = request(t.app.callback());
    const body = { phone: '79001234567', timezone: 'UTC' };
    await http.post('/api/clients').set('Authorization', bearer(KEYS.admin)).send(body).expect(201);
    await http.post('/api/clients').set('Authorization', bearer(KEYS.admin)).send(body).expect(429);
    expect(t.clients.items.size).toBe(1);
  });
});

describe('without rate limits (RATE_LIMIT_ENABLED=false builds none)', () => {
  it('200 calls from one IP and one key all pass', async () => {
    const http = request(createTestApp().app.callback());
    const statuses = await spend(200, () => http.get('/api/clients').set('Authorization', bearer(KEYS.admin)));
    expect(new Set(statuses)).toEqual(new Set([200]));
  });
});

describe('consumePoint', () => {
  it('lets the request through when the limiter fails with something other than "over the limit"', async () => {
    const broken = { consume: () => Promise.reject(new Error('store exploded')) };
    expect(await consumePoint(broken, 'k', silentLogger)).toEqual({ ok: true });
  });

  it('rounds Retry-After up to whole seconds, at least 1', async () => {
    const limiter = new RateLimiterMemory({ points: 1, duration: 2 });
    await consumePoint(limiter, 'k', silentLogger);
    const verdict = await consumePoint(limiter, 'k', silentLogger);
    expect(verdict).toEqual({ ok: false, retryAfterSeconds: 2 });
  });
});

describe('limitKey and clientAddress', () => {
  it('hashes the caller: no key, user id or IP in the counter name, and kinds never collide', () => {
    const key = limitKey('apiKey', 'key:abcdef123456');
    expect(key).not.toContain('abcdef');
    expect(key).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(limitKey('user', 'x')).not.toBe(limitKey('ip', 'x'));
  });

  it.each([
    ['203.0.113.9', '203.0.113.9'],
    ['::ffff:203.0.113.9', '203.0.113.9'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::99', '2001:db8:1:2::/64'],
    ['2001:0DB8:0001:0002:ffff::1', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
  ])('%s is budgeted as %s', (ip, address) => {
    expect(clientAddress(ip)).toBe(address);
  });
});
