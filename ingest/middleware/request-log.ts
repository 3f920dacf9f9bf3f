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

/**
 * Gives every request an id (echoed in X-Request-Id) and a pino child carrying it, and writes one
 * access-log line per response: method, path, route, status, duration and the resource ids the route
 * recorded in `ctx.state.logFields`. Never bodies, query strings or headers (Authorization!).
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
      log.info(
        {
          ...ctx.state.logFields,
          method: ctx.method,
          path: ctx.path,
          route: matchedRoute(ctx),
          status: ctx.status,
          durationMs: Math.round((performance.now() - started) * 10) / 10,
        },
        'request completed',
      );
    });
    await next();
  };
}
