/**
 * The batch consumer every Vestnik stage reads Kafka with. Its policy, in order of the life of a batch:
 *
 * 1. Decode. kafkajs hands over one partition's batch; each value is decoded with its topic's schema.
 *    Null values are tombstones (compacted state.* topics) and reach the handler as `value: null`.
 *    A record that cannot be decoded (DECODE_FAILED, UNKNOWN_SCHEMA, VALIDATION_FAILED, or any other
 *    permanent error) is NOT given to the handler: it is dead-lettered, and the good records of the
 *    same batch go on. A retriable decode error (schema registry down) retries the batch (step 4).
 * 2. Handle. The handler gets the decoded records of the batch in offset order and may flag single
 *    records as poison with `ctx.deadLetter(record, error)`. Heartbeats are sent while it runs.
 * 3. Settle. When the handler resolves, the undecodable and flagged records are produced to the
 *    dead-letter topic (deliveries.dead-letter schema: original topic, partition, offset, raw key and
 *    value bytes, group, reasonCode, reason, attempts, failedAt); only then are the batch's offsets
 *    resolved and committed. A crash anywhere before the commit replays the batch: at-least-once,
 *    so handlers must be idempotent (DESIGN.md: Redis claim keys). Where several groups read the same
 *    records (the fan-outs' lanes), `deadLetterFilter` lets exactly one of them write each dead letter.
 * 4. Retriable failure (`isRetriable(error)`, thrown by the handler or by the dead-letter produce):
 *    nothing is resolved or committed; the partition is paused for an exponential, jittered, capped
 *    backoff and resumed, and kafkajs then fetches the same records again. Other partitions go on.
 *    After `retry.maxAttempts` (unbounded by default) the batch is treated as permanently failed.
 * 5. Permanent failure thrown for the whole batch: every record of the batch is dead-lettered with
 *    that reason and the offsets move past them. A poison record never stalls a partition forever.
 * 6. `stop()` stops fetching, waits for the batch in flight to settle and commit, leaves the group.
 * 7. A group that starts at the end of a topic (fromBeginning false, set per topic or for all) commits the
 *    end offset of every assigned partition of such a topic it never committed, on joining, so a crash
 *    before its first commit there replays the records instead of skipping them (start-offsets.ts).
 * 8. A crash kafkajs does not restart itself (a non-retriable error escaping the batch) is restarted
 *    here after a backoff (crash-restart.ts): the member never silently leaves the group for good.
 *
 * Counts of every batch attempt go to `onBatch` (metrics); `lag()` asks the broker for the group's lag.
 */
import type { Admin, Kafka } from 'kafkajs';
import { SCHEMA_OF_TOPIC, type Codec, type SchemaName } from '../codec/codec';
import { describeError, VestnikError } from '../errors';
import type { Logger } from '../logger';
import { TOPICS } from '../topics';
import { createBatchProcessor, type BatchHandler, type BatchMetrics, type BatchProcessorDeps } from './batch-processor';
import { createCrashRestarter, type CrashRestartPolicy } from './crash-restart';
import { fetchConsumerLag, type PartitionLag } from './lag';
import { findPartitionsToPin } from './start-offsets';
import { createPartitionBackoff, DEFAULT_RETRY_POLICY, type RetryPolicy } from './partition-backoff';
import type { TypedProducer } from './producer';
import { topicNamesOf } from './topic-names';
import { kafkaObserverOf } from './observer';

export type { BatchContext, BatchHandler, BatchMetrics } from './batch-processor';
export type { PartitionLag } from './lag';
export type { RetryPolicy } from './partition-backoff';
export type { CrashRestartPolicy } from './crash-restart';

/** A topic to read; `schema` overrides SCHEMA_OF_TOPIC (test topics, or topics outside the map). */
export interface ConsumedTopic {
  topic: string;
  schema?: SchemaName;
  /**
   * Where the group starts on this topic without a committed offset; overrides the consumer's
   * `fromBeginning`. A topic added to a running group's list is read from its beginning, so the records
   * written there before the group's upgraded members joined are not skipped.
   */
  fromBeginning?: boolean;
}

