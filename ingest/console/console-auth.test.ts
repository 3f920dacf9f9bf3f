import request from 'supertest';
import { Writable } from 'node:stream';
import { createLogger } from '../../platform/logger';
import { createMemoryConsoleSessionStore } from '../../tests/doubles/memory-console-sessions';
import { KEYS, NOW, bearer, createTestApp } from '../../tests/doubles/test-app';
import type { AppDeps } from '../app';
import { consoleMayUse, defaultConsoleAccess } from '../middleware/auth';
import type { OidcClient, OidcIdentity } from './oidc-client';
import type { ConsoleRole } from './session-store';

const MIN = 60_000;
const mailing = { text: 'Sale', startAt: '2030-01-01T12:00:00+03:00', endAt: '2030-01-02T12:00:00+03:00', filter: { tags: ['vip'] } };

/** A provider stand-in: the code names who signs in; it records what the callback handed it. */
function fakeOidc(): OidcClient & { seen: { codeVerifier: string; nonce: string }[]; started: { state: string; nonce: string; codeVerifier: string }[] } {
  const started: { state: string; nonce: string; codeVerifier: string }[] = [];
  const seen: { codeVerifier: string; nonce: string }[] = [];
  const people: Record<string, OidcIdentity> = {
    editor: { subject: 'ed', name: 'Edith Editor', email: 'ed@example.test', role: 'editor' },
    viewer: { subject: 'vi', name: 'Victor Viewer', role: 'viewer' },
    admin: { subject: 'ad', name: 'Ada Admin', role: 'admin' },
    nobody: { subject: 'no', name: 'No Role', role: null },
  };
  return {
    started, seen,
    async authorizationUrl(params) {
      started.push(params);
      return `https://idp.test/authorize?state=${params.state}`;
    },
    async signIn({ code, codeVerifier, nonce }) {
      seen.push({ codeVerifier, nonce });
      const who = people[code];
      if (!who) throw Object.assign(new Error('bad code'), { code: 'UNAUTHORIZED' });
      return who;
    },
  };
}

function setup(options: { oidc?: boolean; publicBaseUrl?: string; logger?: AppDeps['logger'] } = {}) {
  let now = NOW;
  const clock = { now: () => now };
  const store = createMemoryConsoleSessionStore(clock);
  const oidc = fakeOidc();
  const t = createTestApp({
    clock,
    ...(options.logger ? { logger: options.logger } : {}),
    console: {
      store, publicBaseUrl: options.publicBaseUrl ?? 'http://127.0.0.1:8080', sessionIdleMs: 60 * MIN, sessionMaxMs: 12 * 60 * MIN,
      oidc: options.oidc === false ? undefined : oidc,
    },
  });
  const http = request(t.app.callback());
  return { ...t, http, store, oidc, advance: (ms: number) => void (now += ms) };
}

const cookieOf = (res: request.Response, name: string): string | undefined =>
  ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith(`${name}=`));
const valueOf = (cookie: string | undefined) => cookie?.split(';')[0]?.split('=')[1] ?? '';

/** Login → callback as `who`; returns the session cookie and the CSRF token. */
async function signIn(s: ReturnType<typeof setup>, who: ConsoleRole | 'nobody') {
  const login = await s.http.get('/console/auth/login').expect(302);
  const loginCookie = cookieOf(login, 'vestnik_console_login')!.split(';')[0]!;
  const state = new URL(String(login.headers.location)).searchParams.get('state');
  const callback = await s.http.get(`/console/auth/callback?code=${who}&state=${state}`).set('Cookie', loginCookie);
  const session = cookieOf(callback, 'vestnik_console');
  const cookie = session ? `vestnik_console=${valueOf(session)}` : '';
  const me = cookie ? await s.http.get('/console/auth/me').set('Cookie', cookie) : null;
  return { callback, cookie, csrf: me?.body.csrfToken as string, setCookie: session };
}

