import type { IncomingMessage, ServerResponse } from 'node:http';
import { VestnikError } from '../../platform/errors';
import { BodyTooLargeError, readBody, sendJson } from './http';

/** The pieces every provider simulator's /_control/* API shares: JSON bodies in, `{ error }` out. */

/** Answers a control error in the one shape all simulators use: `{ error: { code, message, details } }`. */
export function controlError(response: ServerResponse, status: number, code: string, message: string, details?: unknown): void {
  sendJson(response, status, { error: { code, message, details } });
}

/**
 * Parses a JSON body (at most `limit` bytes), applies it, and answers 200 with the result, or 400 when
 * the body is not JSON, too large, or `apply` rejects it with a VestnikError (other errors propagate).
 */
export async function withJsonBody(
  request: IncomingMessage, response: ServerResponse, limit: number, apply: (body: unknown) => unknown,
): Promise<void> {
  let body: unknown;
  try {
    body = JSON.parse(await readBody(request, limit));
  } catch (error) {
    const message = error instanceof BodyTooLargeError ? error.message : 'body is not JSON';
    return controlError(response, 400, 'VALIDATION_FAILED', message);
  }
  let result: unknown;
  try {
    result = apply(body);
  } catch (error) {
    if (!(error instanceof VestnikError)) throw error;
    return controlError(response, 400, error.code, error.message, error.details);
  }
  sendJson(response, 200, result);
}

/** What every simulator's control API can do, whatever else it offers. */
export interface CommonControl {
  faults(): unknown;
  /** Validates and applies a faults patch; a bad one throws a VestnikError (answered 400). */
  applyFaults(patch: unknown): unknown;
  stats(): unknown;
  reset(): void | Promise<void>;
}

/**
 * The control routes every simulator has: GET|PUT /_control/faults (PUT merges), GET /_control/stats,
 * POST /_control/reset (answers the fresh stats). Resolves false, answering nothing, for any other route.
 */
export async function handleCommonControl(
  route: string, request: IncomingMessage, response: ServerResponse, control: CommonControl, bodyLimit: number,
): Promise<boolean> {
  switch (route) {
    case 'GET /_control/faults':
      sendJson(response, 200, control.faults());
      return true;
    case 'PUT /_control/faults':
      await withJsonBody(request, response, bodyLimit, (body) => control.applyFaults(body));
      return true;
    case 'GET /_control/stats':
      sendJson(response, 200, control.stats());
      return true;
    case 'POST /_control/reset':
      await control.reset();
      sendJson(response, 200, control.stats());
      return true;
    default:
      return false;
  }
}
