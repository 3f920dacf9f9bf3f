import { createHash } from 'node:crypto';
import { isIPv6 } from 'node:net';
import type { Middleware } from 'koa';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { VestnikError, describeError } from '../../platform/errors';
import type { Logger } from '../../platform/logger';
import type { ApiContext, ApiState, Principal } from '../http/context';

/** One request budget: RateLimiterRedis (with an in-memory insurance) in production, RateLimiterMemory in unit tests. */
export type Limiter = Pick<RateLimiterAbstract, 'consume'>;

/** The budgets by caller class (ingest/rate-limiters.ts builds them from RATE_LIMIT_*). */
export interface RateLimits {
  /** Per client IP: every path outside /api, and /api calls without a valid credential. */
  public: Limiter;
  /** Per API key, or per user (JWT subject): /api/* with a valid credential. */
  api: Limiter;
  /** Per user (JWT subject): websocket connection attempts (ingest/ws/gateway.ts). */
  ws: Limiter;
  /**
   * Per client IP: static files under the deps' staticPrefixes (the console's modules, about 35 a page load).
   * Charged apart so that an office of operators reloading the console neither runs out of the public budget
   * (links, unsubscribe) nor leaves a page half loaded.
   */
  static: Limiter;
}

export type Verdict = { ok: true } | { ok: false; retryAfterSeconds: number };

/**
 * The counter of a caller: a hash, so no key, token, user id or IP address is ever stored in Redis (or
 * shown by a KEYS/MONITOR) in the clear. Callers of different classes never share a counter.
 */
export function limitKey(kind: 'ip' | Principal['kind'], id: string): string {
  return createHash('sha256').update(`${kind}:${id}`).digest('base64url').slice(0, 24);
}

/**
 * The client IP the budget is kept for. An IPv6 host usually holds a whole /64, so that is one caller;
 * an IPv4-mapped address is its IPv4 address.
 */
export function clientAddress(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped?.[1]) return mapped[1];
  if (!isIPv6(ip)) return ip;
  const [head = '', tail = ''] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.toLowerCase().replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/**
 * Takes one point from the caller's budget. Over it: the seconds until the window ends (at least 1).
 * Any other failure lets the request through: the production limiters already fall back to memory
 * when Redis fails (the insurance), so an error here is a bug, and refusing every caller for it would
 * turn a bug in a safety net into an outage.
 */
export async function consumePoint(limiter: Limiter, key: string, log: Logger): Promise<Verdict> {
  try {
    await limiter.consume(key, 1);
    return { ok: true };
  } catch (error) {
    if (error instanceof RateLimiterRes) return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(error.msBeforeNext / 1000)) };
    log.warn({ err: describeError(error) }, 'rate limiter failed: request let through');
    return { ok: true };
  }
}

/** The error the API answers 429 with (error-handler.ts); the caller sets Retry-After. */
export function rateLimitedError(retryAfterSeconds: number): VestnikError {
  return new VestnikError('RATE_LIMITED', 'too many requests, retry later', { retriable: true, details: { retryAfterSeconds } });
}

export interface RateLimitDeps {
  limits: RateLimits;
  /** The caller of an /api request, or null without a valid credential (the route's guard still decides access). */
  identify(ctx: ApiContext): Promise<Principal | null>;
  /** Path prefixes of static files, charged to the static budget. */
  staticPrefixes?: readonly string[];
  logger: Logger;
}

/**
 * Charges every request to one budget before any work is done for it (body parsing, routes, Swagger UI):
 * /api/* to its API key or user, static files to the client IP's static budget, everything else, and /api
 * calls with no valid credential, to the client IP's public budget. Over the budget: 429 with Retry-After (seconds) and the RATE_LIMITED error body.
 */
export function rateLimit(deps: RateLimitDeps): Middleware<ApiState> {
  return async (ctx, next) => {
    const log = ctx.state.log ?? deps.logger;
    const principal = ctx.path === '/api' || ctx.path.startsWith('/api/') ? await deps.identify(ctx as ApiContext) : null;
    const isStatic = !principal && (deps.staticPrefixes ?? []).some((prefix) => ctx.path.startsWith(prefix));
    const verdict = principal
      ? await consumePoint(deps.limits.api, limitKey(principal.kind, principal.id), log)
      : await consumePoint(isStatic ? deps.limits.static : deps.limits.public, limitKey('ip', clientAddress(ctx.ip)), log);
    if (!verdict.ok) {
      ctx.set('Retry-After', String(verdict.retryAfterSeconds));
      throw rateLimitedError(verdict.retryAfterSeconds);
    }
    await next();
  };
}
