/**
 * The console's reads and previews through the API with in-memory ports: validation (400 for a bad query,
 * 422 naming the field for a bad body), roles (API keys and console sessions), and what each answers.
 */
import request from 'supertest';
import { VestnikError } from '../../platform/errors';
import type { Client, Template } from '../../schemas/types';
import { createMemoryConsoleSessionStore } from '../../tests/doubles/memory-console-sessions';
import { KEYS, NOW, bearer, createTestApp } from '../../tests/doubles/test-app';
import type { OidcClient } from '../console/oidc-client';
import { TEST_SEND_TTL_MS } from '../test-send';

const admin = bearer(KEYS.admin);
const stats = bearer(KEYS.stats);
const service = bearer(KEYS.service);

const client = (over: Partial<Client> = {}): Client => ({
  id: 'c-1', phone: '79001234567', operatorCode: '900', tags: ['vip'], timezone: 'Europe/Moscow', email: 'Ann@Example.com',
  emailConfirmed: false, name: 'Ann', locale: 'ru', deviceTokens: [], preferences: { promo: true, channels: {}, quietHours: null },
  subscriptions: [], updatedAt: NOW, ...over,
});

const template: Template = {
  id: 't-1', name: null, defaultLocale: 'en', contextProvider: null, updatedAt: NOW,
  variants: {
    en: { email: { subject: 'Hi {{name}}', text: 'Text {{name}}', html: '<p>{{name}} & {{extra}}</p>' }, sms: 'SMS {{name}}', push: null, inapp: null },
    ru: { email: null, sms: 'Привет, {{name}}', push: { title: 'T {{name}}', body: 'B' }, inapp: null },
  },
};

/** A provider stand-in: the code names who signs in. */
const fakeOidc: OidcClient = {
  authorizationUrl: async (params) => `https://idp.test/authorize?state=${params.state}`,
  signIn: async ({ code }) => ({ subject: code, name: code, role: code === 'editor' ? 'editor' : 'viewer' }),
};

async function setup() {
  const t = createTestApp({
    console: { store: createMemoryConsoleSessionStore({ now: () => NOW }), publicBaseUrl: 'http://127.0.0.1:8080', sessionIdleMs: 3_600_000, sessionMaxMs: 7_200_000, oidc: fakeOidc },
  });
  await t.clients.put(client());
  await t.clients.put(client({ id: 'c-2', phone: '79009999999', email: null, tags: ['new'], operatorCode: '900' }));
  await t.clients.put(client({ id: 'c-3', phone: '79161111111', operatorCode: '916', email: 'bob@example.com', tags: ['vip', 'new'] }));
  await t.templates.put(template);
  const http = request(t.app.callback());
  /** A console session of `role`: its cookie and CSRF token. */
  const signIn = async (role: 'viewer' | 'editor') => {
    const login = await http.get('/console/auth/login').expect(302);
    const loginCookie = ([] as string[]).concat(login.headers['set-cookie'] ?? []).find((c) => c.startsWith('vestnik_console_login='))!.split(';')[0]!;
    const state = new URL(String(login.headers.location)).searchParams.get('state');
    const callback = await http.get(`/console/auth/callback?code=${role}&state=${state}`).set('Cookie', loginCookie);
    const cookie = ([] as string[]).concat(callback.headers['set-cookie'] ?? []).find((c) => c.startsWith('vestnik_console='))!.split(';')[0]!;
    const csrf = (await http.get('/console/auth/me').set('Cookie', cookie).expect(200)).body.csrfToken as string;
    return { cookie, csrf };
  };
  return { ...t, http, signIn };
}

