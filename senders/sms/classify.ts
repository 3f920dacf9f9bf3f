import { SendResult, permanent, retriable, sent } from '../policy/send-result';

/**
 * The SMS provider boundary's one decision: was the message accepted, is it worth retrying, or is it
 * lost for good. Decided by HTTP status, the body's `code`, and error classes/codes — never by text.
 *
 * A 200 whose body is not `{"code":0}` is retriable. The contract defines only code 0 (success) and
 * reserves HTTP 400 for "this request is wrong"; a non-zero code on a 200 carries no documented
 * meaning, so it reads as "not accepted this time", not as "can never be accepted". Retrying is the
 * side that loses nothing: the attempt budget bounds it, and the stable msgId makes a repeat
 * recognisable as the same message.
 */
export interface ProviderResponse {
  status: number;
  body: string;
  /** The Retry-After header, if any (delay-seconds form only; the HTTP-date form is ignored). */
  retryAfter?: string | string[];
  /** Echoed as providerMessageId on success: the provider returns no id of its own. */
  msgId?: number;
}

/** Statuses that mean "try again later": the request was fine, the moment was not. */
const RETRIABLE_CLIENT_STATUSES = new Set([408, 425, 429]);

/** Maps a provider HTTP response to a SendResult. */
export function classifyResponse(response: ProviderResponse): SendResult {
  const { status } = response;
  if (status >= 200 && status < 300) return classifySuccessBody(response);
  if (status >= 500 || RETRIABLE_CLIENT_STATUSES.has(status)) {
    return retriable('PROVIDER_UNAVAILABLE', `http ${status}`, retryAfterMs(response.retryAfter));
  }
  if (status >= 400) return permanent('PROVIDER_REJECTED', `http ${status}`);
  // 1xx/3xx: not part of the contract (a misrouted proxy, a redirect we do not follow).
  return retriable('PROVIDER_BAD_RESPONSE', `unexpected http ${status}`);
}

function classifySuccessBody(response: ProviderResponse): SendResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(response.body);
  } catch {
    return retriable('PROVIDER_BAD_RESPONSE', `http ${response.status} with a body that is not JSON`);
  }
  const code = typeof parsed === 'object' && parsed !== null ? (parsed as { code?: unknown }).code : undefined;
  if (code === 0) return sent(response.msgId === undefined ? undefined : String(response.msgId));
  if (typeof code === 'number') return retriable('PROVIDER_REJECTED', `http ${response.status} with body code ${code}`);
  return retriable('PROVIDER_BAD_RESPONSE', `http ${response.status} without a numeric body code`);
}

function retryAfterMs(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value.trim()) * 1000;
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
 * Maps a thrown error to a SendResult by the codes along its cause chain (a wrapper such as fetch's
 * "TypeError: fetch failed" is looked through). Programmer errors with no known code underneath
 * (TypeError, RangeError, undici's invalid-argument) are permanent: retrying a bug only repeats it.
 * Anything else unknown is retriable: the attempt budget bounds the cost, and dropping is worse.
 */
export function classifyError(error: unknown): SendResult {
  const chain = [...causeChain(error)];
  for (const current of chain) {
    const known = classifyErrorCode((current as { code?: unknown }).code);
    if (known) return known;
  }
  if (chain.some((current) => current instanceof Error && current.name === 'AbortError')) {
    return retriable('PROVIDER_UNAVAILABLE', 'request aborted');
  }
  const top = chain[0];
  if (top instanceof TypeError || top instanceof RangeError) return permanent('INTERNAL', `${top.name} while calling the provider`);
  return retriable('PROVIDER_UNAVAILABLE', 'unrecognised failure calling the provider');
}

function classifyErrorCode(code: unknown): SendResult | undefined {
  if (typeof code !== 'string') return undefined;
  const transient = TRANSIENT_ERROR_CODES[code];
  if (transient) return retriable('PROVIDER_UNAVAILABLE', `${code}: ${transient}`);
  const bad = BAD_RESPONSE_ERROR_CODES[code];
  if (bad) return retriable('PROVIDER_BAD_RESPONSE', `${code}: ${bad}`);
  if (code === 'UND_ERR_INVALID_ARG') return permanent('INTERNAL', `${code}: invalid request built`);
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
