import Router from '@koa/router';
import Koa from 'koa';
import request from 'supertest';
import type { ConsumeResult, Link, LinkStore } from '../../platform/links/link-store';
import { silentLogger } from '../../platform/logger';
import type { ApiState } from '../http/context';
import type { RouteTarget } from '../http/route';
import { errorHandler } from '../middleware/error-handler';
import { createRegistry } from '../openapi/document';
import { mountLinkRoutes } from './links';

const LINK: Link = { url: 'https://example.test/welcome?confirmed=1', purpose: 'email-confirmation', subject: 'user-1', expiresAt: 2_000 };

/** A fake store: each code answers the results queued for it, in order, then 'expired'. */
function fakeStore(answers: Record<string, ConsumeResult[]>) {
  const restored: string[] = [];
  const store: LinkStore = {
    create: async () => 'unused',
    createOnce: async () => 'unused',
    consume: async (code) => answers[code]?.shift() ?? { kind: 'expired' },
    restore: async (code) => void restored.push(code),
    eraseSubject: async () => 0,
  };
  return { store, restored };
}

function appWith(links: LinkStore, onConfirmed: (link: Link) => Promise<void>) {
  const target: RouteTarget = {
    router: new Router<ApiState>(),
    registry: createRegistry(),
    guard: () => async () => { throw new Error('links are public: no guard expected'); },
  };
  mountLinkRoutes(target, { links, onConfirmed, logger: silentLogger });
  const app = new Koa<ApiState>();
  app.use(errorHandler(silentLogger));
  app.use(target.router.routes());
  return app.callback();
}

describe('GET /l/{code}', () => {
  it('first use: 302 to the link url and onConfirmed called once with the link', async () => {
    const confirmed: Link[] = [];
    const { store } = fakeStore({ abc12345: [{ kind: 'ok', link: LINK }, { kind: 'used' }] });
    const app = appWith(store, async (link) => void confirmed.push(link));
    const first = await request(app).get('/l/abc12345');
    expect(first.status).toBe(302);
    expect(first.headers.location).toBe(LINK.url);
    expect(confirmed).toEqual([LINK]);

    const second = await request(app).get('/l/abc12345');
    expect(second.status).toBe(410);
    expect(second.headers['content-type']).toMatch(/^text\/html/);
    expect(second.text).toContain('already used');
    expect(confirmed).toHaveLength(1);
  });

  it('expired or unknown: 410 HTML page saying it expired, onConfirmed not called', async () => {
    const onConfirmed = jest.fn(async () => undefined);
    const { store } = fakeStore({});
    const res = await request(appWith(store, onConfirmed)).get('/l/nosuchcode');
    expect(res.status).toBe(410);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toContain('has expired');
    expect(onConfirmed).not.toHaveBeenCalled();
  });

  it('a failing confirmation restores the link and answers 503 without a stack', async () => {
    const { store, restored } = fakeStore({ abc12345: [{ kind: 'ok', link: LINK }] });
    const res = await request(appWith(store, async () => { throw new Error('kafka down at /secret/path.ts:12'); })).get('/l/abc12345');
    expect(res.status).toBe(503);
    expect(res.text).toContain('try again');
    expect(res.text).not.toContain('secret');
    expect(restored).toEqual(['abc12345']);
  });

  it('a store failure answers the 503 "try again" page, never a stack', async () => {
    const store: LinkStore = { ...fakeStore({}).store, consume: async () => { throw new Error('redis down at /srv/x.ts:1'); } };
    const res = await request(appWith(store, async () => undefined)).get('/l/abc12345');
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).not.toContain('/srv/x.ts');
  });
});

describe('GET /links/confirmed', () => {
  it('is a public HTML page', async () => {
    const res = await request(appWith(fakeStore({}).store, async () => undefined)).get('/links/confirmed');
    expect(res.status).toBe(200);
    expect(res.text).toContain('confirmed');
  });
});
