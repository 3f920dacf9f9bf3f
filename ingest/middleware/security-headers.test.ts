import request from 'supertest';
import type { Client } from '../../schemas/types';
import type { LinkStore } from '../../platform/links/link-store';
import { createUnsubscribeTokens } from '../../platform/unsubscribe';
import { KEYS, UNSUBSCRIBE_SECRET, bearer, createTestApp } from '../../tests/doubles/test-app';
import { CONTENT_SECURITY_POLICY } from './security-headers';

const client: Client = {
  id: 'c1', phone: '79001234567', operatorCode: '900', tags: [], timezone: 'UTC', email: 'c1@example.com', emailConfirmed: true,
  name: 'Ann', locale: 'en', deviceTokens: [], preferences: { promo: true, channels: { sms: false }, quietHours: null },
  subscriptions: [], updatedAt: 1,
};
const links: LinkStore = {
  create: async () => 'unused',
  createOnce: async () => 'unused',
  consume: async (code) => (code === 'goodcode1'
    ? { kind: 'ok', link: { url: 'https://cinema.example/welcome', purpose: 'email-confirmation', subject: 'c1', expiresAt: Number.MAX_SAFE_INTEGER } }
    : { kind: 'expired' }),
  restore: async () => undefined,
  eraseSubject: async () => 0,
};

function http() {
  const t = createTestApp({ links });
  t.clients.items.set('c1', client);
  return request(t.app.callback());
}

const token = createUnsubscribeTokens(UNSUBSCRIBE_SECRET).sign('c1');

const expectSecurityHeaders = (res: request.Response) => {
  expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
  expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['referrer-policy']).toBe('no-referrer');
  expect(res.headers['x-frame-options']).toBe('DENY');
};

describe('security headers', () => {
  it.each<[string, (h: ReturnType<typeof http>) => request.Test, number]>([
    ['Swagger UI /docs', (h) => h.get('/docs'), 200],
    ['Swagger UI /docs/', (h) => h.get('/docs/'), 200],
    ['Swagger UI /docs/index.html', (h) => h.get('/docs/index.html'), 200],
    ['the unsubscribe page GET /u/{token}', (h) => h.get(`/u/${token}`), 200],
    ['the unsubscribe answer POST /u/{token}', (h) => h.post(`/u/${token}`).type('form').send({ 'List-Unsubscribe': 'One-Click' }), 200],
    ['the unsubscribe page for a bad token', (h) => h.get('/u/bad.token'), 404],
    ['the expired link page /l/{code}', (h) => h.get('/l/oldcode12'), 410],
    ['the page after a confirmation /links/confirmed', (h) => h.get('/links/confirmed'), 200],
  ])('are on the HTML page of %s', async (_name, call, status) => {
    const res = await call(http());
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expectSecurityHeaders(res);
  });

  it.each<[string, (h: ReturnType<typeof http>) => request.Test, number]>([
    ['the redirect of a link (so the target never sees /l/{code} as Referer)', (h) => h.get('/l/goodcode1'), 302],
    ['a JSON route', (h) => h.get('/api/clients').set('Authorization', bearer(KEYS.admin)), 200],
    ['a 401', (h) => h.get('/api/clients'), 401],
    ['an unknown path', (h) => h.get('/nowhere'), 404],
    ['the OpenAPI document', (h) => h.get('/openapi.json'), 200],
    ['a Swagger UI asset', (h) => h.get('/docs/swagger-ui.css'), 200],
  ])('are on every other response too: %s', async (_name, call, status) => {
    const res = await call(http());
    expect(res.status).toBe(status);
    expectSecurityHeaders(res);
  });

  it('Swagger UI runs under the policy: no inline script or style, every asset it names served from here', async () => {
    const h = http();
    const page = await h.get('/docs');
    expect(page.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // every <script> has a src
    expect(page.text).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    const assets = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets).toEqual(expect.arrayContaining(['/docs/swagger-ui-bundle.js', '/docs/swagger-initializer.js', '/docs/swagger-ui.css']));
    for (const asset of assets) {
      expect(asset.startsWith('/')).toBe(true); // same origin: allowed by 'self'
      const res = await h.get(asset);
      expect([asset, res.status]).toEqual([asset, 200]);
    }
    const initializer = await h.get('/docs/swagger-initializer.js');
    expect(initializer.headers['content-type']).toMatch(/javascript/);
    expect(initializer.text).toContain("url: '/openapi.json'");
    expect(initializer.text).toContain('validatorUrl: null');
  });
});
