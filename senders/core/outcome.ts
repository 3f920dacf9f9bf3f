import { deliveryOf, statusOf } from '../../domain/deliveries/build';
import { decideSendTime } from '../../platform/time-window';
import { assertUnreachable } from '../../platform/errors';
import type { DeliveryCommand, DeliveryStatus, DeliveryStatusName } from '../../schemas/types';
import { nextRetryDelay } from '../policy/backoff';
import type { SendResult } from '../policy/channel';

export interface RetryPolicy {
  /** Attempts of a command without expiresAt; a command with one is retried until it expires. */
  maxAttempts: number;
  baseMs: number;
  maxMs: number;
  random: () => number;
}

/** What a sender does with a command before calling the provider. */
export type Precheck =
  | { kind: 'send' }
  | { kind: 'defer'; until: number }
  | { kind: 'expire'; status: DeliveryStatus };

/** What a sender records after the provider answered. */
export interface Outcome {
  status: DeliveryStatus;
  /** done: the delivery is final and must never be sent again; release: it will be tried again. */
  claim: 'done' | 'release';
  /** Try again at dueAt with this command (attempt already incremented). */
  retry?: { command: DeliveryCommand; dueAt: number };
  /** A new delivery on the fallback channel (push failed → email). */
  fallback?: DeliveryCommand;
}

/**
 * Before sending: a cancelled source or a passed expiry ends the delivery as `expired`; a time before
 * notBefore or outside the send window defers it to the first allowed instant.
 */
export function precheck(command: DeliveryCommand, now: number, sourceCancelled: boolean): Precheck {
  if (sourceCancelled) return { kind: 'expire', status: statusOf(command, 'expired', now, 'source cancelled') };
  const decision = decideSendTime({
    now, notBefore: command.notBefore, expiresAt: command.expiresAt, sendWindow: command.sendWindow,
    timezone: command.timezone,
  });
  switch (decision.kind) {
    case 'now': return { kind: 'send' };
    case 'defer': return { kind: 'defer', until: decision.until };
    case 'expire': return { kind: 'expire', status: statusOf(command, 'expired', now, 'expired before it could be sent') };
    default: return assertUnreachable(decision);
  }
}

/**
 * After the provider answered: final, retried later with backoff, or handed to the fallback channel.
 * A command's `attempt` counts the provider calls made before it; every status decided here comes after
 * one more call, so it carries `attempt + 1` (1 after the first call, whatever its result): the statistics'
 * `attempts` (max over a delivery's statuses) is the number of calls made. Statuses decided without a
 * call (precheck: expired, suppressed at fan-out) keep the calls made so far.
 */
export function decideOutcome(command: DeliveryCommand, result: SendResult, now: number, policy: RetryPolicy): Outcome {
  const called: DeliveryCommand = { ...command, attempt: command.attempt + 1 };
  switch (result.kind) {
    case 'sent':
      return { status: statusOf(called, 'sent', now, null, result.providerMessageId ?? null), claim: 'done' };
    case 'permanent':
      return failPermanently(called, `${result.code}: ${result.reason}`, now);
    case 'retriable': {
      const reason = `${result.code}: ${result.reason}`;
      // A command with a deadline keeps trying until it (then expires); only open-ended ones give up by count.
      if (command.expiresAt === null && called.attempt >= policy.maxAttempts) {
        return failPermanently(called, `gave up after ${called.attempt} attempts; last: ${reason}`, now);
      }
      // A provider that said when to come back (Retry-After) is not asked sooner; maxMs still caps it.
      const waitMs = Math.max(nextRetryDelay(called.attempt, policy), Math.min(result.retryAfterMs ?? 0, policy.maxMs));
      const dueAt = now + waitMs;
      if (command.expiresAt !== null && dueAt >= command.expiresAt) {
        return { status: statusOf(called, 'expired', now, `expires before the next attempt; last: ${reason}`), claim: 'done' };
      }
      // The retry is the same command with the calls made so far: its own outcome will say one more.
      return { status: statusOf(called, 'retrying', now, reason), claim: 'release', retry: { command: called, dueAt } };
    }
    default:
      return assertUnreachable(result);
  }
}

/** `called` is the command with the call just made counted in its attempt. */
function failPermanently(called: DeliveryCommand, reason: string, now: number): Outcome {
  if (!called.fallback) return { status: statusOf(called, 'failed', now, reason), claim: 'done' };
  const { channel, address } = called.fallback;
  // The same message on the other channel: a push title becomes the email subject.
  const content = { ...called.content, subject: called.content.subject ?? called.content.title };
  const fallback: DeliveryCommand = {
    ...called, channel, address, content, fallback: null, attempt: 0, deviceTokens: [], createdAt: now,
    deliveryId: deliveryOf({ ...called, channel }).deliveryId,
  };
  return { status: statusOf(called, 'fallback', now, reason), claim: 'done', fallback };
}