describe('OIDC sign-in', () => {
  it('login keeps state, nonce and PKCE verifier server-side behind a short-lived cookie and redirects', async () => {
    const s = setup();
    const res = await s.http.get('/console/auth/login').expect(302);
    expect(res.headers.location).toMatch(/^https:\/\/idp\.test\/authorize\?state=/);
    const cookie = cookieOf(res, 'vestnik_console_login')!;
    expect(cookie).toMatch(/Path=\/console\/auth; Max-Age=600; HttpOnly; SameSite=Lax/);
    const started = s.oidc.started[0]!;
    expect(new Set([started.state, started.nonce, started.codeVerifier, valueOf(cookie)]).size).toBe(4);
    expect(started.codeVerifier).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 bits, within RFC 7636's 43–128 characters
  });

  it('the callback creates a session and sends the browser to /console', async () => {
    const s = setup();
    const { callback, setCookie, cookie } = await signIn(s, 'editor');
    expect(callback.status).toBe(302);
    expect(callback.headers.location).toBe('/console');
    expect(setCookie).toMatch(/^vestnik_console=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=43200; HttpOnly; SameSite=Lax$/);
    expect(s.oidc.seen[0]).toEqual({ codeVerifier: s.oidc.started[0]!.codeVerifier, nonce: s.oidc.started[0]!.nonce });
    const me = await s.http.get('/console/auth/me').set('Cookie', cookie).expect(200);
    expect(me.body).toMatchObject({ subject: 'ed', name: 'Edith Editor', role: 'editor', signIn: 'oidc' });
    expect(me.body.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(me.headers['cache-control']).toBe('no-store');
  });

  it('cookies are Secure when PUBLIC_BASE_URL is https', async () => {
    const s = setup({ publicBaseUrl: 'https://vestnik.example' });
    const { setCookie } = await signIn(s, 'viewer');
    expect(setCookie).toMatch(/; Secure$/);
  });

  it('refuses a callback without the browser\'s login cookie, with another state, or replayed', async () => {
    const s = setup();
    const login = await s.http.get('/console/auth/login');
    const loginCookie = cookieOf(login, 'vestnik_console_login')!.split(';')[0]!;
    const state = new URL(String(login.headers.location)).searchParams.get('state');
    await s.http.get(`/console/auth/callback?code=editor&state=${state}`).expect(400); // no cookie: another browser
    const again = await s.http.get('/console/auth/login');
    const cookie2 = cookieOf(again, 'vestnik_console_login')!.split(';')[0]!;
    await s.http.get('/console/auth/callback?code=editor&state=forged').set('Cookie', cookie2).expect(400);
    // The pending login is used up by a failed attempt too: no retrying states.
    const state2 = new URL(String(again.headers.location)).searchParams.get('state');
    const res = await s.http.get(`/console/auth/callback?code=editor&state=${state2}`).set('Cookie', cookie2);
    expect(res.status).toBe(400);
    expect(res.text).toContain('Sign-in expired');
    expect(loginCookie).toBeTruthy();
    expect(s.oidc.seen).toHaveLength(0);
  });

  it('a provider error or a refused code is a 401 page; a user without a console role gets a clear 403 page', async () => {
    const s = setup();
    expect((await signIn(s, 'nobody')).callback.status).toBe(403);
    const noRole = (await signIn(s, 'nobody')).callback;
    expect(noRole.text).toContain('none of the console roles');
    expect(([] as string[]).concat(noRole.headers['set-cookie'] ?? []).join()).not.toMatch(/vestnik_console=[^;]/);
    const login = await s.http.get('/console/auth/login');
    const c = cookieOf(login, 'vestnik_console_login')!.split(';')[0]!;
    const state = new URL(String(login.headers.location)).searchParams.get('state');
    await s.http.get(`/console/auth/callback?error=access_denied&state=${state}`).set('Cookie', c).expect(401);
  });

  it('POST /console/auth/api-key is 404 when an issuer is configured', async () => {
    const s = setup();
    await s.http.post('/console/auth/api-key').send({ key: KEYS.admin }).expect(404);
  });

  it('security headers apply to the sign-in routes and the console page', async () => {
    const s = setup();
    for (const path of ['/console/auth/login', '/console/auth/me', '/console', '/console/static/app.js']) {
      const res = await s.http.get(path);
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['x-frame-options']).toBe('DENY');
    }
  });
});

