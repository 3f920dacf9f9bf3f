import { VestnikError } from '../../platform/errors';
import { classifyTransportError } from '../../platform/http/transport-errors';

/**
 * The user-data service boundary's one decision (contract: simulators/user-data/contract.ts): the
 * contexts it answered, or an error that says whether asking again later can help.
 *
 * Retriable (the fan-out batch is retried with backoff, nothing of the page is produced): no answer in
 * time, a connection error, 5xx, 408/425/429, a 2xx whose body is not `{ "contexts": { ... } }`.
 * Permanent (the request is dead-lettered with the reason): 404 (the service knows no such kind) and
 * every other 4xx — the same request can only get the same answer.
 */
export type ContextsByUser = ReadonlyMap<string, Record<string, unknown>>;

const RETRIABLE_CLIENT_STATUSES = new Set([408, 425, 429]);

/** Reads one answer of `POST /v1/context/{kind}`; throws a VestnikError when it holds no contexts. */
export function readContextsAnswer(kind: string, status: number, body: string): ContextsByUser {
  if (status >= 200 && status < 300) return readContexts(kind, status, body);
  if (status >= 500 || RETRIABLE_CLIENT_STATUSES.has(status)) {
    return fail('PROVIDER_UNAVAILABLE', `user-data service answered http ${status} for ${kind}`, true);
  }
  if (status === 404) return fail('PROVIDER_REJECTED', `user-data service knows no context kind ${kind} (http 404)`, false);
  if (status >= 400) return fail('PROVIDER_REJECTED', `user-data service refused the ${kind} request: http ${status}${errorMessageOf(body)}`, false);
  // 1xx/3xx: not part of the contract (a misrouted proxy, a redirect we do not follow).
  return fail('PROVIDER_BAD_RESPONSE', `user-data service answered an unexpected http ${status} for ${kind}`, true);
}

/**
 * A request that got no answer: past the deadline, or a network or protocol error. Classified by
 * error codes along the cause chain (the SMS boundary's table); a programmer error stays permanent.
 */
export function transportFailure(kind: string, error: unknown, timeoutMs: number | null): VestnikError {
  if (timeoutMs !== null) {
    return new VestnikError('PROVIDER_UNAVAILABLE', `user-data service gave no ${kind} answer within ${timeoutMs} ms`, { retriable: true, cause: error });
  }
  const failure = classifyTransportError(error);
  return new VestnikError(failure.code, `user-data service ${kind} request failed: ${failure.reason}`, {
    retriable: failure.retriable, cause: error,
  });
}

/**
 * The contexts of a 2xx body. A user whose value is not an object counts as not answered (that
 * recipient fails alone); a body without a `contexts` object is the service's trouble (retriable).
 */
function readContexts(kind: string, status: number, body: string): ContextsByUser {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return fail('PROVIDER_BAD_RESPONSE', `user-data service answered http ${status} for ${kind} with a body that is not JSON`, true);
  }
  const contexts = isRecord(parsed) ? parsed.contexts : undefined;
  if (!isRecord(contexts)) {
    return fail('PROVIDER_BAD_RESPONSE', `user-data service answered http ${status} for ${kind} without a contexts object`, true);
  }
  const byUser = new Map<string, Record<string, unknown>>();
  for (const [userId, context] of Object.entries(contexts)) if (isRecord(context)) byUser.set(userId, context);
  return byUser;
}

function fail(code: 'PROVIDER_UNAVAILABLE' | 'PROVIDER_REJECTED' | 'PROVIDER_BAD_RESPONSE', message: string, retriable: boolean): never {
  throw new VestnikError(code, message, { retriable });
}

/** ": <message>" of the service's `{ error: { message } }` body, cut short; empty when there is none. */
function errorMessageOf(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    const message = isRecord(parsed) && isRecord(parsed.error) ? parsed.error.message : undefined;
    return typeof message === 'string' ? `: ${message.slice(0, 200)}` : '';
  } catch {
    return '';
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