export interface BatchConsumerOptions<T> {
  kafka: Kafka;
  codec: Codec;
  /** Writes the dead letters; owned (connected, disconnected) by the caller. */
  producer: TypedProducer;
  groupId: string;
  topics: readonly ConsumedTopic[];
  handler: BatchHandler<T>;
  logger: Logger;
  /** Where a group without committed offsets starts: the beginning, or only new records (default). */
  fromBeginning?: boolean;
  deadLetterTopic?: string;
  /** Partitions handled at once by this process; ordering holds within each partition. */
  partitionsConsumedConcurrently?: number;
  retry?: Partial<RetryPolicy>;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /**
   * Fetch long-poll. kafkajs waits 5 s by default; 1 s keeps stop() and the first fetch after a
   * resume prompt at the cost of one empty fetch a second on idle partitions.
   */
  maxWaitTimeMs?: number;
  /**
   * Fetch floor: the broker answers once this many bytes are ready (or maxWaitTimeMs passed). 1 (the
   * default) answers at once with whatever there is, lowest latency; a consumer whose cost is per batch
   * (a ClickHouse insert) asks for more, to get fewer, fuller batches under load.
   */
  minBytes?: number;
  onBatch?(metrics: BatchMetrics): void;
  /** Backoff of the restart after a crash kafkajs does not restart itself (see crash-restart.ts). */
  crashRestart?: Partial<CrashRestartPolicy>;
  /** Which dead letters this group writes when another group reads the same records (batch-processor.ts). */
  deadLetterFilter?: BatchProcessorDeps<T>['deadLetterFilter'];
  /** Per-event consumers name their stage: one span per trace's run of records (traced-handler.ts). */
  tracing?: BatchProcessorDeps<T>['tracing'];
}

export interface BatchConsumer {
  /** Joins the group and starts consuming; resolves once the group is joined. */
  start(): Promise<void>;
  /** Stops fetching, lets the batch in flight finish and commit, then leaves the group. */
  stop(): Promise<void>;
  /** The group's committed lag per partition of its topics. */
  lag(): Promise<PartitionLag[]>;
  /** True while this member is in its group: after it joined, until it crashes, stops or disconnects. */
  joined(): boolean;
}

