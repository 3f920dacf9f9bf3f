/**
 * Dead letters for operators: list the records of deliveries.dead-letter (newest first, the payload decoded
 * where it decodes) and replay one or all of a topic's onto their original topic, byte for byte.
 *
 * Reading a topic on demand: the admin API gives the partition's offsets; a short-lived consumer with a
 * unique group (no commits) seeks to a bounded window and stops at its end or a deadline. Nothing is kept.
 *
 * Replaying twice processes a record once: each dead letter's id is its own partition and offset on the
 * dead-letter topic, and a replay first sets `deadletter:replayed:<id>` in Redis (SET NX, no expiry), so
 * a second replay is a no-op answered `alreadyReplayed: true`. The stages that receive a replay are
 * idempotent by deterministic ids (delivery ids claimed once by the senders, status ids counted once, a
 * mailing's fan-out checkpoint), except the compacted state topics: an old state record replayed after
 * a newer write would roll the resource back, so those are refused (write the resource again instead).
 */
import { topicNamesOf } from '../platform/kafka/topic-names';
import { randomUUID } from 'node:crypto';
import type { Kafka, Producer } from 'kafkajs';
import type { Codec } from '../platform/codec/codec';
import { SCHEMA_OF_TOPIC } from '../platform/codec/codec';
import { VestnikError } from '../platform/errors';
import type { Redis } from '../platform/redis/client';
import { TOPICS, type TopicName } from '../platform/topics';
import type { DeadLetter } from '../schemas/types';

/** One dead letter as the API shows it; `value` is the decoded original where it decodes, else null. */
export interface DeadLetterView {
  id: string;
  originalTopic: string;
  partition: number;
  offset: string;
  consumerGroup: string;
  reasonCode: string;
  reason: string;
  attempts: number;
  failedAt: string;
  key: string | null;
  value: unknown;
  replayed: boolean;
}

export interface DeadLetterPage {
  items: DeadLetterView[];
  nextCursor: string | null;
}

export interface ReplayResult {
  id: string;
  alreadyReplayed: boolean;
}

export interface DeadLetters {
  /** Newest first; `cursor` is the previous page's; `topic` keeps only that original topic's. */
  list(query: { topic?: string; limit: number; cursor?: string }): Promise<DeadLetterPage>;
  /** One dead letter by its id; NOT_FOUND when there is none. */
  get(id: string): Promise<DeadLetterView>;
  replay(id: string): Promise<ReplayResult>;
  /** Replays every dead letter of `topic` among the newest `scanLimit`. */
  replayTopic(topic: string): Promise<ReplayResult[]>;
}

export interface DeadLetterDeps {
  kafka: Kafka;
  /** Produces the original bytes untouched. */
  producer: Producer;
  codec: Codec;
  redis: Redis;
  groupPrefix: string;
  /** Records read per request at most (bounds a filtered scan); default 2000. */
  scanLimit?: number;
  timeoutMs?: number;
}

const DLT = TOPICS.deliveriesDeadLetter;
const replayedKey = (id: string) => `deadletter:replayed:${id}`;

/** `<partition>-<offset>` of the dead-letter record itself: stable, whatever is replayed. */
export function deadLetterId(partition: number, offset: string): string {
  return `${partition}-${offset}`;
}

function parseId(id: string): { partition: number; offset: bigint } {
  const match = /^(\d{1,5})-(\d{1,19})$/.exec(id);
  if (!match) throw new VestnikError('NOT_FOUND', 'no such dead letter', { details: { id } });
  return { partition: Number(match[1]), offset: BigInt(match[2] as string) };
}

