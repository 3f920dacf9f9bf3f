/**
 * The sender loop: one consumer group reading delivery commands (one per record, or a fan-out's page of
 * bulk commands per record: read-commands.ts), per partition batch (never a Redis round trip per message):
 *
 *   a. cancellation: one MGET of the batch's mailing docs (deleted or cancelled → cancelled);
 *   b. precheck: expired/cancelled → `expired` status; before notBefore / outside the send window →
 *      the delay queue, due when it may be sent;
 *   c. provider rates: one Lua call per rate-limited channel takes the slots its providers' rates have
 *      now (each command is sent starting at the provider that gave its slot); the rest go back through
 *      the delay queue, due at their place in line (never waited for here);
 *      claim: one script call takes every free claim as a lease (claims.ts; a SET NX PX each on a Redis
 *      Cluster); a `done:` claim is a replay (dropped), a `sending:` lease someone else holds is re-checked
 *      through the delay queue after the lease, never lost;
 *   d. frequency caps: one Lua call checks and counts the claimed commands (over a cap → `suppressed`,
 *      never called); deliver the others concurrently (each channel's pool bounds the concurrency);
 *   e. record, in this order, which is what makes a crash safe:
 *      (1) ONE produce of every status (bulk: as status pages) and fallback command;
 *      (2) ONE Redis MULTI: final claims `done:<status>`, released claims deleted, retries and
 *          deferrals into the delay queue (on a Redis Cluster the claims, then the queue: see record());
 *      (3) return, and the consumer layer commits the offsets.
 *      A failure of (1) or (2) is retried in place, the chunk's leases renewed (record-in-place.ts): the
 *      providers have answered, and a replay would call them again.
 *      A crash before (1) replays the batch: the lease blocks a second concurrent send until it
 *      expires, then the command is sent again (same msgId, but the SMS provider does not de-duplicate by
 *      it: a crash here can still mean a second SMS; see the README's "Ambiguous provider calls").
 *      A crash between (1) and (2) replays statuses whose statusId is the same, so they count once,
 *      and re-sends as above. A crash between (2) and (3) replays commands whose claims say `done:`.
 */
import type { Kafka } from 'kafkajs';
import { createBatchConsumer, type BatchConsumer, type ConsumedTopic, type TopicBatch } from '../../platform/kafka';
import type { RetryPolicy as BatchRetryPolicy } from '../../platform/kafka';
import type { TypedProducer } from '../../platform/kafka/producer';
import type { Logger } from '../../platform/logger';
import type { Redis } from '../../platform/redis/client';
import { execOrThrow, type DelayQueue, type DelayedRecord } from '../../platform/redis/delay-queue';
import { createDirectoryReader } from '../../platform/redis/directory';
import { TOPICS } from '../../platform/topics';
import type { Lane } from '../../platform/lanes';
import { statusPagesBatch } from '../../domain/deliveries/status-page';
import type { Codec } from '../../platform/codec/codec';
import type { RecordHeaders } from '../../platform/tracing/propagation';
import type { Channel, DeliveryCommand, DeliveryCommandPage, DeliveryStatus, DeliveryStatusName } from '../../schemas/types';
import { permanent, retriable, type SendResult } from '../policy/send-result';
import {
  cancelledMailings, commandTopicOf, mailingIdsOf, planPrechecks, planSettle, recheckLater,
  type DelayedCommand, type PrecheckPlan, type SenderTopics, type SettlePlan,
} from './batch-plan';
import type { ChannelDeliverer, DeliveryRoute } from '../policy/channel';
import { claimDeliveries, queueClaimWrites, renewLeases, writeClaims, type ClaimResult } from './claims';
import { settleInChunks } from './settle-chunks';
import { DEFAULT_RECORD_RETRY, recordInPlace, type RecordRetryPolicy } from './record-in-place';
import { deliveryLogFields } from '../../platform/log-fields';
import { capReason, type FrequencyCapRule } from '../../domain/deliveries/frequency-caps';
import { applyFrequencyCaps, type CapDecision } from './frequency-caps';
import { takeProviderSlots, type ProviderRates, type ProviderRoutes } from './provider-rates';
import { decideOutcome, suppressedByCap, type AmbiguousOutcomeAction, type MessageTtl, type RetryPolicy } from './outcome';
import { readCommands } from './read-commands';
import { commandTracesOf, createCommandTraceScope, type CommandTraces } from './command-traces';

