import request from 'supertest';
import { createUnsubscribeTokens } from '../../platform/unsubscribe';
import type { Client } from '../../schemas/types';
import type { ResourceStore } from '../../platform/stores/ports';
import { NOW, UNSUBSCRIBE_SECRET, createTestApp } from '../../tests/doubles/test-app';

const client = (id: string, promo = true): Client => ({
  id, phone: '79001234567', operatorCode: '900', tags: [], timezone: 'UTC', email: `${id}@example.com`, emailConfirmed: true,
  name: 'Ann', locale: 'en', deviceTokens: [], preferences: { promo, channels: { sms: false }, quietHours: null },
  subscriptions: [], updatedAt: 1,
});
const tokens = createUnsubscribeTokens(UNSUBSCRIBE_SECRET);

function setup(overrides: Parameters<typeof createTestApp>[0] = {}) {
  const t = createTestApp(overrides);
  t.clients.items.set('c1', client('c1'));
  return { ...t, http: request(t.app.callback()) };
}

const expectHtmlPage = (res: request.Response, title: RegExp) => {
  expect(res.headers['content-type']).toMatch(/^text\/html/);
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.headers['referrer-policy']).toBe('no-referrer');
  expect(res.text).toMatch(title);
  expect(res.text).not.toMatch(/at .*\.ts|stack|Error:/);
};

describe('GET /u/{token}', () => {
  it('shows a confirmation page with a button that POSTs the one-click body, and changes nothing', async () => {
    const { http, clients } = setup();
    const res = await http.get(`/u/${tokens.sign('c1')}`);
    expect(res.status).toBe(200);
    expectHtmlPage(res, /Unsubscribe from promotional messages\?/);
    expect(res.text).toContain('<form method="post">');
    expect(res.text).toContain('name="List-Unsubscribe" value="One-Click"');
    expect(clients.items.get('c1')?.preferences.promo).toBe(true);
  });

  it('shows a clear 404 page for a tampered token', async () => {
    const { http } = setup();
    const token = tokens.sign('c1');
    const res = await http.get(`/u/${token.slice(0, -2)}xx`);
    expect(res.status).toBe(404);
    expectHtmlPage(res, /Link not valid/);
  });
});

describe('POST /u/{token}', () => {
  it('turns promo off with the RFC 8058 one-click body, keeping the other preferences', async () => {
    const { http, clients } = setup();
    const res = await http.post(`/u/${tokens.sign('c1')}`).type('form').send('List-Unsubscribe=One-Click');
    expect(res.status).toBe(200);
    expectHtmlPage(res, /You are unsubscribed/);
    expect(clients.items.get('c1')).toMatchObject({ preferences: { promo: false, channels: { sms: false }, quietHours: null }, updatedAt: NOW });
  });

  it('also works from a multipart form post (what some mail clients send) and needs no auth', async () => {
    const { http, clients } = setup();
    const res = await http.post(`/u/${tokens.sign('c1')}`).field('List-Unsubscribe', 'One-Click');
    expect(res.status).toBe(200);
    expect(clients.items.get('c1')?.preferences.promo).toBe(false);
  });

  it('is idempotent: a second POST writes nothing and shows the same page', async () => {
    const { http, clients } = setup();
    clients.items.set('c1', client('c1', false));
    const put = jest.spyOn(clients, 'put');
    const res = await http.post(`/u/${tokens.sign('c1')}`).type('form').send('List-Unsubscribe=One-Click');
    expect(res.status).toBe(200);
    expectHtmlPage(res, /You are unsubscribed/);
    expect(put).not.toHaveBeenCalled();
  });

  it.each([
    ['garbage', 'not-a-token'],
    ['another secret', createUnsubscribeTokens('some-other-secret-16+').sign('c1')],
    ['a deleted client', tokens.sign('gone')],
  ])('shows a clear 404 page for %s and changes nothing', async (_case, token) => {
    const { http, clients } = setup();
    const res = await http.post(`/u/${token}`).type('form').send('List-Unsubscribe=One-Click');
    expect(res.status).toBe(404);
    expectHtmlPage(res, /Link not valid/);
    expect(clients.items.get('c1')?.preferences.promo).toBe(true);
    expect(clients.items.has('gone')).toBe(false);
  });

  it('shows a "try again" page (503), not an error dump, when the directory is down', async () => {
    const { http } = setup();
    const failing = setup({
      clients: {
        get: async () => { throw new Error('redis down'); },
      } as unknown as ResourceStore<Client>,
    }).http;
    const res = await failing.post(`/u/${tokens.sign('c1')}`).type('form').send('List-Unsubscribe=One-Click');
    expect(res.status).toBe(503);
    expectHtmlPage(res, /Please try again/);
    expect(res.text).not.toContain('redis down');
    expect((await http.get(`/u/${tokens.sign('c1')}`)).status).toBe(200);
  });
});