describe('GET /api/stats/overview', () => {
  it('answers 60 contiguous minutes ending with the current one, the send rate of the last five, lag and dead letters', async () => {
    const t = await setup();
    const sent = new Array(60).fill(0);
    sent.splice(55, 5, 1, 2, 3, 4, 10);
    t.overview.arranged.byStatus = { queued: new Array(60).fill(1), sent, failed: new Array(60).fill(0), expired: new Array(60).fill(0), suppressed: new Array(60).fill(0) };
    t.backlog.lag.push({ group: 'vestnik-analytics', topic: 'deliveries.status', lag: 7 });
    t.backlog.total.deadLetters = 3;
    const res = await t.http.get('/api/stats/overview').set('Authorization', stats).expect(200);
    expect(res.body).toMatchObject({
      range: 'hour', bucketSeconds: 60, sendRatePerMinute: 4, deadLetters: { total: 3 },
      lag: [{ group: 'vestnik-analytics', topic: 'deliveries.status', lag: 7 }],
      from: '2029-12-31T23:01:00.000Z', to: '2030-01-01T00:01:00.000Z',
    });
    expect(res.body.buckets).toHaveLength(60);
    expect(res.body.buckets[59]).toBe('2030-01-01T00:00:00.000Z');
    expect(res.body.byChannel.sms).toHaveLength(60);
    expect(t.overview.windows).toEqual([{ fromMs: NOW - 59 * 60_000, minutes: 60 }]);
  });

  it('range=day is 1440 minutes; another range or an unknown parameter is a 400 naming it', async () => {
    const t = await setup();
    expect((await t.http.get('/api/stats/overview?range=day').set('Authorization', stats).expect(200)).body.buckets).toHaveLength(1440);
    const bad = await t.http.get('/api/stats/overview?range=week').set('Authorization', stats).expect(400);
    expect(bad.body.error.details).toEqual([expect.objectContaining({ path: 'range' })]);
    await t.http.get('/api/stats/overview?from=1').set('Authorization', stats).expect(400);
  });

  it('charts from–to, whole minutes, as a custom range', async () => {
    const t = await setup();
    const res = await t.http.get('/api/stats/overview?from=2026-12-02T21:00:00Z&to=2026-12-03T21:00:00Z').set('Authorization', stats).expect(200);
    expect(res.body).toMatchObject({ range: 'custom', from: '2026-12-02T21:00:00.000Z', to: '2026-12-03T21:00:00.000Z' });
    expect(res.body.buckets).toHaveLength(1440);
    expect(t.overview.windows).toEqual([{ fromMs: Date.parse('2026-12-02T21:00:00Z'), minutes: 1440 }]);
  });

  it.each([
    ['range=day&from=2026-12-03T00:00:00Z&to=2026-12-04T00:00:00Z', 'range', 'not both'],
    ['from=2026-12-03T00:00:30Z&to=2026-12-04T00:00:00Z', 'from', 'whole minute'],
    ['from=2026-12-03T00:00:00Z&to=2026-12-04T00:00:00.500Z', 'to', 'whole minute'],
    ['from=2026-12-01T00:00:00Z&to=2026-12-09T00:00:00Z', 'to', 'at most 7 days'],
    ['from=2026-12-04T00:00:00Z&to=2026-12-03T00:00:00Z', 'to', 'after from'],
    ['to=2026-12-04T00:00:00Z', 'from', 'go together'],
  ])('answers 400 to %s, naming %s', async (query, path, message) => {
    const t = await setup();
    const res = await t.http.get(`/api/stats/overview?${query}`).set('Authorization', stats).expect(400);
    expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path, message: expect.stringContaining(message) })]));
    expect(t.overview.windows).toEqual([]);
  });

  it('needs the stats role (or admin, or a console viewer)', async () => {
    const t = await setup();
    await t.http.get('/api/stats/overview').expect(401);
    await t.http.get('/api/stats/overview').set('Authorization', service).expect(403);
    await t.http.get('/api/stats/overview').set('Authorization', admin).expect(200);
    const viewer = await t.signIn('viewer');
    await t.http.get('/api/stats/overview').set('Cookie', viewer.cookie).expect(200);
  });

  it('a Kafka that cannot be read is a 503, not a 500', async () => {
    const t = await setup();
    t.backlog.consumerLag = async () => { throw new VestnikError('DEPENDENCY_UNAVAILABLE', 'kafka down', { retriable: true }); };
    expect((await t.http.get('/api/stats/overview').set('Authorization', stats)).status).toBe(503);
  });
});

