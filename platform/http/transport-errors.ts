/**
 * The one classifier of HTTP transport failures (undici and Node system errors), shared by every
 * outside service Vestnik calls: the senders' providers (SMS, push, the generic provider HTTP) and
 * the user-data service the processors ask for context. Each boundary turns the answer into its own
 * result type; the rule of what a network failure means lives here once.
 */
import type { ErrorCode } from '../errors';

/** A failed call: whether asking again later can help, the code, and why (no personal data). */
export interface TransportFailure {
  retriable: boolean;
  code: ErrorCode;
  reason: string;
}

function failure(retriable: boolean, code: ErrorCode, reason: string): TransportFailure {
  return { retriable, code, reason };
}

/**
 * Network-level failures where the request may never have reached the provider, or its answer never
 * reached us: all transient. Keys are undici error codes and Node system error codes.
 */
const TRANSIENT_ERROR_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection broken',
  ETIMEDOUT: 'connect timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'dns lookup failed',
  UND_ERR_CONNECT_TIMEOUT: 'connect timed out',
  UND_ERR_HEADERS_TIMEOUT: 'no response within the timeout',
  UND_ERR_BODY_TIMEOUT: 'response body stalled past the timeout',
  UND_ERR_SOCKET: 'socket closed by the other side',
  UND_ERR_CLOSED: 'client closed before sending',
  UND_ERR_DESTROYED: 'client destroyed before sending',
  UND_ERR_ABORTED: 'request aborted',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'truncated response',
};

/** Codes for answers we could not read: the provider is up but said something unusable. */
const BAD_RESPONSE_ERROR_CODES: Record<string, string> = {
  UND_ERR_RES_EXCEEDED_MAX_SIZE: 'response larger than allowed',
  UND_ERR_HEADERS_OVERFLOW: 'response headers too large',
};

/**
 * Classifies a thrown error by the codes along its cause chain (a wrapper such as fetch's
 * "TypeError: fetch failed" is looked through). Programmer errors with no known code underneath
 * (TypeError, RangeError, undici's invalid-argument) are permanent: retrying a bug only repeats it.
 * Anything else unknown is retriable: the attempt budget bounds the cost, and dropping is worse.
 */
export function classifyTransportError(error: unknown): TransportFailure {
  const chain = [...causeChain(error)];
  for (const current of chain) {
    const known = classifyErrorCode((current as { code?: unknown }).code);
    if (known) return known;
  }
  if (chain.some((current) => current instanceof Error && current.name === 'AbortError')) {
    return failure(true, 'PROVIDER_UNAVAILABLE', 'request aborted');
  }
  const top = chain[0];
  if (top instanceof TypeError || top instanceof RangeError) return failure(false, 'INTERNAL', `${top.name} while calling the provider`);
  return failure(true, 'PROVIDER_UNAVAILABLE', 'unrecognised failure calling the provider');
}

function classifyErrorCode(code: unknown): TransportFailure | undefined {
  if (typeof code !== 'string') return undefined;
  const transient = TRANSIENT_ERROR_CODES[code];
  if (transient) return failure(true, 'PROVIDER_UNAVAILABLE', `${code}: ${transient}`);
  const bad = BAD_RESPONSE_ERROR_CODES[code];
  if (bad) return failure(true, 'PROVIDER_BAD_RESPONSE', `${code}: ${bad}`);
  if (code === 'UND_ERR_INVALID_ARG') return failure(false, 'INTERNAL', `${code}: invalid request built`);
  return undefined;
}

function* causeChain(error: unknown): Generator<unknown> {
  const seen = new Set<unknown>();
  let current = error;
  while (current !== undefined && current !== null && !seen.has(current)) {
    seen.add(current);
    yield current;
    current = current instanceof Error ? (current as Error & { cause?: unknown }).cause : undefined;
  }
}
