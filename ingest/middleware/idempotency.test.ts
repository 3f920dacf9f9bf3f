/** Idempotency-Key on the creating POSTs, through the app with in-memory ports. */
import request from 'supertest';
import { KEYS, bearer, createTestApp } from '../../tests/doubles/test-app';
import { createMemoryIdempotencyStore } from '../../tests/doubles/memory-idempotency';
import type { IdempotencyStore } from './idempotency-store';

const admin = bearer(KEYS.admin);
const client = { phone: '79161234567', name: 'Ann' };

function setup(store: IdempotencyStore = createMemoryIdempotencyStore()) {
  const t = createTestApp({ idempotency: store });
  return { ...t, http: request(t.app.callback()) };
}

describe('Idempotency-Key', () => {
  it('replays the first answer (status, body, Location) for the same key and body, creating nothing more', async () => {
    const { http, clients } = setup();
    const first = await http.post('/api/clients').set('Authorization', admin).set('Idempotency-Key', 'k-1').send(client);
    const again = await http.post('/api/clients').set('Authorization', admin).set('Idempotency-Key', 'k-1').send({ name: 'Ann', phone: '79161234567' });
    expect(first.status).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(again.headers.location).toBe(first.headers.location);
    expect(clients.items.size).toBe(1);
  });

  it('without the header every POST creates', async () => {
    const { http, clients } = setup();
    await http.post('/api/clients').set('Authorization', admin).send(client);
    await http.post('/api/clients').set('Authorization', admin).send(client);
    expect(clients.items.size).toBe(2);
  });

  it('the same key with another body is 422 IDEMPOTENCY_KEY_REUSED', async () => {
    const { http, clients } = setup();
    await http.post('/api/clients').set('Authorization', admin).set('Idempotency-Key', 'k-2').send(client);
    const other = await http.post('/api/clients').set('Authorization', admin).set('Idempotency-Key', 'k-2').send({ ...client, name: 'Bob' });
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(clients.items.size).toBe(1);
  });

  it('the same key on another route is 422 too (the route is part of the request)', async () => {
    const { http } = setup();
    await http.post('/api/clients').set('Authorization', admin).set('Idempotency-Key', 'k-3').send(client);
    const res = await http.post('/api/notifications').set('Authorization', admin).set('Idempotency-Key', 'k-3').send(client);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('a request still in progress with the key is 409 IDEMPOTENCY_KEY_IN_USE', async () => {
    const store = createMemoryIdempotencyStore();
    const { http } = setup(store);
    // Hold the first request inside the store's completion, then send the second.
    let releaseFirst!: () => void;
    const gate = new Promise<void>((resolve) => { releaseFirst = resolve; });
    const complete = store.complete.bind(store);
    store.complete = async (...args) => { await gate; return complete(...args); };
    const first = http.post('/api/clients').set('Authorization', admin).set('Idempotency-Key', 'k-4').send(client).then((r) => r);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = await http.post('/api/clients').set('Authorization', admin).set('Idempotency-Key', 'k-4').send(client);
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('IDEMPOTENCY_KEY_IN_USE');
    releaseFirst();
    expect((await first).status).toBe(201);
  });

  it('an error answer is not remembered: the key can be used again', async () => {
    const { http, clients } = setup();
    const bad = await http.post('/api/clients').set('Authorization', admin).set('Idempotency-Key', 'k-5').send({ phone: 'nope' });
    expect(bad.status).toBe(422);
    const retried = await http.post('/api/clients').set('Authorization', admin).set('Idempotency-Key', 'k-5').send({ phone: 'nope' });
    expect(retried.status).toBe(422);
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
    expect(clients.items.size).toBe(0);
  });

  it('keys are per caller: another API key with the same Idempotency-Key gets its own answer', async () => {
    const { http } = setup();
    const a = await http.post('/api/notifications').set('Authorization', admin).set('Idempotency-Key', 'k-6')
      .send({ templateId: 't-1', userIds: ['u-1'] });
    const b = await http.post('/api/notifications').set('Authorization', bearer(KEYS.service)).set('Idempotency-Key', 'k-6')
      .send({ templateId: 't-1', userIds: ['u-1'] });
    expect(a.status).toBe(202);
    expect(b.status).toBe(202);
    expect(b.headers['idempotent-replayed']).toBeUndefined();
    expect(b.body.id).not.toBe(a.body.id);
  });

  it('replays POST /api/notifications and POST /api/mailings', async () => {
    const { http } = setup();
    const body = { templateId: 't-1', userIds: ['u-1'] };
    const first = await http.post('/api/notifications').set('Authorization', admin).set('Idempotency-Key', 'n-1').send(body);
    const again = await http.post('/api/notifications').set('Authorization', admin).set('Idempotency-Key', 'n-1').send(body);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    const mailing = { text: 'Hi', startAt: '2030-01-02T00:00:00Z', endAt: '2030-01-03T00:00:00Z' };
    const m1 = await http.post('/api/mailings').set('Authorization', admin).set('Idempotency-Key', 'm-1').send(mailing);
    const m2 = await http.post('/api/mailings').set('Authorization', admin).set('Idempotency-Key', 'm-1').send(mailing);
    expect(m1.status).toBe(201);
    expect(m2.body).toEqual(m1.body);
    expect(m2.headers['idempotent-replayed']).toBe('true');
  });

  it('a malformed key is 400', async () => {
    const { http } = setup();
    const res = await http.post('/api/clients').set('Authorization', admin).set('Idempotency-Key', 'x'.repeat(256)).send(client);
    expect(res.status).toBe(400);
  });

  it('is documented as a header parameter of the three POSTs', async () => {
    const { http } = setup();
    const doc = (await http.get('/openapi.json')).body;
    for (const path of ['/api/clients', '/api/mailings', '/api/notifications']) {
      const names = (doc.paths[path].post.parameters ?? []).map((p: { name: string; in: string }) => `${p.in}:${p.name}`);
      expect(names).toContain('header:idempotency-key');
    }
  });
});
