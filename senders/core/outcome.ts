import { deliveryOf, statusOf } from '../../domain/deliveries/build';
import { decideSendTime } from '../../platform/time-window';
import { assertUnreachable } from '../../platform/errors';
import type { AmbiguousAction } from '../../platform/config';
import type { Channel, DeliveryCommand, DeliveryStatus, Priority } from '../../schemas/types';
import { nextRetryDelay, retryDelayCap } from '../policy/backoff';
import type { SendResult } from '../policy/channel';

export interface RetryPolicy {
  /** Attempts of a command without expiresAt; a command with one is retried until it expires. */
  maxAttempts: number;
  baseMs: number;
  maxMs: number;
  random: () => number;
  ambiguous: AmbiguousPolicy;
}

/**
 * What a channel does with an ambiguous result: the request was written to the provider and no answer
 * came, so the message may already be on its way. `resend` risks a second copy (a provider that does
 * not de-duplicate by id sends it twice); `fail` risks none reaching the person, and says so: the
 * delivery ends `failed` with a reason starting `ambiguous:`, which an operator can resend by hand.
 */
export type { AmbiguousAction };

export interface AmbiguousPolicy {
  actions: Readonly<Record<Channel, AmbiguousAction>>;
  /**
   * A resend waits at least this many times the normal retry delay's cap: an unanswered request is what
   * an overloaded provider looks like, and hurrying a copy to it is how the doubles of issue 14 came.
   */
  resendDelayFactor: number;
}

/** What became of an ambiguous result (the vestnik_ambiguous_outcomes_total `action`). */
export type AmbiguousOutcomeAction = 'resend' | 'fail' | 'expire';

/** What a sender does with a command before calling the provider. */
export type Precheck =
  | { kind: 'send' }
  /** Held until `until`; `status` (waiting) says why. */
  | { kind: 'defer'; until: number; status: DeliveryStatus }
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
  /** Set when the result was ambiguous: what was done about it (counted per batch). */
  ambiguous?: AmbiguousOutcomeAction;
}

/**
 * How long a message may wait to be sent, by priority (MESSAGE_TTL_EXPRESS_MS, MESSAGE_TTL_BULK_MS),
 * counted from its creation or from its notBefore when that is later: after an outage, a login code or a
 * flash sale that is hours late is worse than none.
 */
export type MessageTtl = Readonly<Record<Priority, number>>;

/** When a command goes stale: its own deadline (a mailing's endAt) or its priority's TTL, whichever comes first. */
export function deadlineOf(command: DeliveryCommand, ttl: MessageTtl | undefined): { at: number | null; byTtl: boolean } {
  if (!ttl) return { at: command.expiresAt, byTtl: false };
  const byTtl = Math.max(command.createdAt, command.notBefore ?? 0) + ttl[command.priority];
  return command.expiresAt !== null && command.expiresAt <= byTtl ? { at: command.expiresAt, byTtl: false } : { at: byTtl, byTtl: true };
}

/**
 * Before sending: a cancelled source or a passed deadline (its own, or its priority's TTL) ends the
 * delivery as `expired`; a time before notBefore or outside the send window defers it to the first allowed
 * instant (or expires it when that is past the deadline).
 */
export function precheck(command: DeliveryCommand, now: number, sourceCancelled: boolean, ttl?: MessageTtl): Precheck {
  if (sourceCancelled) return { kind: 'expire', status: statusOf(command, 'expired', now, 'source cancelled') };
  const deadline = deadlineOf(command, ttl);
  const decision = decideSendTime({
    now, notBefore: command.notBefore, expiresAt: deadline.at, sendWindow: command.sendWindow,
    timezone: command.timezone,
  });
  switch (decision.kind) {
    case 'now': return { kind: 'send' };
    case 'defer': return { kind: 'defer', until: decision.until, status: statusOf(command, 'waiting', now, waitingReason(command, decision.until)) };
    case 'expire': {
      const reason = deadline.byTtl ? `stale: not sent within the ${command.priority} TTL of ${ttl![command.priority] / 60_000} min` : 'expired before it could be sent';
      return { kind: 'expire', status: statusOf(command, 'expired', now, reason) };
    }
    default: return assertUnreachable(decision);
  }
}

