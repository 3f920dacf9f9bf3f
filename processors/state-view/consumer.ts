/**
 * The directory view: consumes the compacted state.* topics and keeps Redis docs, id/tag/operator
 * indexes and the mailing schedule in step with them. plan.ts decides the writes; this file only
 * loads the previous client docs, plans and applies one MULTI per batch. Replays are harmless: every
 * write sets the final state, so at-least-once delivery leaves the same view.
 */
import type { Kafka } from 'kafkajs';
import type { Codec } from '../../platform/codec/codec';
import { invalidRecord } from '../../platform/kafka/invalid-record';
import { createBatchConsumer, type BatchContext, type DecodedRecord, type TypedProducer } from '../../platform/kafka';
import type { Logger } from '../../platform/logger';
import type { Redis } from '../../platform/redis/client';
import { createDirectoryReader, warnCorrupt, type DirectoryReader } from '../../platform/redis/directory';
import { KEYS } from '../../platform/redis/keys';
import { TOPICS } from '../../platform/topics';
import type { Client, Mailing, Template } from '../../schemas/types';
import { applyViewOps } from './apply';
import { planBatch, type StateRecord, type ViewOp } from './plan';
import { stateRecordProblems } from './validate';

type StateValue = Client | Mailing | Template;

/** The topic of each state kind; tests point them at their own topics. */
export interface StateTopics {
  clients: string;
  mailings: string;
  templates: string;
}

export const DEFAULT_STATE_TOPICS: StateTopics = { clients: TOPICS.clients, mailings: TOPICS.mailings, templates: TOPICS.templates };
export const DEFAULT_STATE_VIEW_GROUP = 'vestnik-state-view';

export interface StateViewConsumerOptions {
  kafka: Kafka;
  codec: Codec;
  /** Writes dead letters (keyless records); owned by the caller. */
  producer: TypedProducer;
  redis: Redis;
  logger: Logger;
  groupId?: string;
  topics?: StateTopics;
  deadLetterTopic?: string;
}

export interface StateViewConsumer {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** In its group (the process's readiness). */
  joined(): boolean;
}

/** The consumer that maintains the Redis directory view. A new group reads from the beginning: a rebuild. */
export function createStateViewConsumer(options: StateViewConsumerOptions): StateViewConsumer {
  const topics = options.topics ?? DEFAULT_STATE_TOPICS;
  const logger = options.logger.child({ module: 'state-view' });
  const directory = createDirectoryReader(options.redis, warnCorrupt(logger));
  // plan.ts routes by the canonical topic names; a renamed (test) topic is mapped back to its kind.
  const canonicalOf = new Map<string, string>([
    [topics.clients, TOPICS.clients],
    [topics.mailings, TOPICS.mailings],
    [topics.templates, TOPICS.templates],
  ]);
  const consumer = createBatchConsumer<StateValue>({
    kafka: options.kafka,
    codec: options.codec,
    producer: options.producer,
    groupId: options.groupId ?? DEFAULT_STATE_VIEW_GROUP,
    logger: options.logger,
    fromBeginning: true,
    deadLetterTopic: options.deadLetterTopic,
    topics: [
      { topic: topics.clients, schema: 'state.clients' },
      { topic: topics.mailings, schema: 'state.mailings' },
      { topic: topics.templates, schema: 'state.templates' },
    ],
    handler: async (records, ctx) => {
      const canonical = canonicalOf.get(ctx.topic) ?? ctx.topic;
      const stateRecords = records.map((record) => {
        const problems = stateRecordProblems(canonical, record.key, record.value);
        if (problems.length === 0) return toStateRecord(record, canonical);
        ctx.deadLetter(record, invalidRecord(`${canonical} record ${record.key ?? '(no key)'}`, problems));
        // Kept without its key: plan.ts skips it but still records the offset, so writers waiting on it go on.
        return { ...toStateRecord(record, canonical), key: null };
      });
      const previous = canonical === TOPICS.clients ? await loadClients(directory, stateRecords) : new Map();
      const ops = renameOffsetKey(planBatch(stateRecords, previous), canonical, ctx);
      await applyViewOps(options.redis, ops);
      logger.debug({ topic: ctx.topic, partition: ctx.partition, records: records.length, ops: ops.length }, 'view batch applied');
    },
  });
  return { start: () => consumer.start(), stop: () => consumer.stop(), joined: () => consumer.joined() };
}

function toStateRecord(record: DecodedRecord<StateValue>, canonicalTopic: string): StateRecord {
  return { topic: canonicalTopic, partition: record.partition, offset: record.offset, key: record.key, value: record.value };
}

/** The view's current docs of the batch's clients (one MGET), so plan.ts can diff their indexes. */
async function loadClients(directory: DirectoryReader, records: readonly StateRecord[]): Promise<Map<string, Client | null>> {
  const ids = [...new Set(records.flatMap((r) => (r.key === null ? [] : [r.key])))];
  const docs = await directory.docs<Client>(ids.map(KEYS.client));
  return new Map(ids.map((id, i) => [id, docs[i] ?? null]));
}

/** The applied offset is kept under the topic the record really came from, which is what writers wait on. */
function renameOffsetKey(ops: ViewOp[], canonicalTopic: string, ctx: BatchContext<StateValue>): ViewOp[] {
  if (canonicalTopic === ctx.topic) return ops;
  const from = KEYS.viewOffset(canonicalTopic, ctx.partition);
  const to = KEYS.viewOffset(ctx.topic, ctx.partition);
  return ops.map((op) => (op.op === 'set' && op.key === from ? { ...op, key: to } : op));
}
