/**
 * Console sessions: a random 256-bit id in an HttpOnly cookie, the session itself in the store
 * (session-store.ts). A session ends after `idleMs` without a request and, whatever the activity,
 * `maxMs` after sign-in. Every request the cookie authenticates and that changes state must repeat the
 * session's CSRF token in X-CSRF-Token (compared with the server-side value, in constant time): a
 * cross-site form or fetch rides the cookie but cannot read the token.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';
import { VestnikError } from '../../platform/errors';
import type { Principal } from '../http/context';
import type { Clock } from '../ports';
import type { ConsoleRole, ConsoleSession, ConsoleSessionStore } from './session-store';

export const SESSION_COOKIE = 'vestnik_console';
/** Holds the sign-in in progress between the login route and the callback (path /console/auth only). */
export const LOGIN_COOKIE = 'vestnik_console_login';
export const CSRF_HEADER = 'X-CSRF-Token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface SessionPolicy {
  idleMs: number;
  maxMs: number;
  /** Secure cookies: PUBLIC_BASE_URL is https, or production. */
  secure: boolean;
}

export const randomToken = (): string => randomBytes(32).toString('base64url');

/** A Set-Cookie value: HttpOnly, SameSite=Lax, Secure when asked; `maxAgeMs` 0 removes the cookie. */
export function cookieHeader(name: string, value: string, options: { secure: boolean; maxAgeMs: number; path?: string }): string {
  const parts = [`${name}=${value}`, `Path=${options.path ?? '/'}`, `Max-Age=${Math.max(0, Math.floor(options.maxAgeMs / 1000))}`, 'HttpOnly', 'SameSite=Lax'];
  if (options.secure) parts.push('Secure');
  return parts.join('; ');
}

/** The principal of a console session on /api: kind `console`, its one console role. */
export function consolePrincipal(session: ConsoleSession): Principal {
  return { kind: 'console', id: `console:${session.subject}`, roles: [session.role], validUntil: session.expiresAt };
}

export interface ConsoleSessions {
  policy: SessionPolicy;
  /** Signs in: a new session id (never one the browser brought: no fixation) and CSRF token. */
  start(identity: { subject: string; name: string; email?: string | undefined; role: ConsoleRole }): Promise<{ id: string; session: ConsoleSession }>;
  /** The live session of this cookie value, its idle expiry pushed back; null when none or over. */
  resolve(id: string): Promise<ConsoleSession | null>;
  end(id: string): Promise<void>;
}

export function createConsoleSessions(deps: { store: ConsoleSessionStore; clock: Clock; policy: SessionPolicy }): ConsoleSessions {
  const { store, clock, policy } = deps;
  const ttl = (session: ConsoleSession) => Math.min(policy.idleMs, session.expiresAt - clock.now());
  return {
    policy,
    async start(identity) {
      const now = clock.now();
      const session: ConsoleSession = { ...identity, csrfToken: randomToken(), createdAt: now, expiresAt: now + policy.maxMs };
      const id = randomToken();
      await store.save(id, session, ttl(session));
      return { id, session };
    },
    async resolve(id) {
      if (!/^[A-Za-z0-9_-]{43}$/.test(id)) return null;
      const session = await store.get(id);
      if (!session) return null;
      if (ttl(session) <= 0) {
        await store.delete(id);
        return null;
      }
      await store.touch(id, ttl(session));
      return session;
    },
    end: (id) => store.delete(id),
  };
}

/** True when `given` is the session's CSRF token (constant time). */
export function csrfMatches(session: ConsoleSession, given: string | undefined): boolean {
  const a = Buffer.from(session.csrfToken);
  const b = Buffer.from(given ?? '');
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The console caller of a request: null without a session cookie; 401 when the cookie names no live
 * session; 403 on a state-changing method without the session's CSRF token. Looked up once per request
 * (the rate limiter and the route guard both ask).
 */
export type ConsoleAuthenticate = (ctx: Context) => Promise<{ principal: Principal; session: ConsoleSession; id: string } | null>;

export function createConsoleAuthenticator(sessions: ConsoleSessions): ConsoleAuthenticate {
  const seen = new WeakMap<object, Promise<{ session: ConsoleSession; id: string } | null>>();
  return async (ctx) => {
    const id = ctx.cookies.get(SESSION_COOKIE);
    if (!id) return null;
    let lookup = seen.get(ctx.request);
    if (!lookup) {
      lookup = sessions.resolve(id).then((session) => (session ? { session, id } : null));
      seen.set(ctx.request, lookup);
    }
    const found = await lookup;
    if (!found) throw new VestnikError('UNAUTHORIZED', 'console session expired or signed out');
    if (!SAFE_METHODS.has(ctx.method) && !csrfMatches(found.session, ctx.get(CSRF_HEADER) || undefined)) {
      throw new VestnikError('FORBIDDEN', 'missing or wrong X-CSRF-Token');
    }
    return { principal: consolePrincipal(found.session), ...found };
  };
}
