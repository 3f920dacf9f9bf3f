import { createHash } from 'node:crypto';
import request from 'supertest';
import { createMemoryConsoleSessionStore } from '../../tests/doubles/memory-console-sessions';
import { NOW, createTestApp } from '../../tests/doubles/test-app';
import { CONTENT_SECURITY_POLICY } from '../middleware/security-headers';

function http() {
  const clock = { now: () => NOW };
  const t = createTestApp({
    clock,
    console: { store: createMemoryConsoleSessionStore(clock), publicBaseUrl: 'http://127.0.0.1:8080', sessionIdleMs: 60_000, sessionMaxMs: 3_600_000 },
  });
  return request(t.app.callback());
}

describe('the console page and its files', () => {
  it('serves the page with its import map, admitted by the hash of exactly that script in the CSP', async () => {
    const res = await http().get('/console');
    expect(res.status).toBe(200);
    const importMap = /<script type="importmap">(.*?)<\/script>/s.exec(res.text)?.[1];
    expect(JSON.parse(importMap ?? 'null').imports).toMatchObject({ preact: '/console/vendor/preact.mjs', uplot: '/console/vendor/uplot.mjs' });
    const hash = createHash('sha256').update(importMap ?? '').digest('base64');
    expect(res.headers['content-security-policy']).toContain(`script-src 'self' 'sha256-${hash}';`);
    expect(res.text).not.toContain('<!--import-map-->');
  });

  it('keeps the plain CSP, without the hash, on every other response', async () => {
    const res = await http().get('/console/static/app.js');
    expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(res.headers['content-type']).toMatch(/^text\/javascript/);
  });

  it('serves the libraries from node_modules and the modules in sub-folders', async () => {
    const s = http();
    for (const path of ['/console/vendor/preact.mjs', '/console/vendor/preact-hooks.mjs', '/console/vendor/htm-preact.mjs', '/console/vendor/uplot.mjs', '/console/static/pages/mailing.js']) {
      const res = await s.get(path);
      expect([path, res.status, res.headers['content-type']]).toEqual([path, 200, 'text/javascript; charset=utf-8']);
    }
    expect((await s.get('/console/vendor/uplot.css')).headers['content-type']).toBe('text/css; charset=utf-8');
  });

  it('serves nothing outside its list: unknown names, other packages, paths out of the folder', async () => {
    const s = http();
    for (const path of ['/console/vendor/react.mjs', '/console/static/missing.js', '/console/static/..%2F..%2Fassets.ts',
      '/console/static/index.html', '/console/vendor/..%2F..%2F..%2Fpackage.json', '/console/static/pages/..%2F..%2Froutes.ts']) {
      expect([path, (await s.get(path)).status]).toEqual([path, 404]);
    }
  });
});
