import { ReplyError } from 'ioredis';
import { MaxRetriesPerRequestError } from 'ioredis/built/errors';
import { CONNECTION_CLOSED_ERROR_MSG } from 'ioredis/built/utils';
import { describeError, VestnikError } from '../errors';

/**
 * Which Redis failures are "Redis is not available right now" (retriable) and which are answers to a
 * command (permanent). Pure: the edge in client.ts runs it on every rejected command.
 *
 * Unavailable:
 * - the client gave up on the command: redis-errors' AbortError and its subclasses
 *   (MaxRetriesPerRequestError after the reconnect budget, "aborted due to connection close");
 * - the connection is closed for good (ioredis's own CONNECTION_CLOSED_ERROR_MSG sentinel: that error
 *   has no class or code of its own, so the library's exported constant is compared, not our own text);
 * - a socket error carrying a Node system code (ECONNREFUSED, ETIMEDOUT, ECONNRESET…);
 * - a server reply whose error code (the first word, which is how Redis defines error classes) says the
 *   server cannot serve it yet: LOADING, BUSY, READONLY, MASTERDOWN, CLUSTERDOWN, TRYAGAIN, NOREPLICAS;
 *   and a Redis Cluster's MOVED and ASK, which reach the caller when a slot moved under an auto-pipeline
 *   (ioredis redirects a pipeline only when every command got the same redirection, and commands of
 *   several slots name several): after a fail-over, until the client's slot map catches up.
 *
 * Everything else (WRONGTYPE, ERR syntax, NOSCRIPT, a script's own error_reply) is an answer and is left
 * exactly as ioredis made it: it is not a VestnikError, so isRetriable() says false and the record is
 * dead-lettered; and ioredis itself reads some of these after the edge (the EVALSHA → EVAL fallback
 * looks for NOSCRIPT, MULTI attaches previousErrors), which a wrapper would break.
 */
export const UNAVAILABLE_REPLY_CODES = ['LOADING', 'BUSY', 'READONLY', 'MASTERDOWN', 'CLUSTERDOWN', 'TRYAGAIN', 'NOREPLICAS', 'MOVED', 'ASK'] as const;

/** The replies that say a Redis Cluster's slot map changed. */
export function isSlotMoved(error: unknown): boolean {
  return error instanceof Error && isA(error, ReplyErrorClass) && ['MOVED', 'ASK'].includes(replyCodeOf(error));
}

export const NETWORK_ERROR_CODES = [
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN',
  'ENOTFOUND', 'EAI_AGAIN',
] as const;

type ErrorClass = abstract new (...args: never[]) => Error;

/** redis-errors' AbortError: ioredis does not re-export it, but MaxRetriesPerRequestError extends it. */
const AbortError: ErrorClass = Object.getPrototypeOf(MaxRetriesPerRequestError);
const ReplyErrorClass: ErrorClass = ReplyError;
const unavailableReplies: ReadonlySet<string> = new Set(UNAVAILABLE_REPLY_CODES);
const networkCodes: ReadonlySet<string> = new Set(NETWORK_ERROR_CODES);

/** The Redis error code of a server reply error: its first word ("WRONGTYPE", "LOADING"…). */
export function replyCodeOf(error: Error): string {
  return error.message.split(' ', 1)[0] ?? '';
}

/** True when the error says Redis could not be reached or cannot serve right now (see above). */
export function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error) || error instanceof VestnikError) return false;
  if (isA(error, ReplyErrorClass)) return unavailableReplies.has(replyCodeOf(error));
  if (isA(error, AbortError)) return true;
  const code = (error as Error & { code?: unknown }).code;
  if (typeof code === 'string' && networkCodes.has(code)) return true;
  return error.message === CONNECTION_CLOSED_ERROR_MSG;
}

/** instanceof without narrowing: every class here has Error as its TypeScript instance type. */
function isA(error: Error, errorClass: ErrorClass): boolean {
  return error instanceof errorClass;
}

/**
 * What a caller sees for a failed Redis command: REDIS_UNAVAILABLE (retriable, the original as cause)
 * when Redis was unavailable, otherwise the error untouched. Idempotent.
 */
export function classifyRedisError(error: unknown): unknown {
  if (!isRedisUnavailable(error)) return error;
  return new VestnikError('REDIS_UNAVAILABLE', `redis unavailable: ${describeError(error)}`, { retriable: true, cause: error });
}
