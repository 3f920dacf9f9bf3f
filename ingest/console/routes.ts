/**
 * The console's sign-in routes and its landing page. Public routes outside /api (the rate limiter
 * charges them per client IP); none is in the OpenAPI document, which describes the API for machines.
 *
 *   GET  /console/auth/login     start an OIDC sign-in (state, nonce, PKCE kept server-side) → provider
 *   GET  /console/auth/callback  finish it: code → tokens → verified ID token → session → /console
 *   POST /console/auth/api-key   sign in with an API key (only when no OIDC provider is configured)
 *   POST /console/auth/logout    end the session (needs X-CSRF-Token)
 *   GET  /console/auth/me        who is signed in, their role, the CSRF token
 */
import type { Context } from 'koa';
import { errorCode, VestnikError } from '../../platform/errors';
import type { ApiRouter, ApiState } from '../http/context';
import type { Authenticate } from '../middleware/auth';
import type { OidcClient } from './oidc-client';
import { loadConsoleAssets } from './assets';
import { answerSignInFailure } from './pages';
import type { ConsoleSessionStore } from './session-store';
import { LOGIN_COOKIE, SESSION_COOKIE, cookieHeader, randomToken, type ConsoleAuthenticate, type ConsoleSessions } from './sessions';

/** How long a started sign-in may take at the provider. */
const LOGIN_TTL_MS = 10 * 60_000;
const LOGIN_PATH = '/console/auth';

export interface ConsoleRoutesDeps {
  sessions: ConsoleSessions;
  store: ConsoleSessionStore;
  console: ConsoleAuthenticate;
  authenticate: Authenticate;
  /** Absent: no OIDC provider; the console is signed into with an API key. */
  oidc?: OidcClient | undefined;
  /** PUBLIC_BASE_URL: the only Origin the API-key sign-in accepts. */
  publicBaseUrl: string;
}

type Ctx = Parameters<Parameters<ApiRouter['get']>[1]>[0];

