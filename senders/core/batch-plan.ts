import type { Channel, DeliveryCommand, DeliveryStatus, Mailing } from '../../schemas/types';
import { precheck } from './outcome';
import type { AmbiguousOutcomeAction, MessageTtl, Outcome } from './outcome';

/**
 * The pure decisions of one sender batch, split from the I/O in consumer.ts so they are unit-tested
 * with tables: which commands are sent, which end before sending, what a claim answer means, and
 * which records and Redis writes settle the batch.
 */

/** The output topics of a sender; injectable so tests do not share the global ones. */
export interface SenderTopics {
  /** The express lane's statuses, a record each. */
  status: string;
  /** The bulk lane's statuses, as page records (domain/deliveries/status-page.ts). */
  statusPages: string;
  retry: string;
  express: string;
  bulk: string;
}

/** A command to be produced later through the delay queue. */
export interface DelayedCommand {
  topic: string;
  /** Kafka key: the delivery id on the retry topic, the recipient on express/bulk (DESIGN.md topics). */
  key: string;
  id: string;
  dueAt: number;
  command: DeliveryCommand;
}

export interface PrecheckPlan {
  toSend: DeliveryCommand[];
  /** Decided before sending: ended (expired, source cancelled) or waiting (with why); status only, no claim, no provider call. */
  statuses: DeliveryStatus[];
  deferred: DelayedCommand[];
}

/** The mailing ids whose cancellation must be looked up (other sources cannot be cancelled). */
export function mailingIdsOf(commands: readonly DeliveryCommand[]): string[] {
  return [...new Set(commands.filter((c) => c.sourceType === 'mailing').map((c) => c.sourceId))];
}

/** Cancelled mailings from their view docs (in the order of `ids`); a missing doc = deleted. */
export function cancelledMailings(ids: readonly string[], docs: readonly (Pick<Mailing, 'status'> | null)[]): Set<string> {
  const cancelled = new Set<string>();
  ids.forEach((id, i) => {
    const doc = docs[i];
    if (doc === null || doc === undefined || doc.status === 'cancelled') cancelled.add(id);
  });
  return cancelled;
}

/** Runs precheck on every command; `sourceTopic` is where the batch came from (a deferral returns there). */
export function planPrechecks(
  commands: readonly DeliveryCommand[],
  now: number,
  cancelledMailingIds: ReadonlySet<string>,
  route: { sourceTopic: string; topics: SenderTopics },
  ttl?: MessageTtl,
): PrecheckPlan {
  const plan: PrecheckPlan = { toSend: [], statuses: [], deferred: [] };
  for (const command of commands) {
    const cancelled = command.sourceType === 'mailing' && cancelledMailingIds.has(command.sourceId);
    const decision = precheck(command, now, cancelled, ttl);
    if (decision.kind === 'send') plan.toSend.push(command);
    else if (decision.kind === 'expire') plan.statuses.push(decision.status);
    else {
      plan.statuses.push(decision.status);
      plan.deferred.push(recheckLater(command, decision.until, route));
    }
  }
  return plan;
}

/** A command to be consumed again at `dueAt` as it is: back where it came from, express stays express. */
export function recheckLater(
  command: DeliveryCommand,
  dueAt: number,
  route: { sourceTopic: string; topics: SenderTopics },
): DelayedCommand {
  const topic = command.priority === 'express' ? route.topics.express : route.sourceTopic;
  return { topic, key: keyFor(topic, command, route.topics), id: delayIdOf(command), dueAt, command };
}

/** One delivery's retry and its deferral share an id per attempt: the later schedule replaces the earlier. */
export function delayIdOf(command: DeliveryCommand): string {
  return `${command.deliveryId}:${command.attempt}`;
}

/** The claim value while a send is in flight. */
export function sendingClaim(ownerId: string, command: DeliveryCommand): string {
  return `sending:${ownerId}:${command.attempt}`;
}

/** The claim value once a delivery is final. */
export function doneClaim(status: DeliveryStatus): string {
  return `done:${status.status}`;
}

/**
 * What an existing claim means for a command that could not claim: `done:` is a replay of a final
 * delivery (drop it silently); `sending:` is a lease held by someone (re-check after the lease); a
 * claim gone since the SET NX (released meanwhile) is re-checked too, never dropped.
 */
export function readClaim(value: string | null): 'replay' | 'leased' {
  return value !== null && value.startsWith('done:') ? 'replay' : 'leased';
}

/** What settles a batch after the provider calls: produced records, then one Redis MULTI. */
export interface SettlePlan {
  statuses: DeliveryStatus[];
  fallbacks: DeliveryCommand[];
  done: { deliveryId: string; claim: string }[];
  release: string[];
  delayed: DelayedCommand[];
  /** The ambiguous results among them and what was done about each (metrics, counted per batch). */
  ambiguous: { channel: Channel; action: AmbiguousOutcomeAction }[];
}

/** Gathers the outcomes of the sent commands into the writes that record them. */
export function planSettle(sent: readonly { command: DeliveryCommand; outcome: Outcome }[], topics: SenderTopics): SettlePlan {
  const plan: SettlePlan = { statuses: [], fallbacks: [], done: [], release: [], delayed: [], ambiguous: [] };
  for (const { command, outcome } of sent) {
    plan.statuses.push(outcome.status);
    if (outcome.ambiguous) plan.ambiguous.push({ channel: command.channel, action: outcome.ambiguous });
    if (outcome.fallback) plan.fallbacks.push(outcome.fallback);
    if (outcome.claim === 'done') plan.done.push({ deliveryId: command.deliveryId, claim: doneClaim(outcome.status) });
    else plan.release.push(command.deliveryId);
    if (outcome.retry) {
      const next = outcome.retry.command;
      const topic = next.priority === 'express' ? topics.express : topics.retry;
      plan.delayed.push({ topic, key: keyFor(topic, next, topics), id: delayIdOf(next), dueAt: outcome.retry.dueAt, command: next });
    }
  }
  return plan;
}

/** The topic a new (fallback) command goes to. */
export function commandTopicOf(command: DeliveryCommand, topics: SenderTopics): string {
  return command.priority === 'express' ? topics.express : topics.bulk;
}

function keyFor(topic: string, command: DeliveryCommand, topics: SenderTopics): string {
  return topic === topics.retry ? command.deliveryId : command.clientId;
}