/** What happened to one command, for metrics: a status name, or what was done instead of sending. */
export type SenderResultKind = DeliveryStatusName | 'deferred' | 'replay' | 'leased';

export interface SenderConsumerOptions {
  kafka: Kafka;
  codec: Codec;
  producer: TypedProducer;
  redis: Redis;
  delayQueue: DelayQueue;
  deliverers: Partial<Record<Channel, ChannelDeliverer>>;
  groupId: string;
  /**
   * Command topics to read (deliveries.express / bulk / bulk-pages / retry; a test topic with `schema`, read as
   * pages when that is `deliveries.command-page`).
   */
  topics: readonly ConsumedTopic[];
  /** Where statuses, retries and fallback commands go; defaults to the TOPICS ones. */
  outputs?: Partial<SenderTopics>;
  retryPolicy: RetryPolicy;
  /** How long a claim blocks other senders; longer than the slowest provider call. */
  leaseMs: number;
  clock: { now(): number };
  logger: Logger;
  /** Unique per process: written into leases so an operator sees who holds one. */
  ownerId: string;
  /** Per batch, once per channel and kind, with how many commands of the batch ended so (metrics). */
  onResult?(channel: Channel, kind: SenderResultKind, count: number, provider: string | null): void;
  /** Per batch, once per channel and action, with how many ambiguous results of the batch were so handled (metrics). */
  onAmbiguous?(channel: Channel, action: AmbiguousOutcomeAction, count: number): void;
  /** Per chunk and channel, how many commands the provider's rate deferred (metrics). */
  onOverRate?(channel: Channel, count: number): void;
  /** How long a sent chunk's recording is retried in place (record-in-place.ts); default DEFAULT_RECORD_RETRY. */
  recordRetry?: RecordRetryPolicy;
  /** Each failed recording of a sent chunk about to be retried in place (metrics). */
  onRecordRetry?(): void;
  fromBeginning?: boolean;
  partitionsConsumedConcurrently?: number;
  batchRetry?: Partial<BatchRetryPolicy>;
  deadLetterTopic?: string;
  /** Commands claimed, sent and recorded together; bounds how long a claim stays in flight. */
  settleChunkSize?: number;
  /** How long a message of each priority may wait to be sent (outcome.ts); absent: only its own deadline. */
  messageTtl?: MessageTtl;
  /** Rate limits per provider, shared by every sender process (provider-rates.ts); none: unlimited. */
  providerRates?: ProviderRates;
  /** Each channel's providers in order of preference, for the rate step; absent: the channel's default provider. */
  providerRoutes?: ProviderRoutes;
  /** Frequency caps per person, checked and counted per chunk (frequency-caps.ts); none: no caps. */
  frequencyCaps?: readonly FrequencyCapRule[];
}

/** A few times the provider concurrency: the pool stays busy, and a chunk settles in well under a lease. */
export const DEFAULT_SETTLE_CHUNK = 256;

export interface SenderConsumer {
  start(): Promise<void>;
  /** Stops fetching and lets the batch in flight settle and commit. Deliverers are closed by the caller. */
  stop(): Promise<void>;
  /** In its group (the process's readiness). */
  joined(): boolean;
}

export const DEFAULT_SENDER_TOPICS: SenderTopics = {
  status: TOPICS.deliveriesStatus, statusPages: TOPICS.deliveriesStatusPages, retry: TOPICS.deliveriesRetry, express: TOPICS.deliveriesExpress, bulk: TOPICS.deliveriesBulk,
};

/** A sender consumer group member running the loop described at the top of this file. */
export function createSenderConsumer(options: SenderConsumerOptions): SenderConsumer {
  const topics: SenderTopics = { ...DEFAULT_SENDER_TOPICS, ...options.outputs };
  const logger = options.logger.child({ module: 'sender', groupId: options.groupId });
  const handleBatch = createBatchHandler({ ...options, topics, logger });
  const settleChunkSize = options.settleChunkSize ?? DEFAULT_SETTLE_CHUNK;
  const consumer: BatchConsumer = createBatchConsumer<DeliveryCommand | DeliveryCommandPage>({
    kafka: options.kafka, codec: options.codec, producer: options.producer, groupId: options.groupId,
    topics: options.topics, logger: options.logger, fromBeginning: options.fromBeginning,
    partitionsConsumedConcurrently: options.partitionsConsumedConcurrently, retry: options.batchRetry,
    deadLetterTopic: options.deadLetterTopic,
    handler: async (records, context) => {
      // Command pages (deliveries.bulk-pages, or a test topic of that schema) are read page by page.
      const isPageTopic = context.schema === 'deliveries.command-page';
      const read = readCommands(records, isPageTopic, (record, error) => context.deadLetter(record, error));
      const commands = read.flatMap((r) => r.commands);
      // Each command's trace goes on to its provider call and its status (command-traces.ts).
      const traces = commandTracesOf(read);
      // A page's commands are bulk commands: a deferral or re-check returns each alone to deliveries.bulk.
      const lane = isPageTopic ? topics.bulk : context.topic;
      await settleInChunks(commands, settleChunkSize, (chunk) => handleBatch(chunk, lane, traces), () => context.heartbeat());
    },
  });
  return { start: () => consumer.start(), stop: () => consumer.stop(), joined: () => consumer.joined() };
}