export function mountConsoleRoutes(router: ApiRouter, deps: ConsoleRoutesDeps): void {
  const { sessions } = deps;
  const secure = sessions.policy.secure;
  const setSession = (ctx: Context, id: string, maxAgeMs: number) => ctx.append('Set-Cookie', cookieHeader(SESSION_COOKIE, id, { secure, maxAgeMs }));
  const noStore = (ctx: Context) => ctx.set('Cache-Control', 'no-store');
  // A new sign-in replaces whatever session the browser had: its old id stops working at once.
  const endPrevious = async (ctx: Context) => {
    const previous = ctx.cookies.get(SESSION_COOKIE);
    if (previous) await sessions.end(previous);
  };

  router.get('/console/auth/login', async (ctx: Ctx) => {
    if (!deps.oidc) throw new VestnikError('NOT_FOUND', 'no OIDC provider is configured: sign in with an API key');
    const loginId = randomToken();
    const pending = { state: randomToken(), nonce: randomToken(), codeVerifier: randomToken() };
    let url: string;
    try {
      url = await deps.oidc.authorizationUrl(pending);
    } catch {
      return answerSignInFailure(ctx, 'unavailable');
    }
    await deps.store.savePendingLogin(loginId, pending, LOGIN_TTL_MS);
    // The cookie binds the sign-in to this browser: a callback URL someone else started is refused (login CSRF).
    ctx.append('Set-Cookie', cookieHeader(LOGIN_COOKIE, loginId, { secure, maxAgeMs: LOGIN_TTL_MS, path: LOGIN_PATH }));
    noStore(ctx);
    ctx.redirect(url);
  });

  router.get('/console/auth/callback', async (ctx: Ctx) => {
    noStore(ctx);
    const loginId = ctx.cookies.get(LOGIN_COOKIE);
    ctx.append('Set-Cookie', cookieHeader(LOGIN_COOKIE, '', { secure, maxAgeMs: 0, path: LOGIN_PATH }));
    if (!deps.oidc) throw new VestnikError('NOT_FOUND', 'no OIDC provider is configured');
    const pending = loginId ? await deps.store.takePendingLogin(loginId) : null;
    const { code, state, error } = ctx.query;
    if (!pending || typeof state !== 'string' || state !== pending.state) return answerSignInFailure(ctx, 'expired');
    if (error !== undefined || typeof code !== 'string' || code === '') return answerSignInFailure(ctx, 'refused');
    let identity;
    try {
      identity = await deps.oidc.signIn({ code, codeVerifier: pending.codeVerifier, nonce: pending.nonce });
    } catch (failure) {
      ctx.state.log.warn({ reason: failure instanceof VestnikError ? failure.message : 'unexpected error' }, 'console sign-in refused');
      return answerSignInFailure(ctx, errorCode(failure) === 'DEPENDENCY_UNAVAILABLE' ? 'unavailable' : 'refused');
    }
    if (!identity.role) return answerSignInFailure(ctx, 'no-role');
    await endPrevious(ctx);
    const { id, session } = await sessions.start({ ...identity, role: identity.role });
    setSession(ctx, id, session.expiresAt - session.createdAt);
    ctx.state.logFields.principal = `console:${session.subject}`;
    ctx.redirect('/console');
  });

  router.post('/console/auth/api-key', async (ctx: Ctx) => {
    if (deps.oidc) throw new VestnikError('NOT_FOUND', 'the console signs in through the OIDC provider; API keys are for machines');
    // A cross-site page must not sign this browser in with its own key (login CSRF).
    const origin = ctx.get('Origin');
    if (origin && origin !== new URL(deps.publicBaseUrl).origin) throw new VestnikError('FORBIDDEN', 'cross-origin sign-in refused');
    const key = (ctx.request.body as { key?: unknown } | undefined)?.key;
    if (typeof key !== 'string' || key === '' || key.length > 512) throw new VestnikError('UNAUTHORIZED', 'an API key is required');
    const principal = await deps.authenticate(`Bearer ${key}`);
    if (principal.kind !== 'apiKey') throw new VestnikError('UNAUTHORIZED', 'not an API key');
    await endPrevious(ctx);
    const role = principal.roles.includes('admin') ? 'admin' : 'viewer';
    const { id, session } = await sessions.start({ subject: principal.id, name: `API key ${principal.id.slice(4)}`, role });
    setSession(ctx, id, session.expiresAt - session.createdAt);
    noStore(ctx);
    ctx.body = { role, csrfToken: session.csrfToken };
  });

  router.post('/console/auth/logout', async (ctx: Ctx) => {
    noStore(ctx);
    // The console authenticator refuses a logout without the CSRF token (403), so no page can sign anyone out.
    const caller = await deps.console(ctx).catch((failure) => {
      if (errorCode(failure) === 'UNAUTHORIZED') return null;
      throw failure;
    });
    if (caller) await sessions.end(caller.id);
    ctx.append('Set-Cookie', cookieHeader(SESSION_COOKIE, '', { secure, maxAgeMs: 0 }));
    ctx.status = 204;
  });

  router.get('/console/auth/me', async (ctx: Ctx) => {
    noStore(ctx);
    const signIn = deps.oidc ? 'oidc' : 'api-key';
    const caller = await deps.console(ctx).catch(() => null);
    if (!caller) throw new VestnikError('UNAUTHORIZED', 'not signed in to the console', { details: { signIn } });
    const { subject, name, email, role, csrfToken, expiresAt } = caller.session;
    ctx.state.logFields.principal = caller.principal.id;
    ctx.body = { subject, name, email: email ?? null, role, csrfToken, expiresAt: new Date(expiresAt).toISOString(), signIn };
  });

  mountStaticPages(router);
}

/**
 * GET /console (the one page: the console routes by the URL's #fragment), its modules under
 * /console/static/ and the libraries under /console/vendor/. Public: they hold no data; every call the
 * pages make goes to /api with the session. The page's CSP admits its import map by hash.
 */
function mountStaticPages(router: ApiRouter): void {
  const assets = loadConsoleAssets();
  const send = (ctx: Context & { state: ApiState }, file: { type: string; body: Buffer } | undefined) => {
    if (!file) throw new VestnikError('NOT_FOUND', 'no such console file');
    ctx.type = file.type;
    ctx.set('Cache-Control', 'no-cache');
    ctx.body = file.body;
  };
  router.get('/console', (ctx) => {
    ctx.state.scriptHashes = [assets.importMapHash];
    send(ctx, assets.page);
  });
  router.get('/console/static/:file', (ctx) => send(ctx, assets.files.get(`static/${ctx.params.file}`)));
  router.get('/console/static/:dir/:file', (ctx) => send(ctx, assets.files.get(`static/${ctx.params.dir}/${ctx.params.file}`)));
  router.get('/console/vendor/:file', (ctx) => send(ctx, assets.files.get(`vendor/${ctx.params.file}`)));
}