describe('console sessions on /api', () => {
  it('a viewer reads everything an admin reads, and the stats; gets 403 on writes', async () => {
    const s = setup();
    const { cookie, csrf } = await signIn(s, 'viewer');
    for (const path of ['/api/mailings', '/api/clients', '/api/templates', '/api/stats/mailings', '/api/notifications']) {
      await s.http.get(path).set('Cookie', cookie).expect(200);
    }
    const res = await s.http.post('/api/mailings').set('Cookie', cookie).set('X-CSRF-Token', csrf).send(mailing);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('FORBIDDEN');
  });

  it('an editor creates with the CSRF token, and gets 403 without it or with another', async () => {
    const s = setup();
    const { cookie, csrf } = await signIn(s, 'editor');
    await s.http.post('/api/mailings').set('Cookie', cookie).send(mailing).expect(403);
    await s.http.post('/api/mailings').set('Cookie', cookie).set('X-CSRF-Token', `${csrf.slice(1)}x`).send(mailing).expect(403);
    expect(await s.mailings.list({ limit: 10 })).toMatchObject({ items: [] });
    await s.http.post('/api/mailings').set('Cookie', cookie).set('X-CSRF-Token', csrf).send(mailing).expect(201);
  });

  it('an editor may not use event intake or erase a client; an admin may; nobody reaches /api/me', async () => {
    const s = setup();
    const editor = await signIn(s, 'editor');
    const admin = await signIn(s, 'admin');
    const event = { seriesId: 's', seriesTitle: 'S', episodeId: 'e', episodeTitle: 'E', seasonNumber: 1, episodeNumber: 1, url: 'https://x.test/e' };
    await s.http.post('/api/events/episode-released').set('Cookie', editor.cookie).set('X-CSRF-Token', editor.csrf).send(event).expect(403);
    await s.http.post('/api/events/episode-released').set('Cookie', admin.cookie).set('X-CSRF-Token', admin.csrf).send(event).expect(202);
    await s.http.delete('/api/clients/c-1').set('Cookie', editor.cookie).set('X-CSRF-Token', editor.csrf).expect(403);
    await s.http.delete('/api/clients/c-1').set('Cookie', admin.cookie).set('X-CSRF-Token', admin.csrf).expect(404);
    await s.http.get('/api/me/preferences').set('Cookie', admin.cookie).expect(403);
  });

  it('a bearer token wins over the cookie and needs no CSRF token', async () => {
    const s = setup();
    const { cookie } = await signIn(s, 'viewer');
    await s.http.post('/api/mailings').set('Cookie', cookie).set('Authorization', bearer(KEYS.admin)).send(mailing).expect(201);
  });

  it('ends after the idle timeout, unless used; and after the absolute lifetime whatever the use', async () => {
    const s = setup();
    const idle = await signIn(s, 'viewer');
    const busy = await signIn(s, 'viewer');
    for (let hour = 0; hour < 11; hour++) {
      s.advance(50 * MIN);
      await s.http.get('/api/mailings').set('Cookie', busy.cookie).expect(200);
    }
    await s.http.get('/api/mailings').set('Cookie', idle.cookie).expect(401);
    s.advance(60 * MIN); // 12 h 10 min after sign-in; last use 50 min ago
    const res = await s.http.get('/api/mailings').set('Cookie', busy.cookie);
    expect(res.status).toBe(401);
    expect(res.body.error.message).toMatch(/session expired/);
  });

  it('logout needs the CSRF token and deletes the session server-side', async () => {
    const s = setup();
    const { cookie, csrf } = await signIn(s, 'editor');
    await s.http.post('/console/auth/logout').set('Cookie', cookie).expect(403);
    await s.http.get('/api/mailings').set('Cookie', cookie).expect(200);
    const out = await s.http.post('/console/auth/logout').set('Cookie', cookie).set('X-CSRF-Token', csrf).expect(204);
    expect(cookieOf(out, 'vestnik_console')).toMatch(/^vestnik_console=; Path=\/; Max-Age=0/);
    expect(s.store.sessions.size).toBe(0);
    await s.http.get('/api/mailings').set('Cookie', cookie).expect(401);
    await s.http.get('/console/auth/me').set('Cookie', cookie).expect(401);
  });

  it('signing in again replaces the old session (no fixation)', async () => {
    const s = setup();
    const first = await signIn(s, 'viewer');
    const login = await s.http.get('/console/auth/login');
    const c = cookieOf(login, 'vestnik_console_login')!.split(';')[0]!;
    const state = new URL(String(login.headers.location)).searchParams.get('state');
    const again = await s.http.get(`/console/auth/callback?code=editor&state=${state}`).set('Cookie', `${c}; ${first.cookie}`).expect(302);
    expect(valueOf(cookieOf(again, 'vestnik_console'))).not.toBe(first.cookie.split('=')[1]);
    await s.http.get('/api/mailings').set('Cookie', first.cookie).expect(401);
  });

  it('never logs the session or login cookie, the code or the state', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', destination: new Writable({ write: (chunk, _e, done) => void (lines.push(String(chunk)), done()) }) });
    const s = setup({ logger });
    const { cookie, csrf } = await signIn(s, 'editor');
    await s.http.post('/api/mailings').set('Cookie', cookie).set('X-CSRF-Token', csrf).send(mailing).expect(201);
    await new Promise((r) => setTimeout(r, 20));
    const log = lines.join('\n');
    expect(log).toContain('/console/auth/callback');
    for (const secret of [cookie.split('=')[1]!, csrf, s.oidc.started[0]!.state, s.oidc.started[0]!.codeVerifier]) expect(log).not.toContain(secret);
    expect(log).toContain('console:ed');
  });
});

