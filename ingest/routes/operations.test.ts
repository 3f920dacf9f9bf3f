import request from 'supertest';
import { KEYS, bearer, createTestApp } from '../../tests/doubles/test-app';

const EXPECTED_OPERATIONS = [
  'post /api/clients', 'get /api/clients', 'get /api/clients/{id}', 'patch /api/clients/{id}', 'delete /api/clients/{id}',
  'get /api/clients/{id}/deliveries',
  'post /api/mailings', 'get /api/mailings', 'get /api/mailings/{id}', 'patch /api/mailings/{id}', 'delete /api/mailings/{id}',
  'post /api/mailings/{id}/cancel',
  'post /api/mailings/{id}/resend', 'post /api/mailings/audience',
  'post /api/templates/preview', 'post /api/templates/{id}/test-send',
  'post /api/templates', 'get /api/templates', 'get /api/templates/{id}', 'put /api/templates/{id}', 'delete /api/templates/{id}',
  'post /api/events/{type}', 'post /api/notifications', 'delete /api/notifications/{id}',
  'get /api/stats/mailings', 'get /api/stats/mailings/{id}', 'get /api/stats/channels', 'get /api/stats/overview',
  'get /api/notifications', 'get /api/notifications/{id}',
  'get /api/me/notifications', 'get /api/me/preferences', 'put /api/me/preferences', 'get /u/{token}', 'post /u/{token}',
  'get /healthz', 'get /readyz', 'get /metrics', 'get /openapi.json', 'get /docs',
];

describe('GET /openapi.json', () => {
  it('is an OpenAPI 3 document listing every route, with the bearer scheme', async () => {
    const { app } = createTestApp();
    const res = await request(app.callback()).get('/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.body;
    expect(doc.openapi).toMatch(/^3\.0\.\d$/);
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    const operations = Object.entries<Record<string, unknown>>(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method} ${path}`),
    );
    expect(operations.sort()).toEqual([...EXPECTED_OPERATIONS].sort());
  });

  it('describes bodies from the validation schemas, and every $ref resolves', async () => {
    const { app } = createTestApp();
    const doc = (await request(app.callback()).get('/openapi.json')).body;
    const client = doc.components.schemas.ClientInput;
    expect(client.additionalProperties).toBe(false);
    expect(client.required).toEqual(['phone']);
    expect(client.properties.phone.pattern).toBe('^(7\\d{10})?$'); // '' = no phone (a registered user)
    expect(doc.components.schemas.MailingInput.properties.startAt.format).toBe('date-time');
    const refs = JSON.stringify(doc).match(/"#\/components\/schemas\/[^"]+"/g) ?? [];
    for (const ref of refs) expect(doc.components.schemas).toHaveProperty([ref.slice(22, -1)]);
  });
});

describe('GET /docs', () => {
  it('serves the Swagger UI page, pointed at /openapi.json, and its assets from swagger-ui-dist', async () => {
    const { app } = createTestApp();
    const http = request(app.callback());
    const page = await http.get('/docs');
    expect(page.status).toBe(200);
    expect(page.type).toBe('text/html');
    expect(page.text).toContain('<div id="swagger-ui">');
    expect(page.text).not.toMatch(/https?:\/\//);
    const bundle = await http.get('/docs/swagger-ui-bundle.js');
    expect(bundle.status).toBe(200);
    expect(bundle.type).toMatch(/javascript/);
    expect(bundle.text.length).toBeGreaterThan(100_000);
    const initializer = await http.get('/docs/swagger-initializer.js');
    expect(initializer.text).toContain("url: '/openapi.json'");
    expect(initializer.text).not.toContain('petstore');
    await http.get('/docs/swagger-ui.css').expect(200);
  });
});

describe('GET /metrics', () => {
  it('exposes request counts by route pattern and status, without auth', async () => {
    const { app } = createTestApp();
    const http = request(app.callback());
    await http.get('/api/clients/c-1').set('Authorization', bearer(KEYS.admin)).expect(404);
    await http.get('/api/clients/c-2').set('Authorization', bearer(KEYS.admin)).expect(404);
    await http.get('/healthz').expect(200);
    const res = await http.get('/metrics');
    expect(res.status).toBe(200);
    expect(res.type).toBe('text/plain');
    expect(res.text).toContain('vestnik_http_requests_total{method="GET",route="/api/clients/:id",status="404"} 2');
    expect(res.text).toContain('vestnik_http_request_duration_seconds_bucket{le="0.005",method="GET",route="/healthz",status="200"}');
  });

  it('is not served with METRICS_ENABLED=false (no registry), while the API works', async () => {
    const { app } = createTestApp({ metricsRegistry: null });
    const http = request(app.callback());
    await http.get('/healthz').expect(200);
    expect((await http.get('/metrics')).status).toBe(404);
    const doc = (await http.get('/openapi.json')).body;
    expect(doc.paths['/metrics']).toBeUndefined();
  });
});
