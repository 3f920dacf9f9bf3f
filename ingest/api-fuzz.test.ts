/**
 * API abuse, property-based (fast-check) over every route of the OpenAPI document, so a new route is
 * fuzzed without touching this file: arbitrary JSON bodies, query strings and path ids never get a 5xx or
 * a stack trace, every error has the `{ error: { code, message } }` shape, a rejected request leaves every
 * fake store as it was (no partial write), and every /api route refuses unauthenticated calls with 401.
 */
import fc from 'fast-check';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import type { Client, Mailing, Template } from '../schemas/types';
import { JWT_SECRET, KEYS, NOW, bearer, createTestApp, userToken } from '../tests/doubles/test-app';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

interface Route {
  method: Method;
  path: string;
  secured: boolean;
  pathParams: { name: string; values: string[] }[];
  queryParams: { name: string; values: string[] }[];
  body: { properties: string[]; example: unknown } | null;
}

/** Seeded in every fresh app, so GET/PATCH/DELETE reach the handlers and not only their 404. */
const SEEDED = { client: 'c-1', mailing: 'm-1', template: 't-1' };
const RUNS_PER_ROUTE = 8;

/** What a stack trace or a server path looks like in a body; generated input never contains these. */
const LEAK = /(\\n|\n)\s+at \S|\bat [\w$.<>]+ \(|node_modules|\/work\/|[\w-]+\.ts:\d+/;
const clean = (value: unknown) => !LEAK.test(JSON.stringify(value) ?? '');

const seededClient: Client = {
  id: SEEDED.client, phone: '79001234567', operatorCode: '900', tags: ['vip'], timezone: 'UTC', email: 'ann@example.com',
  emailConfirmed: false, name: 'Ann', locale: 'en', deviceTokens: [], preferences: { promo: true, channels: {}, quietHours: null },
  subscriptions: [], updatedAt: NOW,
};
const seededMailing: Mailing = {
  id: SEEDED.mailing, text: 'Hello {{name}}', templateId: null, startAt: NOW + 3_600_000, endAt: NOW + 7_200_000,
  filter: { operatorCodes: [], tags: ['vip'] }, channel: 'sms', sendWindow: null, promo: false, priority: 'bulk', status: 'scheduled',
  createdAt: NOW, updatedAt: NOW,
};
const seededTemplate: Template = {
  id: SEEDED.template, name: null, defaultLocale: 'en', contextProvider: null, updatedAt: NOW,
  variants: { en: { email: null, sms: 'Hi {{name}}', push: null, inapp: null } },
};

/** A fresh app with the seeded records; the fakes are what a rejected request must leave untouched. */
async function seededApp() {
  const test = createTestApp();
  await test.clients.put(seededClient);
  await test.mailings.put(seededMailing);
  await test.templates.put(seededTemplate);
  return test;
}

/** Every Map, Set and array the fakes expose, serialised: equal snapshots mean nothing was written. */
function snapshot(test: Awaited<ReturnType<typeof seededApp>>): string {
  const { app: _app, deps: _deps, clock: _clock, metricsRegistry: _metrics, ...fakes } = test;
  const data: Record<string, unknown> = {};
  for (const [name, fake] of Object.entries(fakes)) {
    for (const [field, value] of Object.entries(fake as object)) {
      if (value instanceof Map) data[`${name}.${field}`] = [...value.entries()].sort(([a], [b]) => String(a).localeCompare(String(b)));
      else if (value instanceof Set) data[`${name}.${field}`] = [...value].sort();
      else if (Array.isArray(value)) data[`${name}.${field}`] = value;
    }
  }
  return JSON.stringify(data);
}

/** The routes of the OpenAPI document the app serves, with their parameters and body fields. */
async function routesOfDocument(): Promise<Route[]> {
  const { app } = await seededApp();
  const doc = (await request(app.callback()).get('/openapi.json').expect(200)).body;
  const schemas = doc.components?.schemas ?? {};
  const resolve = (schema: any): any => (schema?.$ref ? schemas[schema.$ref.split('/').pop()] : schema);
  const routes: Route[] = [];
  for (const [path, operations] of Object.entries<any>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(operations)) {
      const params: any[] = op.parameters ?? [];
      const valuesOf = (p: any) => [...(resolve(p.schema)?.enum ?? []), ...Object.values(SEEDED)].map(String);
      const bodySchema = resolve(op.requestBody?.content?.['application/json']?.schema);
      routes.push({
        method: method as Method,
        path,
        secured: Array.isArray(op.security) && op.security.length > 0,
        pathParams: params.filter((p) => p.in === 'path').map((p) => ({ name: p.name, values: valuesOf(p) })),
        queryParams: params.filter((p) => p.in === 'query').map((p) => ({ name: p.name, values: valuesOf(p) })),
        body: bodySchema ? { properties: Object.keys(bodySchema.properties ?? {}), example: bodySchema.example ?? null } : null,
      });
    }
  }
  return routes;
}

