import request from 'supertest';
import { Writable } from 'node:stream';
import { createLogger } from '../../platform/logger';
import { KEYS, bearer, createTestApp } from '../../tests/doubles/test-app';
import { loggedPath, loggedQuery } from './request-log';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: createLogger({ level: 'info', destination: stream }), lines };
}

/** The access-log line is written on response finish, which can trail supertest's resolution by a tick. */
async function accessLine(lines: Record<string, unknown>[]): Promise<Record<string, unknown>> {
  for (let i = 0; i < 50 && !lines.some((l) => l.msg === 'request completed'); i++) await new Promise((r) => setImmediate(r));
  const line = lines.find((l) => l.msg === 'request completed');
  if (!line) throw new Error('no access-log line');
  return line;
}

describe('request log', () => {
  it('writes one line with request id, route, status, duration and the client id; no body, no token', async () => {
    const { logger, lines } = capture();
    const { app } = createTestApp({ logger });
    const res = await request(app.callback())
      .patch('/api/clients/c-77')
      .set('Authorization', bearer(KEYS.admin))
      .set('X-Request-Id', 'req-abc')
      .send({ name: 'Secret Name' });
    expect(res.status).toBe(404);
    expect(res.headers['x-request-id']).toBe('req-abc');
    const line = await accessLine(lines);
    expect(line).toMatchObject({
      requestId: 'req-abc',
      method: 'PATCH',
      path: '/api/clients/c-77',
      route: '/api/clients/:id',
      status: 404,
      clientId: 'c-77',
      durationMs: expect.any(Number),
    });
    const all = JSON.stringify(lines);
    expect(all).not.toContain(KEYS.admin);
    expect(all).not.toContain('Secret Name');
  });

  it('logs the mailing id even when the request is refused with 401', async () => {
    const { logger, lines } = capture();
    const { app } = createTestApp({ logger });
    await request(app.callback()).get('/api/mailings/m-5').expect(401);
    expect(await accessLine(lines)).toMatchObject({ status: 401, mailingId: 'm-5' });
  });

  it('makes up a request id when the incoming one is unsafe', async () => {
    const { app } = createTestApp();
    const res = await request(app.callback()).get('/healthz').set('X-Request-Id', 'bad id\twith spaces');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each([
    ['get', '/u/abc.def?token=xyz', ['abc.def', 'xyz']],
    ['post', '/u/abc.def', ['abc.def']],
    ['get', '/l/the-link-code?x=1', ['the-link-code']],
    ['get', '/U/abc.def/more?signature=sig-123&code=c0de', ['abc.def', 'sig-123', 'c0de']],
  ] as const)('%s %s: the line has neither the credential in the path nor any query value', async (method, url, secrets) => {
    const { logger, lines } = capture();
    const { app } = createTestApp({ logger });
    await request(app.callback())[method](url);
    const line = await accessLine(lines);
    expect(String(line.path)).toMatch(/^\/[lLuU]\/\[redacted\]$/);
    for (const secret of secrets) expect(JSON.stringify(lines)).not.toContain(secret);
  });

  it('keeps the names of query parameters, not their values', async () => {
    const { logger, lines } = capture();
    const { app } = createTestApp({ logger });
    await request(app.callback()).get('/api/clients?tag=vip&limit=5').set('Authorization', bearer(KEYS.admin)).expect(200);
    expect(await accessLine(lines)).toMatchObject({ path: '/api/clients', query: 'tag=[redacted]&limit=[redacted]' });
  });
});

describe('loggedPath and loggedQuery', () => {
  it.each([
    ['/u/abc', '/u/:token', '/u/[redacted]'],
    ['/l/abc', '/l/:code', '/l/[redacted]'],
    ['/api/clients/c-1', '/api/clients/:id', '/api/clients/c-1'],
    ['/u/a/b', null, '/u/[redacted]'],
    ['//l/abc', null, '/l/[redacted]'],
    ['/u', null, '/u'],
    ['/docs/swagger-ui.css', null, '/docs/swagger-ui.css'],
  ])('path %s (route %s) is logged as %s', (path, route, logged) => {
    expect(loggedPath(path, route)).toBe(logged);
  });

  it.each([
    ['', undefined],
    ['token=eyJ.abc.def', 'token=[redacted]'],
    ['a=1&&b', 'a=[redacted]&b=[redacted]'],
    ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1LTEifQ.signature-part=1', '[redacted]=[redacted]'],
  ])('query %j is logged as %j', (query, logged) => {
    expect(loggedQuery(query)).toBe(logged);
  });
});
