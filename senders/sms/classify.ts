import { SendResult, permanent, retriable, sent } from '../policy/send-result';
import { retryAfterMs } from '../policy/retry-after';

export { classifyError } from '../policy/send-result';

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
