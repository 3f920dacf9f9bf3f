import type { ErrorCode } from '../../platform/errors';
import { classifyTransportError } from '../../platform/http/transport-errors';

/**
 * The outcome of one provider call, as every sender's consumer loop sees it. The provider adapter
 * (classify.ts of a channel) decides the kind once; the loop only switches on it.
 */
export type SendResult = (
  | { kind: 'sent'; providerMessageId?: string }
  /**
   * `ambiguous`: the request was written to the provider and no answer came (timed out, or the connection
   * closed after the write), so the provider may have acted on it. Without it, the request never reached
   * the provider (refused, never connected, still waiting for a connection) or the provider answered
   * "not now": sending again is safe. senders/core/outcome.ts decides what an ambiguous one becomes.
   */
  | { kind: 'retriable'; code: ErrorCode; reason: string; retryAfterMs?: number; ambiguous?: true }
  | { kind: 'permanent'; code: ErrorCode; reason: string }
) & {
  /** Which of the channel's providers answered (set by guarded-channel.ts; the status records it). */
  provider?: string;
};

export type SendResultKind = SendResult['kind'];

/** The provider accepted the message. */
export function sent(providerMessageId?: string): SendResult {
  return providerMessageId === undefined ? { kind: 'sent' } : { kind: 'sent', providerMessageId };
}

/** Worth another attempt later; `retryAfterMs` when the provider said how long to wait. */
export function retriable(code: ErrorCode, reason: string, retryAfterMs?: number): SendResult {
  return retryAfterMs === undefined ? { kind: 'retriable', code, reason } : { kind: 'retriable', code, reason, retryAfterMs };
}

/** The request was written and no answer came: the provider may have accepted it (see SendResult). */
export function ambiguous(code: ErrorCode, reason: string): SendResult {
  return { kind: 'retriable', code, reason, ambiguous: true };
}

/** No retry can succeed: the delivery becomes failed. */
export function permanent(code: ErrorCode, reason: string): SendResult {
  return { kind: 'permanent', code, reason };
}

/** A thrown transport error as a SendResult (the rule is platform/http/transport-errors.ts). */
export function classifyError(error: unknown): SendResult {
  const failure = classifyTransportError(error);
  return failure.retriable ? retriable(failure.code, failure.reason) : permanent(failure.code, failure.reason);
}
