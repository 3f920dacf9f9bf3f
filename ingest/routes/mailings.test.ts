import request from 'supertest';
import { MailingSchema } from '../../domain/resources/mailings';
import { KEYS, NOW, bearer, createTestApp } from '../../tests/doubles/test-app';

const admin = bearer(KEYS.admin);
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const valid = {
  text: 'Sale today',
  startAt: '2030-01-01T12:00:00+03:00',
  endAt: '2030-01-02T12:00:00+03:00',
  filter: { operatorCodes: ['916'], tags: ['vip'] },
};

function setup() {
  const t = createTestApp();
  return { ...t, http: request(t.app.callback()) };
}

async function withMailing(body: Record<string, unknown> = {}) {
  const s = setup();
  await s.http.post('/api/mailings').set('Authorization', admin).send({ ...valid, id: 'm-1', ...body }).expect(201);
  return s;
}

describe('POST /api/mailings', () => {
  it('creates a scheduled mailing, epoch ms inside and ISO outside', async () => {
    const { http, mailings } = setup();
    const res = await http.post('/api/mailings').set('Authorization', admin).send(valid);
    expect(res.status).toBe(201);
    expect(MailingSchema.parse(res.body)).toEqual(res.body);
    expect(res.body).toMatchObject({
      id: 'id-1',
      status: 'scheduled',
      channel: 'sms',
      priority: 'bulk',
      promo: false,
      sendWindow: null,
      templateId: null,
      startAt: '2030-01-01T09:00:00.000Z',
      createdAt: iso(NOW),
    });
    expect(mailings.items.get('id-1')).toMatchObject({ startAt: Date.parse('2030-01-01T09:00:00Z'), status: 'scheduled' });
  });

  it('accepts a template instead of text', async () => {
    const { http, templates } = setup();
    await templates.put({ id: 't-1', name: null, defaultLocale: 'en', variants: {}, contextProvider: null, updatedAt: NOW });
    const res = await http.post('/api/mailings').set('Authorization', admin).send({ ...valid, text: undefined, templateId: 't-1' });
    expect(res.status).toBe(201);
    expect(res.body.templateId).toBe('t-1');
  });

  it.each([
    ['endAt equal to startAt', { endAt: valid.startAt }, 'endAt'],
    ['endAt before startAt', { endAt: '2030-01-01T08:00:00+03:00' }, 'endAt'],
    ['endAt already past', { startAt: iso(NOW - 2 * HOUR), endAt: iso(NOW - HOUR) }, 'endAt'],
    ['an instant without a zone', { startAt: '2030-01-01T12:00:00' }, 'startAt'],
    ['an unknown filter key', { filter: { tags: [], regions: ['msk'] } }, 'filter.regions'],
    ['a status', { status: 'running' }, 'status'],
    ['both text and templateId', { templateId: 't-1' }, 'text'],
    ['neither text nor templateId', { text: undefined }, 'text'],
    ['an unknown template', { text: undefined, templateId: 'nope' }, 'templateId'],
    ['an unknown channel', { channel: 'fax' }, 'channel'],
    ['a bad send window', { sendWindow: { from: '9:00', to: '21:00' } }, 'sendWindow.from'],
    ['a bad priority', { priority: 'urgent' }, 'priority'],
  ])('answers 422 for %s', async (_case, patch, path) => {
    const { http } = setup();
    const res = await http.post('/api/mailings').set('Authorization', admin).send({ ...valid, ...patch });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
  });

  it('answers 409 for an id that exists', async () => {
    const { http } = await withMailing();
    const res = await http.post('/api/mailings').set('Authorization', admin).send({ ...valid, id: 'm-1' });
    expect(res.status).toBe(409);
  });
});

describe('GET /api/mailings', () => {
  it('lists, filtered by status', async () => {
    const { http, mailings } = await withMailing();
    await http.post('/api/mailings').set('Authorization', admin).send({ ...valid, id: 'm-2' }).expect(201);
    await mailings.put({ ...(await mailings.get('m-2'))!, status: 'running' });
    const all = await http.get('/api/mailings').set('Authorization', admin).expect(200);
    expect(all.body.items.map((m: { id: string }) => m.id)).toEqual(['m-1', 'm-2']);
    const running = await http.get('/api/mailings?status=running').set('Authorization', admin).expect(200);
    expect(running.body.items.map((m: { id: string }) => m.id)).toEqual(['m-2']);
  });
});

describe('/api/mailings/{id}', () => {
  it('gets one', async () => {
    const { http } = await withMailing();
    const res = await http.get('/api/mailings/m-1').set('Authorization', admin).expect(200);
    expect(res.body).toMatchObject({ id: 'm-1', text: 'Sale today' });
  });

  it('patches and keeps status and createdAt', async () => {
    const { http, mailings } = await withMailing();
    const res = await http.patch('/api/mailings/m-1').set('Authorization', admin).send({ text: 'New text', promo: true });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ text: 'New text', promo: true, status: 'scheduled', endAt: '2030-01-02T09:00:00.000Z' });
    expect(mailings.items.get('m-1')?.filter).toEqual(valid.filter);
  });

  it.each([
    ['an endAt before the stored startAt', { endAt: '2030-01-01T00:00:00Z' }, 'endAt'],
    ['a status', { status: 'cancelled' }, 'status'],
    ['a template while text is set', { templateId: 't-1' }, 'text'],
  ])('re-validates the merged mailing: 422 for %s', async (_case, patch, path) => {
    const { http } = await withMailing();
    const res = await http.patch('/api/mailings/m-1').set('Authorization', admin).send(patch);
    expect(res.status).toBe(422);
    expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
  });

  it('cancels, idempotently, and refuses to patch a cancelled mailing', async () => {
    const { http, mailings } = await withMailing();
    const res = await http.post('/api/mailings/m-1/cancel').set('Authorization', admin).expect(200);
    expect(res.body.status).toBe('cancelled');
    expect(mailings.items.get('m-1')?.status).toBe('cancelled');
    await http.post('/api/mailings/m-1/cancel').set('Authorization', admin).expect(200);
    const patch = await http.patch('/api/mailings/m-1').set('Authorization', admin).send({ text: 'x' });
    expect(patch.status).toBe(409);
  });

  it('refuses to cancel a finished mailing', async () => {
    const { http, mailings } = await withMailing();
    await mailings.put({ ...(await mailings.get('m-1'))!, status: 'finished' });
    await http.post('/api/mailings/m-1/cancel').set('Authorization', admin).expect(409);
  });

  it('deletes, then answers 404', async () => {
    const { http, mailings } = await withMailing();
    await http.delete('/api/mailings/m-1').set('Authorization', admin).expect(204);
    expect(mailings.items.has('m-1')).toBe(false);
    await http.get('/api/mailings/m-1').set('Authorization', admin).expect(404);
  });

  it.each([
    ['get', '/api/mailings/nope'],
    ['patch', '/api/mailings/nope'],
    ['delete', '/api/mailings/nope'],
    ['post', '/api/mailings/nope/cancel'],
  ] as const)('answers 404 to %s %s', async (method, path) => {
    const { http } = setup();
    const res = await http[method](path).set('Authorization', admin).send({});
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });
});