type CommandTraceScope = ReturnType<typeof createCommandTraceScope>;

type HandlerDeps = Omit<SenderConsumerOptions, 'kafka' | 'groupId' | 'topics' | 'outputs' | 'deadLetterTopic'> & { topics: SenderTopics };

/** The per-batch work (a–e above), independent of how the batch was fetched. */
export function createBatchHandler(deps: HandlerDeps): (commands: DeliveryCommand[], sourceTopic: string, traces?: CommandTraces) => Promise<void> {
  const count = (tally: ResultTally) => {
    try {
      for (const { channel, kind, n, provider } of tally.values()) deps.onResult?.(channel, kind, n, provider);
    } catch (error) {
      deps.logger.error({ err: error }, 'sender metrics hook failed');
    }
  };
  return async (commands: DeliveryCommand[], sourceTopic: string, traces?: CommandTraces): Promise<void> => {
    const traced = createCommandTraceScope(traces, { perMessageSpans: sourceTopic === deps.topics.express });
    const now = deps.clock.now();
    const cancelled = await loadCancelled(deps.redis, commands);
    const route = { sourceTopic, topics: deps.topics };
    const prechecked = planPrechecks(commands, now, cancelled, route, deps.messageTtl);
    // Before the claim: what the provider's rate has no room for now is not claimed, only scheduled again.
    const lane: Lane = sourceTopic === deps.topics.express ? 'express' : 'bulk';
    const throttled = await takeProviderSlots(deps.redis, prechecked.toSend, deps.providerRates, deps.providerRoutes ?? {}, lane, now);
    const claims = await claimDeliveries(deps.redis, throttled.toSend, deps);
    const leased = claims.leased.map((c) => recheckLater(c, now + deps.leaseMs, route));
    // Counted only once claimed: a replay or a delivery another sender holds must not take a slot.
    const caps = await applyFrequencyCaps(deps.redis, claims.claimed, deps.frequencyCaps ?? [], now);
    const settled = await deliverAll(deps, caps, traced, now, (command) => ({ from: throttled.providerOf.get(command.deliveryId), lane }));
    const overRate = throttled.later.map(({ command, dueAt }) => recheckLater(command, dueAt, route));
    countOverRate(deps, overRate);
    await recordInPlace(() => record(deps, lane, prechecked, settled, [...prechecked.deferred, ...leased, ...overRate], traced.headersOf), {
      policy: deps.recordRetry ?? DEFAULT_RECORD_RETRY,
      clock: deps.clock,
      renewLeases: async () => void await renewLeases(deps.redis, claims.claimed, deps),
      onRetry: (error, failedTries) => {
        deps.logger.warn({ err: error, failedTries, commands: claims.claimed.length }, 'recording a sent chunk failed; retrying it in place');
        try {
          deps.onRecordRetry?.();
        } catch (hookError) {
          deps.logger.error({ err: hookError }, 'sender metrics hook failed');
        }
      },
    });
    report(deps, count, { prechecked, claims, settled, sourceTopic, overRate: overRate.length });
  };
}

async function loadCancelled(redis: Redis, commands: readonly DeliveryCommand[]): Promise<Set<string>> {
  const ids = mailingIdsOf(commands);
  if (ids.length === 0) return new Set();
  return cancelledMailings(ids, await createDirectoryReader(redis).mailings(ids));
}

