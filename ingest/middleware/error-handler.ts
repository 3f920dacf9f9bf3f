import type { Middleware } from 'koa';
import { ErrorCode, VestnikError, errorCode } from '../../platform/errors';
import type { Logger } from '../../platform/logger';
import { MalformedRequestError } from '../http/errors';
import type { ApiState } from '../http/context';

/** The JSON error body of every failed request (DESIGN.md "REST API"). */
export interface ErrorBody {
  error: { code: string; message: string; details: unknown };
}

const STATUS_OF_CODE: Partial<Record<ErrorCode, number>> = {
  VALIDATION_FAILED: 422,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PRECONDITION_FAILED: 412,
  IDEMPOTENCY_KEY_REUSED: 422,
  IDEMPOTENCY_KEY_IN_USE: 409,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  RATE_LIMITED: 429,
};

/** Codes for the 4xx errors Koa libraries raise themselves (body too large, method not allowed…). */
const CODE_OF_HTTP_STATUS: Record<number, string> = {
  400: 'VALIDATION_FAILED',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

interface Answer {
  status: number;
  body: ErrorBody;
}

/** Decides the status and body of a thrown value; only 4xx errors expose their message and details. */
export function answerFor(error: unknown): Answer {
  if (error instanceof VestnikError) {
    const status = error instanceof MalformedRequestError ? 400 : STATUS_OF_CODE[error.code];
    if (status) return reply(status, error.code, error.message, error.details);
  }
  const http = error as { status?: unknown; expose?: unknown; message?: unknown };
  if (typeof http.status === 'number' && http.status >= 400 && http.status < 500 && http.expose === true) {
    const message = typeof http.message === 'string' ? http.message : 'bad request';
    return reply(http.status, CODE_OF_HTTP_STATUS[http.status] ?? 'BAD_REQUEST', message, null);
  }
  const code = errorCode(error);
  // Redis down (the Redis edge's REDIS_UNAVAILABLE) is one more unavailable dependency to the caller.
  if (code === 'DEPENDENCY_UNAVAILABLE' || code === 'REDIS_UNAVAILABLE') {
    return reply(503, 'DEPENDENCY_UNAVAILABLE', 'a dependency is unavailable, retry later', null);
  }
  return reply(500, 'INTERNAL', 'internal error', null);
}

function reply(status: number, code: string, message: string, details: unknown): Answer {
  return { status, body: { error: { code, message, details: details ?? null } } };
}

/**
 * The outermost middleware: turns anything thrown below into `{ error: { code, message, details } }`,
 * logs server-side failures with their stack (never sent to the caller), and answers unmatched
 * routes with a JSON 404.
 */
export function errorHandler(logger: Logger): Middleware<ApiState> {
  return async (ctx, next) => {
    try {
      await next();
      // Nothing answered: no route matched the path, or none matched the method (router set 405 + Allow).
      if (ctx.body == null && ctx.status === 404) throw new VestnikError('NOT_FOUND', 'no such route');
      if (ctx.body == null && ctx.status === 405) ctx.body = reply(405, 'METHOD_NOT_ALLOWED', 'method not allowed', null).body;
    } catch (error) {
      const answer = answerFor(error);
      const log = ctx.state.log ?? logger;
      if (answer.status >= 500) log.error({ err: error, status: answer.status }, 'request failed');
      ctx.status = answer.status;
      ctx.body = answer.body;
      if (answer.status === 401) ctx.set('WWW-Authenticate', 'Bearer');
    }
  };
}