describe('POST /api/mailings/audience', () => {
  it.each([
    [{ operatorCodes: [], tags: [] }, 3],
    [{ operatorCodes: ['900'], tags: [] }, 2],
    [{ operatorCodes: [], tags: ['vip', 'new'] }, 3],
    [{ operatorCodes: ['900'], tags: ['new'] }, 1],
  ])('counts the clients of %j', async (filter, size) => {
    const t = await setup();
    expect((await t.http.post('/api/mailings/audience').set('Authorization', admin).send({ filter }).expect(200)).body).toEqual({ size });
  });

  it('refuses a bad filter with 422 naming the field, and writes nothing', async () => {
    const t = await setup();
    const res = await t.http.post('/api/mailings/audience').set('Authorization', admin).send({ filter: { operatorCodes: ['90'] } }).expect(422);
    expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'filter.operatorCodes.0' })]);
    await t.http.post('/api/mailings/audience').set('Authorization', admin).send({ filter: {}, name: 'x' }).expect(422);
    expect(t.mailings.items.size).toBe(0);
  });

  it('a stats key may not; a console viewer may (it writes nothing)', async () => {
    const t = await setup();
    await t.http.post('/api/mailings/audience').set('Authorization', stats).send({ filter: {} }).expect(403);
    const viewer = await t.signIn('viewer');
    await t.http.post('/api/mailings/audience').set('Cookie', viewer.cookie).set('X-CSRF-Token', viewer.csrf).send({ filter: {} }).expect(200);
  });
});

describe('GET /api/clients by phone and email', () => {
  it('finds a client by exact phone, and by email whatever its case', async () => {
    const t = await setup();
    const byPhone = await t.http.get('/api/clients?phone=79161111111').set('Authorization', admin).expect(200);
    expect(byPhone.body.items.map((c: Client) => c.id)).toEqual(['c-3']);
    const byEmail = await t.http.get(`/api/clients?email=${encodeURIComponent('ANN@example.COM')}`).set('Authorization', admin).expect(200);
    expect(byEmail.body.items.map((c: Client) => c.id)).toEqual(['c-1']);
    const both = await t.http.get('/api/clients?phone=79161111111&tag=new').set('Authorization', admin).expect(200);
    expect(both.body.items.map((c: Client) => c.id)).toEqual(['c-3']);
    expect((await t.http.get('/api/clients?phone=79000000000').set('Authorization', admin).expect(200)).body.items).toEqual([]);
  });

  it.each([['phone=89161111111', 'phone'], ['phone=7916', 'phone'], ['email=not-an-email', 'email']])('%s is a 400', async (query, path) => {
    const t = await setup();
    const res = await t.http.get(`/api/clients?${query}`).set('Authorization', admin).expect(400);
    expect(res.body.error.details).toEqual([expect.objectContaining({ path })]);
  });
});

describe('GET /api/clients/{id}/deliveries', () => {
  const item = {
    deliveryId: 'd-1', channel: 'sms', sourceType: 'mailing', sourceId: 'm-1', status: 'sent', reason: null, attempts: 2,
    firstAt: '2030-01-01T00:00:00.000Z', lastAt: '2030-01-01T00:00:05.000Z',
    history: [
      { status: 'queued', reason: null, provider: null, attempt: 0, at: '2030-01-01T00:00:00.000Z' },
      { status: 'retrying', reason: 'HTTP 503', provider: 'sms-api', attempt: 1, at: '2030-01-01T00:00:01.000Z' },
      { status: 'sent', reason: null, provider: 'sms-api-secondary', attempt: 2, at: '2030-01-01T00:00:05.000Z' },
    ],
  } as const;

  it('pages the client\'s deliveries with their history', async () => {
    const t = await setup();
    t.deliveryLog.byClient.set('c-1', [structuredClone(item) as never, { ...structuredClone(item), deliveryId: 'd-0' } as never]);
    const first = await t.http.get('/api/clients/c-1/deliveries?limit=1').set('Authorization', admin).expect(200);
    expect(first.body).toEqual({ items: [item], nextCursor: '1' });
    const second = await t.http.get('/api/clients/c-1/deliveries?limit=1&cursor=1').set('Authorization', admin).expect(200);
    expect(second.body.items[0].deliveryId).toBe('d-0');
  });

  it('404 for an unknown client; 400 for a bad limit; a console viewer may read it', async () => {
    const t = await setup();
    await t.http.get('/api/clients/nobody/deliveries').set('Authorization', admin).expect(404);
    await t.http.get('/api/clients/c-1/deliveries?limit=0').set('Authorization', admin).expect(400);
    await t.http.get('/api/clients/c-1/deliveries').set('Authorization', stats).expect(403);
    const viewer = await t.signIn('viewer');
    await t.http.get('/api/clients/c-1/deliveries').set('Cookie', viewer.cookie).expect(200);
  });
});

