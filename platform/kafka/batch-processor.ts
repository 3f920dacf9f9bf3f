import type { Batch, EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { Codec, SchemaName } from '../codec/codec';
import { describeError, errorCode, isRetriable, VestnikError } from '../errors';
import type { Logger } from '../logger';
import { chunkDeadLetters, toDeadLetterRecord, type DeadLetterCandidate } from './dead-letter';
import { decodeBatch } from './decode-batch';
import type { PartitionBackoff, RetryPolicy } from './partition-backoff';
import type { TypedProducer } from './producer';
import { runTraced, type HandlerTracing } from './traced-handler';
import type { DecodedRecord } from './types';
import type { BatchMetrics } from './observer';

/** What the handler gets besides its records. */
export interface BatchContext<T> {
  topic: string;
  /** The schema the batch's records were decoded with: a handler of several topics tells them apart by it. */
  schema: SchemaName;
  partition: number;
  groupId: string;
  /** 1 on the first try of this batch, 2 after one retriable failure, and so on. */
  attempt: number;
  /** Marks one record as poison (a permanent error): it is dead-lettered, the others are committed. */
  deadLetter(record: DecodedRecord<T>, error: unknown): void;
  /** Keeps the group membership alive; also sent automatically while the handler runs. */
  heartbeat(): Promise<void>;
}

export type BatchHandler<T> = (records: DecodedRecord<T>[], context: BatchContext<T>) => Promise<void>;

export type { BatchMetrics } from './observer';

export interface BatchProcessorDeps<T> {
  codec: Codec;
  producer: TypedProducer;
  groupId: string;
  schemaOf(topic: string): SchemaName;
  /** The logical name of a fetched batch's topic (topic-names.ts); records, contexts, metrics and dead letters use it. */
  logicalTopic?(physical: string): string;
  handler: BatchHandler<T>;
  deadLetterTopic: string;
  backoff: PartitionBackoff;
  retry: RetryPolicy;
  heartbeatIntervalMs: number;
  logger: Logger;
  onBatch?(metrics: BatchMetrics): void;
  /** The commit after a settled batch failed (reported, then thrown on as before). */
  onCommitError?(error: unknown): void;
  /**
   * Which of a batch's dead letters this group writes; the rest another group writing the same records
   * (the fan-outs' lanes, processors/mailing-fanout/lane-dead-letters.ts) writes. Without it, all of them.
   * A retriable error from it retries the batch like a failed dead-letter produce.
   */
  deadLetterFilter?(candidates: DeadLetterCandidate[]): Promise<DeadLetterCandidate[]>;
  /** How the handler meets its records' traces (traced-handler.ts); default: per batch. */
  tracing?: HandlerTracing;
}

type Settled = Pick<BatchMetrics, 'outcome' | 'handled' | 'deadLettered' | 'deadLetterCodes'>;

/** The eachBatch callback implementing the policy written at the top of consumer.ts. */
export function createBatchProcessor<T>(deps: BatchProcessorDeps<T>): (payload: EachBatchPayload) => Promise<void> {
  return async (payload) => {
    const { batch } = payload;
    const topic = topicOf(deps, batch);
    const key = `${batch.topic}|${batch.partition}`;
    const attempt = deps.backoff.attempts(key) + 1;
    const started = Date.now();
    const report = (settled: Settled) =>
      safely(deps, () => deps.onBatch?.({ topic, partition: batch.partition, attempt,
        received: batch.messages.length, durationMs: Date.now() - started, ...settled }));
    let settled: Settled;
    try {
      settled = await settle(deps, payload, attempt);
    } catch (error) {
      // Only retriable errors reach here; the records stay unresolved, so kafkajs fetches them again.
      if (!isRetriable(error)) throw error;
      deps.backoff.fail(key);
      const delayMs = deps.backoff.pauseFor(key, payload.pause);
      deps.logger.warn({ topic, partition: batch.partition, attempt, delayMs, code: errorCode(error),
        reason: describeError(error) }, 'batch failed, retrying after backoff');
      report({ outcome: 'retrying', handled: 0, deadLettered: 0, deadLetterCodes: {} });
      return;
    }
    deps.backoff.succeed(key);
    payload.resolveOffset(lastOffset(batch));
    try {
      await payload.commitOffsetsIfNecessary(payload.uncommittedOffsets());
    } catch (error) {
      safely(deps, () => deps.onCommitError?.(error));
      throw error;
    }
    report(settled);
  };
}

/** Decodes, runs the handler and writes dead letters; throws only what deserves a retry. */
async function settle<T>(deps: BatchProcessorDeps<T>, payload: EachBatchPayload, attempt: number): Promise<Settled> {
  const { batch } = payload;
  const topic = topicOf(deps, batch);
  const schema = deps.schemaOf(topic);
  const decoded = await decodeBatch<T>(deps.codec, schema, { topic, partition: batch.partition, messages: batch.messages });
  const undecodable = decoded.undecodable.map(({ message, error }) => candidate(topic, batch, message, error));
  const rawOf = new Map(batch.messages.map((message) => [message.offset, message]));
  const flagged = new Map<string, DeadLetterCandidate>();
  const context = createContext(deps, payload, attempt, { schema, rawOf, flagged });
  try {
    if (decoded.records.length > 0) {
      const meta = { topic, groupId: deps.groupId, tracing: deps.tracing };
      await withHeartbeats(deps, payload, () => runTraced(decoded.records, meta, (records) => deps.handler(records, context)));
    }
  } catch (error) {
    if (isRetriable(error) && attempt < deps.retry.maxAttempts) throw error;
    // Permanent for the whole batch, or out of attempts: park every record with the reason and move on.
    const all = decoded.records.flatMap((record) => {
      const message = rawOf.get(record.offset);
      return message ? [candidate(topic, batch, message, error)] : [];
    });
    const deadLetterCodes = await sendDeadLetters(deps, [...undecodable, ...all], attempt);
    return { outcome: 'batch-dead-lettered', handled: 0, deadLettered: undecodable.length + all.length, deadLetterCodes };
  }
  const deadLetterCodes = await sendDeadLetters(deps, [...undecodable, ...flagged.values()], attempt);
  return { outcome: 'processed', handled: decoded.records.length - flagged.size, deadLettered: undecodable.length + flagged.size, deadLetterCodes };
}

function createContext<T>(
  deps: BatchProcessorDeps<T>,
  payload: EachBatchPayload,
  attempt: number,
  { schema, rawOf, flagged }: { schema: SchemaName; rawOf: Map<string, KafkaMessage>; flagged: Map<string, DeadLetterCandidate> },
): BatchContext<T> {
  const { batch } = payload;
  const topic = topicOf(deps, batch);
  return {
    topic,
    schema,
    partition: batch.partition,
    groupId: deps.groupId,
    attempt,
    deadLetter(record, error) {
      const message = rawOf.get(record.offset);
      if (!message || record.topic !== topic || record.partition !== batch.partition) {
        throw new RangeError(`record ${record.topic}/${record.partition}@${record.offset} is not in this batch`);
      }
      flagged.set(record.offset, candidate(topic, batch, message, error));
    },
    heartbeat: () => payload.heartbeat().catch((error: unknown) => {
      // The group's coordinator died or moved, or the group is rebalancing: about the membership, not the
      // records. Retriable, so the batch is fetched again (here, or by the partition's next owner); kafkajs's
      // own errors count as permanent, and a leader's kill -9 dead-lettered a mailing's commands that way.
      throw new VestnikError('DEPENDENCY_UNAVAILABLE', 'consumer group heartbeat failed', { retriable: true, cause: error });
    }),
  };
}

/** Heartbeats on a timer while the handler runs, so a long batch does not cost the group membership. */
async function withHeartbeats<T>(deps: BatchProcessorDeps<T>, payload: EachBatchPayload, run: () => Promise<void>) {
  const timer = setInterval(() => {
    payload.heartbeat().catch((error: unknown) => {
      // A rebalance is under way: the commit after the handler will fail and the records come back.
      deps.logger.debug({ reason: describeError(error) }, 'heartbeat during batch failed');
    });
  }, deps.heartbeatIntervalMs);
  try {
    await run();
  } finally {
    clearInterval(timer);
  }
}

/** Writes the dead letters this group owns; returns how many it wrote per reason code. */
async function sendDeadLetters<T>(deps: BatchProcessorDeps<T>, all: DeadLetterCandidate[], attempts: number): Promise<Record<string, number>> {
  const codes: Record<string, number> = {};
  if (all.length === 0) return codes;
  const candidates = deps.deadLetterFilter ? await deps.deadLetterFilter(all) : all;
  if (candidates.length < all.length) {
    deps.logger.debug({ skipped: all.length - candidates.length }, 'dead letters written by another group');
  }
  if (candidates.length === 0) return codes;
  const now = Date.now();
  for (const chunk of chunkDeadLetters(candidates)) {
    const records = chunk.map((c) => toDeadLetterRecord(c, { groupId: deps.groupId, attempts, now }));
    await deps.producer.send(deps.deadLetterTopic, records, { schema: 'deliveries.dead-letter' });
  }
  for (const c of candidates) {
    deps.logger.warn({ topic: c.topic, partition: c.partition, offset: c.message.offset, code: errorCode(c.error),
      reason: describeError(c.error) }, 'record dead-lettered');
    const code = errorCode(c.error);
    codes[code] = (codes[code] ?? 0) + 1;
  }
  return codes;
}

function candidate(topic: string, batch: Batch, message: KafkaMessage, error: unknown): DeadLetterCandidate {
  return { topic, partition: batch.partition, message, error };
}

/** The batch's topic as the handler knows it: logical, without the deployment's prefix. */
function topicOf<T>(deps: BatchProcessorDeps<T>, batch: Batch): string {
  return deps.logicalTopic ? deps.logicalTopic(batch.topic) : batch.topic;
}

function lastOffset(batch: Batch): string {
  return batch.messages[batch.messages.length - 1]?.offset ?? batch.lastOffset();
}

/** Metrics hooks are the caller's code: a throwing hook must not fail the batch it reports on. */
function safely<T>(deps: BatchProcessorDeps<T>, fn: () => void): void {
  try {
    fn();
  } catch (error) {
    deps.logger.error({ reason: describeError(error) }, 'batch metrics hook failed');
  }
}