export function createDeadLetters(deps: DeadLetterDeps): DeadLetters {
  const scanLimit = deps.scanLimit ?? 2000;
  const timeoutMs = deps.timeoutMs ?? 10_000;

  /** The records of one partition in [from, to), read by a consumer of its own. */
  async function readRange(partition: number, from: bigint, to: bigint): Promise<{ offset: string; value: DeadLetter }[]> {
    if (to <= from) return [];
    const groupId = `${deps.groupPrefix}-dead-letter-reader-${randomUUID()}`;
    const consumer = deps.kafka.consumer({ groupId, maxWaitTimeInMs: 200, allowAutoTopicCreation: false });
    const out: { offset: string; value: DeadLetter }[] = [];
    let done: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => { done = resolve; });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: topicNamesOf(deps.kafka).physical(DLT) });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          if (batch.partition !== partition) return;
          for (const message of batch.messages) {
            const offset = BigInt(message.offset);
            if (offset < from) continue;
            if (offset >= to) return done();
            if (message.value) out.push({ offset: message.offset, value: (await deps.codec.decode('deliveries.dead-letter', message.value)) as DeadLetter });
            if (offset === to - 1n) return done();
          }
        },
      });
      consumer.seek({ topic: topicNamesOf(deps.kafka).physical(DLT), partition, offset: from.toString() });
      const timer = setTimeout(done, timeoutMs);
      await finished;
      clearTimeout(timer);
    } finally {
      await consumer.disconnect();
      const admin = deps.kafka.admin();
      await admin.connect();
      await admin.deleteGroups([groupId]).catch(() => undefined);
      await admin.disconnect();
    }
    return out;
  }

  async function partitions(): Promise<{ partition: number; low: bigint; high: bigint }[]> {
    const admin = deps.kafka.admin();
    await admin.connect();
    try {
      return (await admin.fetchTopicOffsets(topicNamesOf(deps.kafka).physical(DLT))).map((p) => ({ partition: p.partition, low: BigInt(p.low), high: BigInt(p.high) }));
    } finally {
      await admin.disconnect();
    }
  }

  async function view(partition: number, offset: string, letter: DeadLetter): Promise<DeadLetterView> {
    const id = deadLetterId(partition, offset);
    const schema = SCHEMA_OF_TOPIC[letter.originalTopic as TopicName];
    let value: unknown = null;
    if (schema && letter.value) value = await deps.codec.decode(schema, letter.value).catch(() => null);
    return {
      id, originalTopic: letter.originalTopic, partition: letter.partition, offset: letter.offset, consumerGroup: letter.consumerGroup,
      reasonCode: letter.reasonCode, reason: letter.reason, attempts: letter.attempts, failedAt: new Date(letter.failedAt).toISOString(),
      key: letter.key ? letter.key.toString('utf8') : null, value: jsonSafe(value),
      replayed: (await deps.redis.exists(replayedKey(id))) === 1,
    };
  }

  /** Newest first over every partition, from `before` (exclusive, per partition) back at most scanLimit records. */
  async function scan(before: Map<number, bigint> | null): Promise<{ partition: number; offset: string; value: DeadLetter }[]> {
    const all: { partition: number; offset: string; value: DeadLetter }[] = [];
    for (const p of await partitions()) {
      const to = before?.get(p.partition) ?? p.high;
      const from = to - BigInt(scanLimit) > p.low ? to - BigInt(scanLimit) : p.low;
      for (const record of await readRange(p.partition, from, to)) all.push({ partition: p.partition, ...record });
    }
    return all.sort((a, b) => b.value.failedAt - a.value.failedAt || Number(BigInt(b.offset) - BigInt(a.offset)));
  }

  /** The dead-letter record of an id, read alone. */
  async function readOne(id: string): Promise<{ partition: number; record: { offset: string; value: DeadLetter } }> {
    const { partition, offset } = parseId(id);
    const bounds = (await partitions()).find((p) => p.partition === partition);
    if (!bounds || offset < bounds.low || offset >= bounds.high) throw new VestnikError('NOT_FOUND', 'no such dead letter', { details: { id } });
    const [record] = await readRange(partition, offset, offset + 1n);
    if (!record) throw new VestnikError('NOT_FOUND', 'no such dead letter', { details: { id } });
    return { partition, record };
  }

  async function replayOne(partition: number, offset: string, letter: DeadLetter): Promise<ReplayResult> {
    const id = deadLetterId(partition, offset);
    if (letter.originalTopic.startsWith('state.')) {
      throw new VestnikError('CONFLICT', 'a state record is not replayed: an old value would overwrite a newer one; write the resource again', {
        details: { id, topic: letter.originalTopic },
      });
    }
    if (!Object.values(TOPICS).includes(letter.originalTopic as TopicName) || letter.originalTopic === DLT) {
      throw new VestnikError('CONFLICT', 'the original topic is not one of ours', { details: { id, topic: letter.originalTopic } });
    }
    // The marker first: a crash between it and the produce loses the replay (it can be retried by deleting
    // the marker), which is safer than a second replay a crash after the produce would allow.
    const first = await deps.redis.set(replayedKey(id), String(Date.now()), 'NX');
    if (first !== 'OK') return { id, alreadyReplayed: true };
    try {
      await deps.producer.send({ topic: letter.originalTopic, messages: [{ key: letter.key, value: letter.value }] });
    } catch (error) {
      await deps.redis.del(replayedKey(id));
      throw error;
    }
    return { id, alreadyReplayed: false };
  }

  return {
    async list({ topic, limit, cursor }) {
      const before = cursor ? decodeListCursor(cursor) : null;
      const records = (await scan(before)).filter((r) => !topic || r.value.originalTopic === topic);
      const page = records.slice(0, limit);
      const items = await Promise.all(page.map((r) => view(r.partition, r.offset, r.value)));
      const last = page[page.length - 1];
      return { items, nextCursor: records.length > limit && last ? encodeListCursor(last.partition, last.offset) : null };
    },
    async get(id) {
      const { partition, record } = await readOne(id);
      return view(partition, record.offset, record.value);
    },
    async replay(id) {
      const { partition, record } = await readOne(id);
      return replayOne(partition, record.offset, record.value);
    },
    async replayTopic(topic) {
      const results: ReplayResult[] = [];
      for (const record of (await scan(null)).filter((r) => r.value.originalTopic === topic).reverse()) {
        results.push(await replayOne(record.partition, record.offset, record.value));
      }
      return results;
    },
  };
}

function encodeListCursor(partition: number, offset: string): string {
  return Buffer.from(`${partition}:${offset}`, 'utf8').toString('base64url');
}

function decodeListCursor(cursor: string): Map<number, bigint> {
  const match = /^(\d{1,5}):(\d{1,19})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new VestnikError('VALIDATION_FAILED', 'invalid pagination cursor', { details: { cursor } });
  return new Map([[Number(match[1]), BigInt(match[2] as string)]]);
}

/** Buffers (bytes fields) as base64, so any decoded record can be sent as JSON. */
function jsonSafe(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value ?? null, (_k, v: unknown) => {
    if (v && typeof v === 'object' && (v as { type?: string }).type === 'Buffer') return Buffer.from((v as { data: number[] }).data).toString('base64');
    return typeof v === 'bigint' ? v.toString() : v;
  }));
}