describe('POST /api/templates/preview', () => {
  const { id: _id, updatedAt: _u, ...input } = template;
  const preview = (t: Awaited<ReturnType<typeof setup>>, body: object) => t.http.post('/api/templates/preview').set('Authorization', admin).send(body);

  it('renders the client\'s locale with the client\'s data', async () => {
    const t = await setup();
    expect((await preview(t, { template: input, clientId: 'c-1', channel: 'sms' }).expect(200)).body).toEqual({ channel: 'sms', locale: 'ru', text: 'Привет, Ann' });
    expect((await preview(t, { template: input, clientId: 'c-1', channel: 'push' }).expect(200)).body).toEqual({ channel: 'push', locale: 'ru', title: 'T Ann', text: 'B' });
  });

  it('renders the locale asked (a region falls back to its language); escapes values only in the HTML part; takes a sample context', async () => {
    const t = await setup();
    const res = await preview(t, { template: input, clientId: 'c-1', channel: 'email', locale: 'en', context: { extra: 'a<b' } }).expect(200);
    expect(res.body).toEqual({ channel: 'email', locale: 'en', subject: 'Hi Ann', text: 'Text Ann', html: '<p>Ann & a&lt;b</p>' });
    expect((await preview(t, { template: input, clientId: 'c-1', channel: 'sms', locale: 'en-GB' }).expect(200)).body.locale).toBe('en');
    // As the pipeline does: the client's variant (ru) has no email part, so nothing falls back to en's.
    const none = await preview(t, { template: input, clientId: 'c-1', channel: 'email' }).expect(422);
    expect(none.body.error.details).toEqual([expect.objectContaining({ path: 'template.variants.ru.email' })]);
  });

  it('adds the context provider\'s data for the client', async () => {
    const t = await setup();
    t.userData.contexts.set('monthly-digest:c-1', { favouriteGenre: 'drama' });
    const digest = { ...input, contextProvider: 'monthly-digest', variants: { en: { sms: '{{name}} likes {{monthlyDigest.favouriteGenre}}' } } };
    expect((await preview(t, { template: digest, clientId: 'c-1', channel: 'sms' }).expect(200)).body.text).toBe('Ann likes drama');
    const missing = await preview(t, { template: digest, clientId: 'c-3', channel: 'sms' }).expect(422);
    expect(missing.body.error.details).toEqual([{ path: 'clientId', message: expect.stringContaining('no monthly-digest context') }]);
    t.userData.failWith.error = new VestnikError('PROVIDER_UNAVAILABLE', 'down', { retriable: true });
    expect((await preview(t, { template: digest, clientId: 'c-1', channel: 'sms' })).status).toBe(503);
    t.userData.failWith.error = new VestnikError('PROVIDER_REJECTED', 'user-data service knows no context kind monthly-digest', { retriable: false });
    const unknown = await preview(t, { template: digest, clientId: 'c-1', channel: 'sms' }).expect(422);
    expect(unknown.body.error.details).toEqual([expect.objectContaining({ path: 'template.contextProvider' })]);
  });

  it.each([
    ['a source that does not compile', { en: { sms: 'Hi {{#if}}' } }, 'sms', 'template.variants.en.sms', /does not compile/],
    ['a helper that fails at render time', { en: { email: { subject: '{{nohelper name}}', text: 'ok' } } }, 'email', 'template.variants.en.email.subject', /Missing helper/],
    ['a channel the template lacks', { en: { sms: 'Hi' } }, 'push', 'template.variants.en.push', /no push part/],
  ])('%s is a 422 naming the field', async (_case, variants, channel, path, message) => {
    const t = await setup();
    const res = await preview(t, { template: { defaultLocale: 'en', variants }, clientId: 'c-2', channel }).expect(422);
    expect(res.body.error.details).toEqual([expect.objectContaining({ path, message: expect.stringMatching(message) })]);
  });

  it('an unknown client is a 422 on clientId; a stats key may not preview; a console viewer may', async () => {
    const t = await setup();
    const res = await preview(t, { template: input, clientId: 'nobody', channel: 'sms' }).expect(422);
    expect(res.body.error.details).toEqual([{ path: 'clientId', message: 'no such client' }]);
    await t.http.post('/api/templates/preview').set('Authorization', stats).send({ template: input, clientId: 'c-1', channel: 'sms' }).expect(403);
    const viewer = await t.signIn('viewer');
    await t.http.post('/api/templates/preview').set('Cookie', viewer.cookie).set('X-CSRF-Token', viewer.csrf)
      .send({ template: input, clientId: 'c-1', channel: 'sms' }).expect(200);
  });
});

