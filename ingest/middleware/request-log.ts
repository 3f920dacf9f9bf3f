import type { Middleware } from 'koa';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Logger } from '../../platform/logger';
import type { ApiState } from '../http/context';
import { onResponseDone } from '../http/response-done';
import type { IdGenerator } from '../ports';

/** An incoming X-Request-Id is reused only when it is short and plain, so it is safe to log and echo. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Matched route pattern (`/api/clients/:id`) or null when no route matched. */
export function matchedRoute(ctx: object): string | null {
  const route = (ctx as { _matchedRoute?: string | RegExp })._matchedRoute;
  return typeof route === 'string' ? route : null;
}

/** Route parameters that are credentials: a link code and an unsubscribe token are bearer secrets. */
const SECRET_PARAM = /:(token|code|key|secret|password|signature)\b/i;
/** Paths whose next segment is a credential, for requests no route matched (`/u/x/y`, `//L/x`). */
const SECRET_PREFIXES = new Set(['l', 'u']);
/** A query parameter's name is logged when it looks like one; its value never is. */
const PLAIN_NAME = /^[A-Za-z0-9_.-]{1,40}$/;

/**
 * The path as logged: a route with a credential parameter logs its pattern with `[redacted]` in its
 * place (`/u/[redacted]`); an unmatched path under /l/ or /u/ is cut after the prefix; other paths (their
 * ids are not secrets) as they came.
 */
export function loggedPath(path: string, route: string | null): string {
  if (route && SECRET_PARAM.test(route)) return route.replace(new RegExp(SECRET_PARAM.source, 'gi'), '[redacted]');
  const segments = path.split('/').filter(Boolean);
  const first = segments[0]?.toLowerCase();
  if (!route && first !== undefined && SECRET_PREFIXES.has(first) && segments.length > 1) return `/${segments[0]}/[redacted]`;
  return path;
}

/** The query string with every value replaced: `?token=…&limit=5` → `token=[redacted]&limit=[redacted]`. */
export function loggedQuery(querystring: string): string | undefined {
  if (!querystring) return undefined;
  return querystring
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const name = pair.split('=', 1)[0] ?? '';
      return `${PLAIN_NAME.test(name) ? name : '[redacted]'}=[redacted]`;
    })
    .join('&');
}

/**
 * Gives every request an id (echoed in X-Request-Id) and a pino child carrying it, and writes one
 * access-log line per response: method, path (credentials cut out: loggedPath), route, the query's
 * parameter names (never their values), status, duration and the resource ids the route recorded in
 * `ctx.state.logFields`. Never bodies or headers (Authorization!).
 */
export function requestLog(deps: { logger: Logger; newRequestId?: IdGenerator }): Middleware<ApiState> {
  const newRequestId = deps.newRequestId ?? randomUUID;
  return async (ctx, next) => {
    const incoming = ctx.get('X-Request-Id');
    const requestId = SAFE_REQUEST_ID.test(incoming) ? incoming : newRequestId();
    const log = deps.logger.child({ requestId });
    ctx.state.requestId = requestId;
    ctx.state.log = log;
    ctx.state.logFields = {};
    ctx.set('X-Request-Id', requestId);
    const started = performance.now();
    onResponseDone(ctx, () => {
      const route = matchedRoute(ctx);
      log.info(
        {
          ...ctx.state.logFields,
          method: ctx.method,
          path: loggedPath(ctx.path, route),
          query: loggedQuery(ctx.querystring),
          route,
          status: ctx.status,
          durationMs: Math.round((performance.now() - started) * 10) / 10,
        },
        'request completed',
      );
    });
    await next();
  };
}
