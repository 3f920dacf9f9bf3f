import request from 'supertest';
import type { Client } from '../../schemas/types';
import { MyNotificationPageSchema, PreferencesSchema } from '../openapi/me';
import type { UserNotification } from '../../analytics/ports';
import { KEYS, NOW, bearer, createTestApp, userToken } from '../../tests/doubles/test-app';

const client = (id: string, over: Partial<Client> = {}): Client => ({
  id, phone: '79001234567', operatorCode: '900', tags: [], timezone: 'UTC', email: `${id}@example.com`, emailConfirmed: true,
  name: 'Ann', locale: 'en', deviceTokens: [], preferences: { promo: true, channels: {}, quietHours: null },
  subscriptions: [], updatedAt: 1, ...over,
});
const delivery = (id: string): UserNotification => ({
  id, channel: 'email', sourceType: 'notification', sourceId: 'r1', status: 'sent', attempts: 1, reason: null,
  firstAt: '2030-01-01T00:00:00.000Z', lastAt: '2030-01-01T00:00:01.000Z',
});

function setup() {
  const t = createTestApp();
  t.clients.items.set('c1', client('c1'));
  t.clients.items.set('c2', client('c2'));
  return { ...t, http: request(t.app.callback()), ann: bearer(userToken('c1')) };
}

describe('who may call /api/me', () => {
  it.each([
    ['get', '/api/me/notifications'],
    ['get', '/api/me/preferences'],
    ['put', '/api/me/preferences'],
  ] as const)('%s %s: 401 without a token, 401 with a bad JWT, 403 for API keys (even admin)', async (method, path) => {
    const { http } = setup();
    expect((await http[method](path)).status).toBe(401);
    expect((await http[method](path).set('Authorization', bearer(userToken('c1', 'another-secret-of-16-chars')))).status).toBe(401);
    for (const key of [KEYS.admin, KEYS.service, KEYS.stats]) {
      const res = await http[method](path).set('Authorization', bearer(key));
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
    }
  });
});

describe('GET /api/me/notifications', () => {
  it("lists the caller's own deliveries only, a page at a time", async () => {
    const { http, ann, userNotifications } = setup();
    userNotifications.byClient.set('c1', [delivery('d3'), delivery('d2'), delivery('d1')]);
    userNotifications.byClient.set('c2', [delivery('other')]);
    const first = await http.get('/api/me/notifications?limit=2').set('Authorization', ann);
    expect(first.status).toBe(200);
    expect(MyNotificationPageSchema.parse(first.body)).toEqual(first.body);
    expect(first.body.items.map((d: UserNotification) => d.id)).toEqual(['d3', 'd2']);
    const second = await http.get(`/api/me/notifications?limit=2&cursor=${first.body.nextCursor}`).set('Authorization', ann);
    expect(second.body).toEqual({ items: [delivery('d1')], nextCursor: null });
  });

  it('defaults to pages of 50 and gives an empty page to a user without messages', async () => {
    const { http, userNotifications } = setup();
    userNotifications.byClient.set('c2', Array.from({ length: 60 }, (_, i) => delivery(`d${i}`)));
    const res = await http.get('/api/me/notifications').set('Authorization', bearer(userToken('c2')));
    expect(res.body.items).toHaveLength(50);
    const none = await http.get('/api/me/notifications').set('Authorization', bearer(userToken('nobody')));
    expect(none.body).toEqual({ items: [], nextCursor: null });
  });

  it.each(['limit=0', 'limit=501', 'limit=x', 'user=c2'])('answers 400 for the query %s', async (query) => {
    const { http, ann } = setup();
    const res = await http.get(`/api/me/notifications?${query}`).set('Authorization', ann);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
  });
});

describe('GET /api/me/preferences', () => {
  it("shows the caller's preferences", async () => {
    const { http, ann, clients } = setup();
    clients.items.set('c1', client('c1', { preferences: { promo: false, channels: { sms: false }, quietHours: { from: '22:00', to: '08:00' } } }));
    const res = await http.get('/api/me/preferences').set('Authorization', ann);
    expect(res.status).toBe(200);
    expect(PreferencesSchema.parse(res.body)).toEqual(res.body);
    expect(res.body).toEqual({ promo: false, channels: { sms: false }, quietHours: { from: '22:00', to: '08:00' } });
  });

  it('answers 404 for a user who is not a client', async () => {
    const { http } = setup();
    const res = await http.get('/api/me/preferences').set('Authorization', bearer(userToken('ghost')));
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });
});

describe('PUT /api/me/preferences', () => {
  const body = { promo: false, channels: { sms: false, email: true, push: true, inapp: true }, quietHours: { from: '23:00', to: '07:00' } };

  it("replaces the caller's preferences through the store and nobody else's", async () => {
    const { http, ann, clients } = setup();
    const res = await http.put('/api/me/preferences').set('Authorization', ann).send(body);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(body);
    expect(clients.items.get('c1')).toMatchObject({ preferences: body, updatedAt: NOW, phone: '79001234567' });
    expect(clients.items.get('c2')?.preferences.promo).toBe(true);
  });

  it('keeps only the channel switches given, and quiet hours may be cleared', async () => {
    const { http, ann, clients } = setup();
    const res = await http.put('/api/me/preferences').set('Authorization', ann).send({ promo: true, channels: { push: false }, quietHours: null });
    expect(res.status).toBe(200);
    expect(clients.items.get('c1')?.preferences).toEqual({ promo: true, channels: { push: false }, quietHours: null });
  });

  it.each([
    ['promo missing', { channels: {}, quietHours: null }, 'promo'],
    ['promo not a boolean', { ...body, promo: 'no' }, 'promo'],
    ['an unknown channel', { ...body, channels: { fax: true } }, 'channels.fax'],
    ['a channel not a boolean', { ...body, channels: { sms: 'off' } }, 'channels.sms'],
    ['a bad quiet hours time', { ...body, quietHours: { from: '24:00', to: '07:00' } }, 'quietHours.from'],
    ['quiet hours missing', { promo: true, channels: {} }, 'quietHours'],
    ['an unknown field', { ...body, email: 'x@example.com' }, 'email'],
  ])('answers 422 for %s, naming %s, and changes nothing', async (_case, bad, path) => {
    const { http, ann, clients } = setup();
    const res = await http.put('/api/me/preferences').set('Authorization', ann).send(bad);
    expect(res.status).toBe(422);
    expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
    expect(clients.items.get('c1')?.preferences).toEqual({ promo: true, channels: {}, quietHours: null });
  });

  it('answers 404 for a user who is not a client (and creates nobody)', async () => {
    const { http, clients } = setup();
    const res = await http.put('/api/me/preferences').set('Authorization', bearer(userToken('ghost'))).send(body);
    expect(res.status).toBe(404);
    expect(clients.items.has('ghost')).toBe(false);
  });
});