describe('POST /api/templates/{id}/test-send', () => {
  it('queues one express delivery marked as a test, to the given address, rendered for the sample client', async () => {
    const t = await setup();
    const res = await t.http.post('/api/templates/t-1/test-send').set('Authorization', admin)
      .send({ channel: 'email', to: 'operator@example.com', clientId: 'c-1', locale: 'en' }).expect(202);
    expect(t.express.enqueued).toHaveLength(1);
    const { command, status } = t.express.enqueued[0]!;
    expect(res.body).toEqual({ deliveryId: command.deliveryId });
    expect(command).toMatchObject({
      sourceType: 'test', priority: 'express', channel: 'email', address: 'operator@example.com', clientId: 'c-1',
      content: { subject: 'Hi Ann', text: 'Text Ann' }, expiresAt: NOW + TEST_SEND_TTL_MS, timezone: 'Europe/Moscow',
    });
    expect(status).toMatchObject({ deliveryId: command.deliveryId, status: 'queued', sourceType: 'test', reason: 'test send of template t-1' });
    // A second test is a new delivery: the senders claim each once.
    await t.http.post('/api/templates/t-1/test-send').set('Authorization', admin).send({ channel: 'sms', to: '79005550000' }).expect(202);
    expect(t.express.enqueued[1]!.command).toMatchObject({ address: '79005550000', clientId: expect.stringMatching(/^test:/), content: { text: 'SMS ' } });
    expect(t.express.enqueued[1]!.command.deliveryId).not.toBe(command.deliveryId);
  });

  it.each([
    [{ channel: 'sms', to: 'operator@example.com' }, 'to'],
    [{ channel: 'email', to: '79005550000' }, 'to'],
    [{ channel: 'fax', to: '1' }, 'channel'],
    [{ channel: 'sms', to: '79005550000', clientId: 'nobody' }, 'clientId'],
  ])('refuses %j with 422 naming %s, and queues nothing', async (body, path) => {
    const t = await setup();
    const res = await t.http.post('/api/templates/t-1/test-send').set('Authorization', admin).send(body).expect(422);
    expect(res.body.error.details).toEqual([expect.objectContaining({ path })]);
    expect(t.express.enqueued).toEqual([]);
  });

  it('404 for an unknown template; editors may, viewers and stats keys may not', async () => {
    const t = await setup();
    const body = { channel: 'sms', to: '79005550000' };
    await t.http.post('/api/templates/none/test-send').set('Authorization', admin).send(body).expect(404);
    await t.http.post('/api/templates/t-1/test-send').set('Authorization', stats).send(body).expect(403);
    const viewer = await t.signIn('viewer');
    await t.http.post('/api/templates/t-1/test-send').set('Cookie', viewer.cookie).set('X-CSRF-Token', viewer.csrf).send(body).expect(403);
    const editor = await t.signIn('editor');
    await t.http.post('/api/templates/t-1/test-send').set('Cookie', editor.cookie).send(body).expect(403); // no CSRF token
    await t.http.post('/api/templates/t-1/test-send').set('Cookie', editor.cookie).set('X-CSRF-Token', editor.csrf).send(body).expect(202);
    expect(t.express.enqueued).toHaveLength(1);
  });
});