// ---------------------------------------------------------------------------------------------------------------
// Arbitraries.

const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom("'); DROP TABLE clients; --", '{{constructor}}', '{{#each}}', '<script>alert(1)</script>', '../../etc/passwd',
    '\u0000', '𝕍𝕖𝕤𝕥𝕟𝕚𝕜', ' ', '', '-1', '1e400', 'NaN', 'null', 'true', '[]', '{}', '__proto__', 'constructor'),
).filter(clean);

const json = fc.jsonValue({ maxDepth: 3 }).filter(clean);

function pathValue(values: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(...values) },
    { weight: 2, arbitrary: text.map(encodeURIComponent) },
    // Not even decodable: the router must answer 4xx, not crash on decodeURIComponent.
    { weight: 1, arbitrary: fc.constantFrom('%', '%E0%A4%A', '%zz', '..%2F..', '%00') },
  );
}

function queryString(params: Route['queryParams']): fc.Arbitrary<string> {
  const names = [...params.map((p) => p.name), 'x', '__proto__', 'limit[]'];
  const pair = fc.tuple(fc.constantFrom(...names), fc.oneof(text, fc.constantFrom(...params.flatMap((p) => p.values), '0', '501', '-5', '2.5')));
  return fc.array(pair, { maxLength: 5 }).map((pairs) =>
    pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'));
}

type Body = { kind: 'json'; value: unknown } | { kind: 'raw'; text: string; type: string };

function bodyOf(route: Route): fc.Arbitrary<Body | null> {
  if (!route.body) return fc.constant(null);
  const { properties, example } = route.body;
  const fields = properties.length > 0 ? properties : ['id'];
  const options: fc.Arbitrary<Body>[] = [
    json.map((value) => ({ kind: 'json', value })),
    fc.dictionary(fc.constantFrom(...fields, 'extra'), json, { maxKeys: 6 }).map((value) => ({ kind: 'json', value })),
    fc.constantFrom('{', '{"a":', '[1,2', 'nul', '"\\u12"', '{"__proto__":{"admin":true}}')
      .map((raw) => ({ kind: 'raw', text: raw, type: 'application/json' })),
    text.map((raw) => ({ kind: 'raw', text: raw, type: 'text/plain' })),
  ];
  // Almost valid: the document's example with one field replaced, which reaches the deeper rules.
  if (example && typeof example === 'object') {
    options.push(fc.tuple(fc.constantFrom(...Object.keys(example)), json)
      .map(([field, value]) => ({ kind: 'json', value: { ...(example as object), [field]: value } })));
  }
  return fc.oneof(...options);
}

/** Who calls: each role the API knows, so routes guarded for users (JWT) are fuzzed past their guard too. */
const caller = fc.constantFrom(KEYS.admin, KEYS.service, KEYS.stats, userToken(SEEDED.client));

function requestOf(route: Route) {
  const ids = fc.tuple(...route.pathParams.map((p) => pathValue(p.values)));
  return fc.record({ ids: route.pathParams.length > 0 ? ids : fc.constant([] as string[]), query: queryString(route.queryParams),
    body: bodyOf(route), token: caller });
}

function urlOf(route: Route, ids: readonly string[], query = ''): string {
  let i = 0;
  const path = route.path.replace(/\{[^}]+\}/g, () => ids[i++] ?? 'x');
  return query ? `${path}?${query}` : path;
}