/** Calls each claimed command's channel at once and decides its outcome; a capped one is suppressed uncalled. */
async function deliverAll(
  deps: HandlerDeps, caps: CapDecision, traced: CommandTraceScope, now: number, routeOf: (command: DeliveryCommand) => DeliveryRoute,
): Promise<SettlePlan> {
  const sent = await Promise.all(
    caps.allowed.map(async (command) => {
      const result = await traced.run(command, () => deliverOne(deps, command, routeOf(command)));
      return { command, outcome: decideOutcome(command, result, deps.clock.now(), deps.retryPolicy) };
    }),
  );
  const capped = caps.capped.map(({ command, rule }) => ({ command, outcome: suppressedByCap(command, capReason(rule), now) }));
  return planSettle([...sent, ...capped], deps.topics);
}

async function deliverOne(deps: HandlerDeps, command: DeliveryCommand, route: DeliveryRoute): Promise<SendResult> {
  const deliverer = deps.deliverers[command.channel];
  if (!deliverer) return permanent('INTERNAL', `no deliverer for channel ${command.channel}`);
  try {
    return await deliverer.deliver(command, route);
  } catch (error) {
    // A deliverer must not throw; one that does has a bug, and the attempt budget bounds its retries.
    deps.logger.error({ deliveryId: command.deliveryId, channel: command.channel, err: error }, 'deliverer threw');
    return retriable('INTERNAL', 'deliverer threw');
  }
}

/** Steps (1) and (2) of the crash-safe order written at the top of this file. */
async function record(
  deps: HandlerDeps, lane: Lane, prechecked: PrecheckPlan, settled: SettlePlan, later: DelayedCommand[], traceOf: CommandTraceScope['headersOf'],
): Promise<void> {
  const statuses = [...prechecked.statuses, ...settled.statuses];
  const batches: TopicBatch[] = [
    ...(lane === 'bulk' ? statusPageBatches(statuses, traceOf, deps.topics) : [statusBatch(statuses, traceOf, deps.topics)]),
    ...fallbackBatches(settled.fallbacks, deps.topics),
  ];
  await deps.producer.sendBatch(batches);
  const delayed = await Promise.all([...settled.delayed, ...later].map((d) => toDelayedRecord(deps.codec, d, traceOf(d.command.deliveryId))));
  if (deps.redis.isCluster) {
    // A Redis Cluster runs a MULTI in one slot, and every claim has a slot of its own: the claims go first,
    // then the delay queue's MULTI (its keys share one slot). Not one step, and it need not be: the offsets
    // are committed after both, so a crash between them replays the batch, which finds its final claims
    // (replays, dropped) and its released ones free (sent again, as the retry they were waiting for).
    await writeClaims(deps.redis, settled);
    await deps.delayQueue.scheduleNow(delayed);
  } else await execOrThrow(deps.delayQueue.schedule(queueClaimWrites(deps.redis.multi(), settled), delayed));
}

/** Express: a record per status, each with its command's trace (the same header object); one without falls back to the active one. */
function statusBatch(statuses: readonly DeliveryStatus[], traceOf: CommandTraceScope['headersOf'], topics: SenderTopics): TopicBatch {
  return { topic: topics.status, schema: 'deliveries.status', records: statuses.map((s) => ({ key: s.deliveryId, value: s, headers: traceOf(s.deliveryId) })) };
}

/**
 * Bulk: the chunk's statuses as page records (domain/deliveries/status-page.ts), one per source and channel
 * of each trace, carrying it: a fan-out page's commands share one trace, so a chunk is a page or a few.
 */
function statusPageBatches(statuses: readonly DeliveryStatus[], traceOf: CommandTraceScope['headersOf'], topics: SenderTopics): TopicBatch[] {
  const byTrace = new Map<RecordHeaders | undefined, DeliveryStatus[]>();
  for (const status of statuses) {
    const headers = traceOf(status.deliveryId);
    const group = byTrace.get(headers);
    if (group) group.push(status);
    else byTrace.set(headers, [status]);
  }
  // The schema named: the topic may be a test's own (outputs), which SCHEMA_OF_TOPIC does not know.
  return [...byTrace].map(([headers, group]) => ({ ...statusPagesBatch(group, headers), topic: topics.statusPages, schema: 'deliveries.status-page' }) as TopicBatch);
}

function fallbackBatches(fallbacks: readonly DeliveryCommand[], topics: SenderTopics): TopicBatch[] {
  const byTopic = new Map<string, DeliveryCommand[]>();
  for (const command of fallbacks) {
    const topic = commandTopicOf(command, topics);
    byTopic.set(topic, [...(byTopic.get(topic) ?? []), command]);
  }
  return [...byTopic].map(([topic, commands]) => ({
    topic, schema: 'deliveries.command', records: commands.map((c) => ({ key: c.clientId, value: c })),
  }));
}