/**
 * Why a command waits, for its `waiting` status: its scheduled time, or its send window (a mailing's, or the
 * complement of the recipient's quiet hours, which the fan-out turned into one), with the time it opens in
 * the recipient's zone.
 */
export function waitingReason(command: Pick<DeliveryCommand, 'notBefore' | 'sendWindow' | 'timezone'>, until: number): string {
  const at = localTime(until, command.timezone);
  if (command.notBefore !== null && command.notBefore >= until) return `scheduled: not before ${at}`;
  if (command.sendWindow) return `outside its send window ${command.sendWindow.from}–${command.sendWindow.to}: held until ${at}`;
  return `held until ${at}`;
}

/** "2026-12-05 09:00 Europe/Moscow": the recipient's wall clock (sv-SE formats as ISO); UTC when the zone is unknown. */
function localTime(at: number, timezone: string): string {
  const format = (timeZone: string) => new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).format(at);
  try {
    return `${format(timezone)} ${timezone}`;
  } catch {
    return `${format('UTC')} UTC`;
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
  const outcome = decideAfterCall(command, result, now, policy);
  // Every status after a call names the provider that took it (or whose open circuit answered).
  return result.provider ? { ...outcome, status: { ...outcome.status, provider: result.provider } } : outcome;
}

function decideAfterCall(command: DeliveryCommand, result: SendResult, now: number, policy: RetryPolicy): Outcome {
  const called: DeliveryCommand = { ...command, attempt: command.attempt + 1 };
  switch (result.kind) {
    case 'sent':
      return { status: statusOf(called, 'sent', now, null, { providerMessageId: result.providerMessageId ?? null }), claim: 'done' };
    case 'permanent':
      return failPermanently(called, `${result.code}: ${result.reason}`, now);
    case 'retriable': {
      if (result.ambiguous) return decideAmbiguous(command, called, result, now, policy);
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

/** Over a frequency cap when it was to be sent: suppressed for good, without a call (its attempt unchanged). */
export function suppressedByCap(command: DeliveryCommand, reason: string, now: number): Outcome {
  return { status: statusOf(command, 'suppressed', now, reason), claim: 'done' };
}

type RetriableResult = Extract<SendResult, { kind: 'retriable' }>;

/**
 * A result that may have reached the provider, under its channel's policy: `fail` ends it now (without
 * the fallback channel either: the person may have the message already); `resend` retries it like any
 * retriable result but after the longer wait. Every status reason starts with `ambiguous:`.
 */
function decideAmbiguous(command: DeliveryCommand, called: DeliveryCommand, result: RetriableResult, now: number, policy: RetryPolicy): Outcome {
  const reason = `ambiguous: ${result.code}: ${result.reason}`;
  if (policy.ambiguous.actions[command.channel] === 'fail') {
    return { status: statusOf(called, 'failed', now, `${reason}; not sent again (policy fail)`), claim: 'done', ambiguous: 'fail' };
  }
  if (command.expiresAt === null && called.attempt >= policy.maxAttempts) {
    return { ...failPermanently(called, `gave up after ${called.attempt} attempts; last: ${reason}`, now), ambiguous: 'fail' };
  }
  // The longer wait is added to an ordinary jittered one, so copies of one overload do not return together.
  const longer = policy.ambiguous.resendDelayFactor * retryDelayCap(called.attempt, policy);
  const dueAt = now + longer + nextRetryDelay(called.attempt, policy);
  if (command.expiresAt !== null && dueAt >= command.expiresAt) {
    return { status: statusOf(called, 'expired', now, `expires before it could be sent again; last: ${reason}`), claim: 'done', ambiguous: 'expire' };
  }
  return {
    status: statusOf(called, 'retrying', now, `${reason}; sent again after a longer wait`), claim: 'release',
    retry: { command: called, dueAt }, ambiguous: 'resend',
  };
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
