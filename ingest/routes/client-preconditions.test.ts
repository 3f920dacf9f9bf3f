/** ETag / If-Match on /api/clients/{id}, and the erasure a DELETE runs (in-memory ports). */
import request from 'supertest';
import { VestnikError } from '../../platform/errors';
import { KEYS, bearer, createTestApp } from '../../tests/doubles/test-app';

const admin = bearer(KEYS.admin);
const valid = { id: 'c-1', phone: '79161234567', name: 'Ann', email: 'ann@example.com' };

function setup() {
  const erased: string[] = [];
  const t = createTestApp({ eraseClient: async (id) => void erased.push(id) });
  return { ...t, erased, http: request(t.app.callback()) };
}

describe('ETag and If-Match on clients', () => {
  it('answers an ETag on POST, GET and PATCH; it changes with the record and GET repeats it', async () => {
    const { http } = setup();
    const created = await http.post('/api/clients').set('Authorization', admin).send(valid);
    const got = await http.get('/api/clients/c-1').set('Authorization', admin);
    expect(created.headers.etag).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
    expect(got.headers.etag).toBe(created.headers.etag);
    const patched = await http.patch('/api/clients/c-1').set('Authorization', admin).send({ name: 'Anna' });
    expect(patched.status).toBe(200);
    expect(patched.headers.etag).not.toBe(created.headers.etag);
    expect((await http.get('/api/clients/c-1').set('Authorization', admin)).headers.etag).toBe(patched.headers.etag);
  });

  it('PATCH with the current ETag writes; with a stale one answers 412 with the error body and writes nothing', async () => {
    const { http, clients } = setup();
    const { headers } = await http.post('/api/clients').set('Authorization', admin).send(valid);
    const first = await http.patch('/api/clients/c-1').set('Authorization', admin).set('If-Match', String(headers.etag)).send({ name: 'Anna' });
    expect(first.status).toBe(200);
    const stale = await http.patch('/api/clients/c-1').set('Authorization', admin).set('If-Match', String(headers.etag)).send({ name: 'Bob' });
    expect(stale.status).toBe(412);
    expect(stale.body.error).toMatchObject({ code: 'PRECONDITION_FAILED', details: { etag: first.headers.etag } });
    expect(clients.items.get('c-1')?.name).toBe('Anna');
  });

  it('PATCH without If-Match is unconditional (allowed)', async () => {
    const { http } = setup();
    await http.post('/api/clients').set('Authorization', admin).send(valid);
    expect((await http.patch('/api/clients/c-1').set('Authorization', admin).send({ name: 'Anna' })).status).toBe(200);
  });

  it('DELETE with a stale ETag is 412 and neither deletes nor erases', async () => {
    const { http, clients, erased } = setup();
    await http.post('/api/clients').set('Authorization', admin).send(valid);
    const res = await http.delete('/api/clients/c-1').set('Authorization', admin).set('If-Match', '"stale"');
    expect(res.status).toBe(412);
    expect(clients.items.has('c-1')).toBe(true);
    expect(erased).toEqual([]);
  });

  it('an If-Match on an absent client is 412 (RFC 9110), without it 404', async () => {
    const { http } = setup();
    expect((await http.patch('/api/clients/nope').set('Authorization', admin).set('If-Match', '*').send({ name: 'X' })).status).toBe(412);
    expect((await http.patch('/api/clients/nope').set('Authorization', admin).send({ name: 'X' })).status).toBe(404);
  });
});

describe('DELETE /api/clients/{id} erases the person', () => {
  it('removes the record, then erases the rest; GET is 404 afterwards', async () => {
    const { http, erased } = setup();
    const { headers } = await http.post('/api/clients').set('Authorization', admin).send(valid);
    expect((await http.delete('/api/clients/c-1').set('Authorization', admin).set('If-Match', String(headers.etag))).status).toBe(204);
    expect(erased).toEqual(['c-1']);
    expect((await http.get('/api/clients/c-1').set('Authorization', admin)).status).toBe(404);
  });

  it('a DELETE of a client already gone still erases (finishing an interrupted erasure) and answers 404', async () => {
    const { http, erased } = setup();
    expect((await http.delete('/api/clients/gone').set('Authorization', admin)).status).toBe(404);
    expect(erased).toEqual(['gone']);
  });

  it('an erasure that fails answers 503, and the retry completes it', async () => {
    let failures = 1;
    const erased: string[] = [];
    const t = createTestApp({
      eraseClient: async (id) => {
        if (failures-- > 0) throw new VestnikError('DEPENDENCY_UNAVAILABLE', 'erasure incomplete', { retriable: true });
        erased.push(id);
      },
    });
    const http = request(t.app.callback());
    await http.post('/api/clients').set('Authorization', admin).send(valid);
    const first = await http.delete('/api/clients/c-1').set('Authorization', admin);
    expect(first.status).toBe(503);
    expect((await http.delete('/api/clients/c-1').set('Authorization', admin)).status).toBe(404);
    expect(erased).toEqual(['c-1']);
  });
});
