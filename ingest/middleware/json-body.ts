import { bodyParser } from '@koa/bodyparser';
import type { Middleware } from 'koa';
import { MalformedRequestError } from '../http/errors';

/**
 * Parses JSON bodies only (anything else leaves the body `{}`, which the route schema then refuses).
 * Unparseable JSON is a 400 with the usual error body; a too-large body stays the parser's 413.
 */
export function jsonBody(limit = '1mb'): Middleware {
  return bodyParser({
    enableTypes: ['json'],
    jsonLimit: limit,
    onError: (error) => {
      const status = (error as { status?: number }).status;
      if (status === 400) throw new MalformedRequestError('malformed JSON body', undefined, error);
      throw error;
    },
  }) as Middleware;
}
