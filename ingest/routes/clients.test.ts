import request from 'supertest';
import { ClientSchema } from '../../domain/resources/clients';
import { ClientPageSchema } from '../openapi/clients';
import { KEYS, NOW, bearer, createTestApp } from '../../tests/doubles/test-app';

const admin = bearer(KEYS.admin);
const valid = { phone: '79161234567', timezone: 'Europe/Moscow', tags: ['vip'], email: 'ann@example.com', name: 'Ann' };

function setup() {
  const t = createTestApp();
  return { ...t, http: request(t.app.callback()) };
}

describe('POST /api/clients', () => {
  it('creates a client with defaults and a server id', async () => {
    const { http, clients } = setup();
    const res = await http.post('/api/clients').set('Authorization', admin).send(valid);
    expect(res.status).toBe(201);
    expect(ClientSchema.parse(res.body)).toEqual(res.body);
    expect(res.body).toMatchObject({
      id: 'id-1',
      operatorCode: '916',
      locale: 'en',
      emailConfirmed: false,
      deviceTokens: [],
      subscriptions: [],
      preferences: { promo: true, channels: {}, quietHours: null },
      updatedAt: new Date(NOW).toISOString(),
    });
    expect(res.headers.location).toBe('/api/clients/id-1');
    expect(clients.items.get('id-1')?.phone).toBe('79161234567');
  });

  it('keeps an explicit id and operator code', async () => {
    const { http } = setup();
    const res = await http.post('/api/clients').set('Authorization', admin).send({ ...valid, id: 'c-1', operatorCode: '999' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ id: 'c-1', operatorCode: '999' });
  });

  it('answers 409 for an id that exists', async () => {
    const { http } = setup();
    await http.post('/api/clients').set('Authorization', admin).send({ ...valid, id: 'c-1' }).expect(201);
    const res = await http.post('/api/clients').set('Authorization', admin).send({ ...valid, id: 'c-1' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('CONFLICT');
  });

  it.each([
    ['a phone not 7 + 10 digits', { phone: '89161234567' }, 'phone'],
    ['a short phone', { phone: '7916123' }, 'phone'],
    ['an unknown time zone', { timezone: 'Mars/Olympus' }, 'timezone'],
    ['a bad email', { email: 'not-an-email' }, 'email'],
    ['an unknown field', { nickname: 'x' }, 'nickname'],
    ['an unknown preferences field', { preferences: { promo: true, sms: true } }, 'preferences.sms'],
    ['a bad quiet hours time', { preferences: { quietHours: { from: '25:00', to: '07:00' } } }, 'preferences.quietHours.from'],
    ['a non-string tag', { tags: [1] }, 'tags.0'],
  ])('answers 422 for %s', async (_case, patch, path) => {
    const { http } = setup();
    const res = await http.post('/api/clients').set('Authorization', admin).send({ ...valid, ...patch });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
  });
});

describe('GET /api/clients', () => {
  async function seeded() {
    const s = setup();
    const add = (id: string, phone: string, tags: string[]) =>
      s.http.post('/api/clients').set('Authorization', admin).send({ id, phone, tags }).expect(201);
    await add('a', '79161110000', ['vip']);
    await add('b', '79261110000', ['vip', 'new']);
    await add('c', '79161110001', ['new']);
    return s;
  }

  it('filters by tag and operator code', async () => {
    const { http } = await seeded();
    const byTag = await http.get('/api/clients?tag=vip').set('Authorization', admin).expect(200);
    expect(byTag.body.items.map((c: { id: string }) => c.id)).toEqual(['a', 'b']);
    const both = await http.get('/api/clients?tag=new&operatorCode=916').set('Authorization', admin).expect(200);
    expect(both.body.items.map((c: { id: string }) => c.id)).toEqual(['c']);
  });

  it('pages with limit and cursor', async () => {
    const { http } = await seeded();
    const first = await http.get('/api/clients?limit=2').set('Authorization', admin).expect(200);
    expect(ClientPageSchema.parse(first.body).items).toHaveLength(2);
    expect(first.body.nextCursor).not.toBeNull();
    const second = await http.get(`/api/clients?limit=2&cursor=${first.body.nextCursor}`).set('Authorization', admin).expect(200);
    expect(second.body.items.map((c: { id: string }) => c.id)).toEqual(['c']);
    expect(second.body.nextCursor).toBeNull();
  });

  it.each(['limit=0', 'limit=501', 'limit=abc', 'operatorCode=12', 'colour=red'])('answers 400 for the query %s', async (query) => {
    const { http } = setup();
    const res = await http.get(`/api/clients?${query}`).set('Authorization', admin);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
  });
});

describe('/api/clients/{id}', () => {
  async function withClient() {
    const s = setup();
    await s.http.post('/api/clients').set('Authorization', admin).send({ ...valid, id: 'c-1' }).expect(201);
    await s.clients.put({ ...(await s.clients.get('c-1'))!, emailConfirmed: true });
    return s;
  }

  it('gets one', async () => {
    const { http } = await withClient();
    const res = await http.get('/api/clients/c-1').set('Authorization', admin).expect(200);
    expect(res.body).toMatchObject({ id: 'c-1', name: 'Ann' });
  });

  it('patches: merges, re-derives the operator code of a new phone, unconfirms a new email', async () => {
    const { http, clients } = await withClient();
    const res = await http
      .patch('/api/clients/c-1')
      .set('Authorization', admin)
      .send({ phone: '79031234567', email: 'new@example.com', tags: ['gold'] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ operatorCode: '903', email: 'new@example.com', emailConfirmed: false, tags: ['gold'], name: 'Ann' });
    expect(clients.items.get('c-1')?.timezone).toBe('Europe/Moscow');
  });

  it.each([
    ['an unknown field', { id: 'other' }, 'id'],
    ['a bad time zone', { timezone: 'Nowhere/Land' }, 'timezone'],
    ['a bad phone', { phone: '123' }, 'phone'],
  ])('refuses a patch with %s (422)', async (_case, patch, path) => {
    const { http } = await withClient();
    const res = await http.patch('/api/clients/c-1').set('Authorization', admin).send(patch);
    expect(res.status).toBe(422);
    expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
  });

  it('deletes, then answers 404', async () => {
    const { http } = await withClient();
    await http.delete('/api/clients/c-1').set('Authorization', admin).expect(204);
    const res = await http.get('/api/clients/c-1').set('Authorization', admin);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });

  it.each(['get', 'patch', 'delete'] as const)('answers 404 to %s of an unknown id', async (method) => {
    const { http } = setup();
    const res = await http[method]('/api/clients/nope').set('Authorization', admin).send({});
    expect(res.status).toBe(404);
  });
});
