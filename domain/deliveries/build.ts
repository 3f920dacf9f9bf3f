/**
 * The one builder of delivery commands and status records. Every stage that creates a delivery (the
 * fan-outs, the welcome and activity flows, a sender's fallback) or records a change of one (the senders)
 * builds it here, so ids, stamps and defaults follow one rule:
 * - a delivery id is deterministic in (source type, source id, client, channel): a replayed event is the
 *   same delivery, which the senders claim once;
 * - a status id is deterministic in (delivery, status, attempt): a status written twice counts once;
 * - a processor stamps the statuses it writes for an event with `eventStamp`, the event's time and never
 *   later than now, so a replay writes identical rows (ClickHouse folds them) and a replayed `queued`
 *   can never look newer than the `sent` a sender recorded in between.
 */
import { deliveryIdOf, resendIdOf, statusIdOf } from '../../platform/ids';
import type {
  Channel, DeliveryCommand, DeliveryStatus, DeliveryStatusName, MessageContent, Priority, SourceType, TimeWindow,
} from '../../schemas/types';

/** Where a delivery comes from and whom it is for: what its id and every one of its statuses carry. */
export interface DeliveryOrigin {
  sourceType: SourceType;
  sourceId: string;
  clientId: string;
  channel: Channel;
  priority: Priority;
}

/** A delivery as statuses refer to it; a command is one (its `attempt` counts the provider calls made so far). */
export type DeliveryRef = DeliveryOrigin & { deliveryId: string; attempt?: number };

/** The origin with its deterministic delivery id. */
export function deliveryOf(origin: DeliveryOrigin): DeliveryRef {
  return { ...origin, deliveryId: deliveryIdOf(origin.sourceType, origin.sourceId, origin.clientId, origin.channel) };
}

/**
 * The `round`-th re-send of the delivery `original` (the source's own delivery of that client and
 * channel): a new delivery of the same origin, so the senders claim it afresh and the provider sees a new
 * message id, while a repeated resend of the same round is the same delivery, claimed once. The
 * statistics count a source's deliveries per client and channel, so the original and its re-sends are
 * one message there, whose status is the latest attempt's (analytics/stats-queries.ts).
 */
export function resendOf(original: DeliveryRef, round: number): DeliveryRef {
  return { ...original, attempt: undefined, deliveryId: resendIdOf(original.deliveryId, round) };
}

/** The reason on a re-send's `queued` status: the link to the delivery it re-sends. */
export function resendReason(originalId: string, round: number): string {
  return `resend of ${originalId} (round ${round})`;
}

/** The time a processor stamps on the statuses of an event: the event's own, never later than now. */
export function eventStamp(eventAt: number, now: number): number {
  return Math.min(eventAt, now);
}

/** Who took a provider call: its name and the id it gave the message (null where there was none). */
export interface ProviderCall {
  provider?: string | null;
  providerMessageId?: string | null;
}

/** The status record of one change of a delivery, at `at`, for its current attempt. */
export function statusOf(
  delivery: DeliveryRef,
  status: DeliveryStatusName,
  at: number,
  reason: string | null = null,
  call: ProviderCall = {},
): DeliveryStatus {
  const attempt = delivery.attempt ?? 0;
  return {
    statusId: statusIdOf(delivery.deliveryId, status, attempt), deliveryId: delivery.deliveryId,
    sourceType: delivery.sourceType, sourceId: delivery.sourceId, clientId: delivery.clientId, channel: delivery.channel,
    priority: delivery.priority, status, attempt, reason, providerMessageId: call.providerMessageId ?? null, provider: call.provider ?? null, occurredAt: at,
  };
}

/** What a command carries beyond its origin; the optional parts default to "none". */
export interface CommandParts {
  address: string;
  content: MessageContent;
  timezone: string;
  deviceTokens?: string[];
  fallback?: DeliveryCommand['fallback'];
  promo?: boolean;
  sendWindow?: TimeWindow | null;
  notBefore?: number | null;
  expiresAt?: number | null;
}

/** A new delivery command (attempt 0), created at `now`. */
export function commandOf(delivery: DeliveryRef, parts: CommandParts, now: number): DeliveryCommand {
  return {
    deliveryId: delivery.deliveryId, sourceType: delivery.sourceType, sourceId: delivery.sourceId, clientId: delivery.clientId,
    channel: delivery.channel, priority: delivery.priority, address: parts.address, deviceTokens: parts.deviceTokens ?? [],
    content: parts.content, fallback: parts.fallback ?? null, promo: parts.promo ?? false, timezone: parts.timezone,
    sendWindow: parts.sendWindow ?? null, notBefore: parts.notBefore ?? null, expiresAt: parts.expiresAt ?? null,
    attempt: 0, createdAt: now,
  };
}

/** A processor's decision for one recipient on one channel: a command and its `queued`, or a status saying why not. */
export type RecipientDecision =
  | { kind: 'deliver'; command: DeliveryCommand; status: DeliveryStatus }
  | { kind: 'skip'; status: DeliveryStatus };

/** Deliver `command`; its `queued` status is stamped at `at` (with `reason`, e.g. the resend link). */
export function deliver(command: DeliveryCommand, at: number, reason: string | null = null): RecipientDecision {
  return { kind: 'deliver', command, status: statusOf(command, 'queued', at, reason) };
}

/** Nothing is sent to this recipient on this channel, and the status says why. */
export function skip(delivery: DeliveryRef, status: 'suppressed' | 'failed', reason: string, at: number): RecipientDecision {
  return { kind: 'skip', status: statusOf(delivery, status, at, reason) };
}
