/**
 * Every listing's `limit`: out of range, the 400 says the allowed range (not zod's bare "<=500"), and
 * /openapi.json gives its minimum, maximum and default, so Swagger UI shows them.
 */
import request from 'supertest';
import { KEYS, bearer, createTestApp } from '../../tests/doubles/test-app';

const admin = bearer(KEYS.admin);
const RANGE = 'limit must be an integer between 1 and 500 (default 50)';

function setup() {
  const t = createTestApp();
  return { ...t, http: request(t.app.callback()) };
}

async function withMailing() {
  const t = setup();
  await t.mailings.put({
    id: 'm-1', text: 'hi', templateId: null, startAt: 0, endAt: 1000, filter: { operatorCodes: [], tags: [] },
    channel: 'sms', sendWindow: null, promo: false, priority: 'bulk', status: 'running', createdAt: 0, updatedAt: 0,
  });
  return t;
}

describe('limit of the statistics of one mailing', () => {
  it.each(['1000', '0', '-3', '2.5', 'many'])('limit=%s: 400 naming the allowed range', async (limit) => {
    const { http } = await withMailing();
    const res = await http.get(`/api/stats/mailings/m-1?limit=${limit}`).set('Authorization', admin).expect(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(res.body.error)).toContain(RANGE);
  });

  it('limit=500 and no limit are fine', async () => {
    const { http } = await withMailing();
    await http.get('/api/stats/mailings/m-1?limit=500').set('Authorization', admin).expect(200);
    await http.get('/api/stats/mailings/m-1').set('Authorization', admin).expect(200);
  });
});

describe.each(['/api/clients', '/api/mailings', '/api/templates', '/api/notifications'])('limit of %s', (path) => {
  it('limit=1000: 400 naming the allowed range', async () => {
    const { http } = setup();
    const res = await http.get(`${path}?limit=1000`).set('Authorization', admin).expect(400);
    expect(JSON.stringify(res.body.error)).toContain(RANGE);
  });
});

describe('/openapi.json', () => {
  it('gives minimum, maximum and default of every limit query parameter', async () => {
    const { http } = setup();
    const doc = (await http.get('/openapi.json').expect(200)).body;
    const limits: { path: string; schema: Record<string, unknown>; description?: string }[] = [];
    for (const [path, operations] of Object.entries<Record<string, { parameters?: { in: string; name: string; schema: Record<string, unknown>; description?: string }[] }>>(doc.paths)) {
      for (const operation of Object.values(operations)) {
        for (const p of operation.parameters ?? []) {
          if (p.in === 'query' && p.name === 'limit') limits.push({ path, schema: p.schema, description: p.description });
        }
      }
    }
    expect(limits.map((l) => l.path)).toEqual(expect.arrayContaining(['/api/stats/mailings/{id}', '/api/clients', '/api/me/notifications']));
    for (const limit of limits) {
      expect({ path: limit.path, ...limit.schema }).toMatchObject({ path: limit.path, type: 'integer', minimum: 1, maximum: 500, default: 50 });
      expect(limit.description).toMatch(/1.*500/);
    }
  });
});