function send(app: { callback(): any }, route: Route, url: string, token: string | null, body: Body | null) {
  let req = request(app.callback())[route.method](url);
  if (token !== null) req = req.set('Authorization', token);
  if (body?.kind === 'json') req = req.set('Content-Type', 'application/json').send(JSON.stringify(body.value) ?? 'null');
  else if (body?.kind === 'raw') req = req.set('Content-Type', body.type).send(body.text);
  return req;
}

// ---------------------------------------------------------------------------------------------------------------

let routes: Route[];

beforeAll(async () => {
  routes = await routesOfDocument();
});

describe('API fuzz: every route of the OpenAPI document', () => {
  it('finds the routes of the document', () => {
    expect(routes.length).toBeGreaterThan(10);
    expect(routes.filter((r) => r.path.startsWith('/api/')).every((r) => r.secured)).toBe(true);
  });

  it('never answers 5xx or leaks a stack, answers errors as {error:{code,message}}, and writes nothing when it refuses', async () => {
    for (const route of routes) {
      await fc.assert(
        fc.asyncProperty(requestOf(route), async ({ ids, query, body, token }) => {
          const test = await seededApp();
          const before = snapshot(test);
          const response = await send(test.app, route, urlOf(route, ids, query), bearer(token), body);
          const where = `${route.method.toUpperCase()} ${route.path} → ${response.status}`;
          expect({ where, serverError: response.status >= 500 }).toEqual({ where, serverError: false });
          expect({ where, leak: LEAK.exec(response.text)?.[0] ?? null }).toEqual({ where, leak: null });
          // The JSON API answers errors in one shape; pages for people (GET /u/{token}) answer an HTML page.
          const json = route.path.startsWith('/api/') || /json/.test(response.headers['content-type'] ?? '');
          if (response.status >= 400 && json) {
            expect({ where, body: response.body }).toEqual({
              where, body: { error: expect.objectContaining({ code: expect.any(String), message: expect.any(String) }) },
            });
          }
          if (response.status >= 400) expect({ where, written: snapshot(test) !== before }).toEqual({ where, written: false });
        }),
        { numRuns: RUNS_PER_ROUTE },
      );
    }
  });
});

describe('API fuzz: authentication', () => {
  const strangers: [string, string | null][] = [
    ['no header', null],
    ['an empty bearer', 'Bearer '],
    ['an unknown key', 'Bearer not-a-key'],
    ['basic auth', `Basic ${Buffer.from('admin:admin').toString('base64')}`],
    ['a JWT signed with another secret', bearer(jwt.sign({ sub: SEEDED.client }, 'another-secret-of-16+', { algorithm: 'HS256' }))],
    ['an expired JWT', bearer(jwt.sign({ sub: SEEDED.client, exp: Math.floor(Date.now() / 1000) - 3600 }, JWT_SECRET, { algorithm: 'HS256' }))],
    ['an unsigned JWT', bearer(jwt.sign({ sub: SEEDED.client }, '', { algorithm: 'none' }))],
  ];

  it.each(strangers)('refuses %s on every /api route with 401 and writes nothing', async (_name, authorization) => {
    for (const route of routes.filter((r) => r.path.startsWith('/api/'))) {
      const test = await seededApp();
      const before = snapshot(test);
      const body: Body | null = route.body ? { kind: 'json', value: route.body.example ?? {} } : null;
      const ids = route.pathParams.map((p) => p.values[0] ?? 'x');
      const response = await send(test.app, route, urlOf(route, ids), authorization, body);
      const where = `${route.method.toUpperCase()} ${route.path}`;
      expect({ where, status: response.status, code: response.body?.error?.code }).toEqual({ where, status: 401, code: 'UNAUTHORIZED' });
      expect(response.headers['www-authenticate']).toBe('Bearer');
      expect({ where, written: snapshot(test) !== before }).toEqual({ where, written: false });
    }
  });
});