/** A retry, deferral or re-check keeps its command's trace headers through the delay queue. */
async function toDelayedRecord(codec: Codec, delayed: DelayedCommand, headers: RecordHeaders | undefined): Promise<DelayedRecord> {
  const payload = await codec.encode('deliveries.command', delayed.command);
  return { topic: delayed.topic, key: delayed.key, id: delayed.id, dueAt: delayed.dueAt, payload, headers };
}

interface BatchReport {
  prechecked: PrecheckPlan;
  claims: ClaimResult;
  settled: SettlePlan;
  sourceTopic: string;
  /** Commands the provider's rate had no room for, scheduled again. */
  overRate: number;
}

type ResultTally = Map<string, { channel: Channel; kind: SenderResultKind; n: number; provider: string | null }>;

function report(deps: HandlerDeps, count: (tally: ResultTally) => void, batch: BatchReport): void {
  const { prechecked, claims, settled } = batch;
  // Tallied per channel and kind, so metrics are recorded once per batch, not once per command.
  const results: ResultTally = new Map();
  const add = (channel: Channel, kind: SenderResultKind, provider: string | null = null) => {
    const entry = results.get(`${channel}|${kind}|${provider}`);
    if (entry) entry.n += 1;
    else results.set(`${channel}|${kind}|${provider}`, { channel, kind, n: 1, provider });
  };
  // A debug line per message: its fields are built only when debug lines are written.
  const debug = deps.logger.isLevelEnabled('debug');
  const line = (command: DeliveryCommand, kind: SenderResultKind) => {
    add(command.channel, kind);
    if (debug) deps.logger.debug({ ...deliveryLogFields(command),
      channel: command.channel, attempt: command.attempt, result: kind }, 'delivery handled');
  };
  for (const status of [...prechecked.statuses, ...settled.statuses]) {
    add(status.channel, status.status, status.provider);
    if (debug) deps.logger.debug({ ...deliveryLogFields(status),
      channel: status.channel, attempt: status.attempt, result: status.status }, 'delivery handled');
  }
  for (const deferred of prechecked.deferred) line(deferred.command, 'deferred');
  for (const command of claims.replays) line(command, 'replay');
  for (const command of claims.leased) line(command, 'leased');
  count(results);
  countAmbiguous(deps, settled.ambiguous);
  const tally: Record<string, number> = {};
  for (const s of settled.statuses) tally[s.status] = (tally[s.status] ?? 0) + 1;
  deps.logger.info({ topic: batch.sourceTopic, sent: claims.claimed.length, ended: prechecked.statuses.length,
    deferred: prechecked.deferred.length, ...(batch.overRate > 0 ? { overRate: batch.overRate } : {}), replays: claims.replays.length, leased: claims.leased.length, outcomes: tally,
    ...(settled.ambiguous.length > 0 ? { ambiguous: settled.ambiguous.length } : {}) },
  'sender batch recorded');
}

/** Commands of the chunk the provider's rate deferred, tallied per channel: one hook call each. */
function countOverRate(deps: HandlerDeps, deferred: readonly DelayedCommand[]): void {
  if (deferred.length === 0 || !deps.onOverRate) return;
  const byChannel = new Map<Channel, number>();
  for (const { command } of deferred) byChannel.set(command.channel, (byChannel.get(command.channel) ?? 0) + 1);
  try {
    for (const [channel, n] of byChannel) deps.onOverRate(channel, n);
  } catch (error) {
    deps.logger.error({ err: error }, 'sender metrics hook failed');
  }
}

/** Ambiguous results of the batch, tallied per channel and action: one hook call each, never one per command. */
function countAmbiguous(deps: HandlerDeps, ambiguous: SettlePlan['ambiguous']): void {
  if (ambiguous.length === 0 || !deps.onAmbiguous) return;
  const tally = new Map<string, { channel: Channel; action: AmbiguousOutcomeAction; n: number }>();
  for (const { channel, action } of ambiguous) {
    const entry = tally.get(`${channel}|${action}`);
    if (entry) entry.n += 1;
    else tally.set(`${channel}|${action}`, { channel, action, n: 1 });
  }
  try {
    for (const { channel, action, n } of tally.values()) deps.onAmbiguous(channel, action, n);
  } catch (error) {
    deps.logger.error({ err: error }, 'sender metrics hook failed');
  }
}
