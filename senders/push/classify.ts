import { SendResult, ambiguous, permanent, retriable, sent } from '../policy/send-result';
import { retryAfterMs } from '../policy/retry-after';

export { classifyError } from '../policy/send-result';

/**
 * The push provider boundary, decided once per device token and then once per command. FCM answers
 * each token separately: the token is accepted, the token is dead (the app was uninstalled: remove it,
 * never retry it), or the call failed for reasons that are not the token's (quota, outage: retry;
 * a malformed message or bad credentials: permanent for every token alike). Decided by HTTP status and
 * FCM's structured error details, never by message text.
 */
export type TokenOutcome =
  | { kind: 'accepted'; name: string }
  | { kind: 'invalid-token'; errorCode: string }
  | { kind: 'failed'; result: SendResult };

export interface PushProviderResponse {
  status: number;
  body: string;
  /** The Retry-After header, if any (delay-seconds form only). */
  retryAfter?: string | string[];
}

const FCM_ERROR_TYPE = 'type.googleapis.com/google.firebase.fcm.v1.FcmError';
const BAD_REQUEST_TYPE = 'type.googleapis.com/google.rpc.BadRequest';
/** FCM errorCodes that condemn the token, not the message: UNREGISTERED (app gone), SENDER_ID_MISMATCH (another project's token). */
const DEAD_TOKEN_CODES = new Set(['UNREGISTERED', 'SENDER_ID_MISMATCH']);
/** Statuses that mean "try again later": the request was fine, the moment was not. */
const RETRIABLE_CLIENT_STATUSES = new Set([408, 425, 429]);

/** Maps one token's provider response to its outcome. */
export function classifyTokenResponse(response: PushProviderResponse): TokenOutcome {
  const { status } = response;
  if (status >= 200 && status < 300) return classifySuccessBody(response);
  const error = readFcmError(response.body);
  const label = `http ${status}${error.errorCode ? ` ${error.errorCode}` : ''}`;
  if (error.errorCode && DEAD_TOKEN_CODES.has(error.errorCode)) return { kind: 'invalid-token', errorCode: error.errorCode };
  // INVALID_ARGUMENT names the bad field: only a bad `message.token` is the token's fault.
  if (status === 400 && error.badFields.includes('message.token')) return { kind: 'invalid-token', errorCode: 'INVALID_ARGUMENT' };
  if (status >= 500 || RETRIABLE_CLIENT_STATUSES.has(status)) {
    return { kind: 'failed', result: retriable('PROVIDER_UNAVAILABLE', label, retryAfterMs(response.retryAfter)) };
  }
  if (status >= 400) return { kind: 'failed', result: permanent('PROVIDER_REJECTED', label) };
  return { kind: 'failed', result: retriable('PROVIDER_BAD_RESPONSE', `unexpected http ${status}`) };
}

function classifySuccessBody(response: PushProviderResponse): TokenOutcome {
  let parsed: unknown;
  try {
    parsed = JSON.parse(response.body);
  } catch {
    return { kind: 'failed', result: retriable('PROVIDER_BAD_RESPONSE', `http ${response.status} with a body that is not JSON`) };
  }
  const name = typeof parsed === 'object' && parsed !== null ? (parsed as { name?: unknown }).name : undefined;
  if (typeof name === 'string' && name !== '') return { kind: 'accepted', name };
  return { kind: 'failed', result: retriable('PROVIDER_BAD_RESPONSE', `http ${response.status} without a message name`) };
}

/** FCM's errorCode and the BadRequest field names from a Google error body; empty when unreadable. */
export function readFcmError(body: string): { errorCode: string | null; badFields: string[] } {
  let details: unknown;
  try {
    details = (JSON.parse(body) as { error?: { details?: unknown } } | null)?.error?.details;
  } catch {
    return { errorCode: null, badFields: [] };
  }
  if (!Array.isArray(details)) return { errorCode: null, badFields: [] };
  const entries = details.filter((d): d is Record<string, unknown> => typeof d === 'object' && d !== null);
  const fcm = entries.find((d) => d['@type'] === FCM_ERROR_TYPE);
  const errorCode = typeof fcm?.errorCode === 'string' ? fcm.errorCode : null;
  const badFields = entries
    .filter((d) => d['@type'] === BAD_REQUEST_TYPE && Array.isArray(d.fieldViolations))
    .flatMap((d) => (d.fieldViolations as Array<{ field?: unknown }>).map((v) => v?.field))
    .filter((field): field is string => typeof field === 'string');
  return { errorCode, badFields };
}

/** A command's result and the tokens the provider condemned, to be removed from the client. */
export interface PushDeliveryResult {
  result: SendResult;
  invalidTokens: string[];
}

/**
 * One command's result from its tokens' outcomes, in this order:
 * - any token accepted → sent, even if other tokens failed retriably. A command carries every token and
 *   a retry re-sends to all of them, so retrying would push the same notice again to the devices that
 *   already showed it; the person has been reached, which is what the delivery is for. (Per-token
 *   retries would need per-token progress on the command; not worth it for a best-effort channel.)
 * - else any retriable failure → retriable (the largest Retry-After wins): the provider, not the
 *   tokens, was the problem, and the tokens not yet judged may still be good. If any of them is
 *   ambiguous (written, no answer), so is the command: a retry re-sends to every token, that one too.
 * - else any permanent failure that is not a token's → that failure (the message or credentials are bad).
 * - else every token is dead → permanent PROVIDER_REJECTED, so a `fallback` channel takes over.
 * Dead tokens are reported in every case: the provider's verdict on them does not depend on the rest.
 */
export function combineTokenOutcomes(outcomes: ReadonlyArray<{ token: string; outcome: TokenOutcome }>): PushDeliveryResult {
  const invalidTokens = outcomes.filter((o) => o.outcome.kind === 'invalid-token').map((o) => o.token);
  const accepted = outcomes.find((o) => o.outcome.kind === 'accepted')?.outcome;
  if (accepted?.kind === 'accepted') return { result: sent(accepted.name), invalidTokens };
  const failures = outcomes.flatMap((o) => (o.outcome.kind === 'failed' ? [o.outcome.result] : []));
  const retriables = failures.filter((r) => r.kind === 'retriable');
  const first = retriables.find((r) => r.kind === 'retriable' && r.ambiguous) ?? retriables[0];
  if (first?.kind === 'retriable') {
    const waits = retriables.map((r) => (r.kind === 'retriable' ? r.retryAfterMs : undefined)).filter((ms): ms is number => ms !== undefined);
    const reason = retriables.length > 1 ? `${first.reason} (and ${retriables.length - 1} more tokens)` : first.reason;
    if (first.ambiguous) return { result: ambiguous(first.code, reason), invalidTokens };
    return { result: retriable(first.code, reason, waits.length > 0 ? Math.max(...waits) : undefined), invalidTokens };
  }
  const rejected = failures[0];
  if (rejected) return { result: rejected, invalidTokens };
  return { result: permanent('PROVIDER_REJECTED', `all ${invalidTokens.length} device tokens are unregistered or invalid`), invalidTokens };
}