describe('API-key sign-in (no issuer configured)', () => {
  it('an admin key signs in as admin, another key as viewer; a wrong key or a foreign origin is refused', async () => {
    const s = setup({ oidc: false });
    await s.http.get('/console/auth/login').expect(404);
    const me = await s.http.get('/console/auth/me').expect(401);
    expect(me.body.error.details).toEqual({ signIn: 'api-key' });
    const admin = await s.http.post('/console/auth/api-key').send({ key: KEYS.admin }).expect(200);
    expect(admin.body.role).toBe('admin');
    const stats = await s.http.post('/console/auth/api-key').send({ key: KEYS.stats }).expect(200);
    expect(stats.body.role).toBe('viewer');
    await s.http.post('/console/auth/api-key').send({ key: 'wrong' }).expect(401);
    await s.http.post('/console/auth/api-key').set('Origin', 'https://evil.test').send({ key: KEYS.admin }).expect(403);
    const cookie = `vestnik_console=${valueOf(cookieOf(stats, 'vestnik_console'))}`;
    await s.http.post('/api/mailings').set('Cookie', cookie).set('X-CSRF-Token', stats.body.csrfToken).send(mailing).expect(403);
    await s.http.get('/api/stats/mailings').set('Cookie', cookie).expect(200);
  });
});

describe('console access of a route', () => {
  it.each([
    ['admin', 'get', 'viewer'], ['stats', 'get', 'viewer'], ['admin', 'post', 'editor'], ['admin', 'delete', 'editor'],
    ['service', 'post', 'admin'], ['user', 'get', 'none'], ['user', 'put', 'none'],
  ] as const)('%s %s → %s', (role, method, access) => {
    expect(defaultConsoleAccess(role, method)).toBe(access);
  });

  it.each([
    ['viewer', 'viewer', true], ['viewer', 'editor', false], ['editor', 'editor', true], ['editor', 'admin', false],
    ['admin', 'admin', true], ['admin', 'none', false],
  ] as const)('%s on a %s route → %s', (role, access, allowed) => {
    expect(consoleMayUse({ kind: 'console', id: 'console:x', roles: [role] }, access)).toBe(allowed);
  });
});