/** A consumer group member that hands decoded batches to `handler` under the policy above. */
export function createBatchConsumer<T = unknown>(options: BatchConsumerOptions<T>): BatchConsumer {
  const logger = options.logger.child({ module: 'kafka-consumer', groupId: options.groupId });
  const schemas = schemaMap(options.topics);
  // Topics are logical (TOPICS); the client's prefix is applied at subscribe and stripped from every batch.
  const names = topicNamesOf(options.kafka);
  // Each topic starts where its own `fromBeginning` says, else where the consumer's does.
  const startsAtBeginning = (topic: ConsumedTopic) => topic.fromBeginning ?? options.fromBeginning ?? false;
  const fromBeginningTopics = options.topics.filter(startsAtBeginning).map((t) => names.physical(t.topic));
  const fromEndTopics = options.topics.filter((t) => !startsAtBeginning(t)).map((t) => names.physical(t.topic));
  const retry: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? 3_000;
  const backoff = createPartitionBackoff(retry);
  // Once stop() begins, kafkajs must not restart a crashed consumer: its restart timer is set after the
  // crash handler's own disconnect, so a stop() in between left a consumer restarting forever against a
  // broker that was gone (it kept a test process alive).
  // No `retries` here: kafkajs merges this over the client's retry policy (client.ts, about a minute), whereas
  // its consumer default of 5 applies only when no retry is given. With 5, a fetch from a broker killed with -9
  // gave up 12 s after the first refused connection, before the controller had moved the broker's partitions to
  // the other copies (8–13 s), so the consumer crashed and its restart waited about 25 s to rejoin the group
  // (analytics, 3 of 4 cluster-world runs, 2026-12-06).
  let stopping = false;
  const consumer = options.kafka.consumer({
    retry: { restartOnFailure: async () => !stopping },
    groupId: options.groupId,
    sessionTimeout: options.sessionTimeoutMs ?? 30_000,
    heartbeatInterval: heartbeatIntervalMs,
    maxWaitTimeInMs: options.maxWaitTimeMs ?? 1_000,
    minBytes: options.minBytes ?? 1,
    allowAutoTopicCreation: false,
  });
  // The client's observer (metrics) hears every batch and failed commit of every group made from it.
  const observer = kafkaObserverOf(options.kafka);
  const processBatch = createBatchProcessor<T>({
    ...options,
    onBatch: (metrics) => {
      options.onBatch?.(metrics);
      observer.batch?.(options.groupId, metrics);
    },
    onCommitError: () => observer.commitFailed?.(options.groupId),
    schemaOf: (topic) => schemas.get(topic) as SchemaName,
    logicalTopic: (physical) => names.logical(physical),
    deadLetterTopic: options.deadLetterTopic ?? TOPICS.deliveriesDeadLetter,
    backoff,
    retry,
    heartbeatIntervalMs,
    logger,
  });
  let admin: Promise<Admin> | null = null;
  const run = () => consumer.run({
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
    eachBatch: async (payload) => {
      await processBatch(payload);
      restarter.healthy();
    },
  });
  // kafkajs restarts after retriable crashes by itself; after any other crash this member would be
  // gone from the group for good, so it is restarted here, with backoff (crash-restart.ts).
  const restarter = createCrashRestarter({ consumer: { connect: () => consumer.connect(), run }, logger, policy: options.crashRestart });
  consumer.on(consumer.events.CRASH, ({ payload }) => restarter.onCrash(payload));
  // Readiness (a role's /readyz): in the group from its join until a crash, a stop or a disconnect.
  let inGroup = false;
  consumer.on(consumer.events.GROUP_JOIN, () => { inGroup = true; });
  for (const left of [consumer.events.CRASH, consumer.events.STOP, consumer.events.DISCONNECT]) consumer.on(left, () => { inGroup = false; });
  const getAdmin = (): Promise<Admin> => {
    admin ??= connectAdmin(options.kafka).catch((error: unknown) => {
      admin = null;
      throw error;
    });
    return admin;
  };
  // A group reading from the end pins its start on partitions it never committed (start-offsets.ts).
  let pinning: Promise<void> = Promise.resolve();
  if (fromEndTopics.length > 0) {
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      const fromEnd = Object.fromEntries(Object.entries(payload.memberAssignment).filter(([topic]) => fromEndTopics.includes(topic)));
      pinning = pinStartOffsets(fromEnd).catch((error: unknown) => {
        // Not fatal: only a crash before this member's first commit on such a partition would skip records.
        logger.warn({ reason: describeError(error) }, 'could not pin the start offsets of uncommitted partitions');
      });
    });
  }
  const pinStartOffsets = async (assignment: Record<string, number[]>) => {
    const pins = await findPartitionsToPin(await getAdmin(), options.groupId, assignment);
    if (pins.length === 0) return;
    await consumer.commitOffsets(pins);
    logger.info({ partitions: pins }, 'pinned the start of partitions without a committed offset');
  };

  return {
    async start() {
      await options.producer.connect();
      await consumer.connect();
      if (fromEndTopics.length > 0) await consumer.subscribe({ topics: fromEndTopics, fromBeginning: false });
      if (fromBeginningTopics.length > 0) await consumer.subscribe({ topics: fromBeginningTopics, fromBeginning: true });
      await run();
      await pinning;
      logger.info({ topics: [...schemas.keys()] }, 'consumer started');
    },
    async stop() {
      stopping = true;
      backoff.clear();
      await restarter.stop();
      await consumer.disconnect();
      const connected = admin;
      admin = null;
      if (connected) await connected.then((a) => a.disconnect(), () => undefined);
      logger.info('consumer stopped');
    },
    async lag() {
      return fetchConsumerLag(await getAdmin(), options.groupId, [...schemas.keys()], names);
    },
    joined: () => inGroup,
  };
}

/** Every topic must have a schema before the first record arrives: checked at construction. */
function schemaMap(topics: readonly ConsumedTopic[]): Map<string, SchemaName> {
  const known = SCHEMA_OF_TOPIC as Record<string, SchemaName | undefined>;
  const map = new Map<string, SchemaName>();
  for (const { topic, schema } of topics) {
    const resolved = schema ?? known[topic];
    if (!resolved) throw new VestnikError('UNKNOWN_SCHEMA', 'no schema for consumed topic', { details: { topic } });
    map.set(topic, resolved);
  }
  if (map.size === 0) throw new VestnikError('CONFIG_INVALID', 'a consumer needs at least one topic');
  return map;
}

async function connectAdmin(kafka: Kafka): Promise<Admin> {
  const admin = kafka.admin();
  await admin.connect();
  return admin;
}
