import type { ChainableCommander } from 'ioredis';
import { VestnikError } from '../errors';
import type { Redis } from './client';
import type { RecordHeaders } from '../tracing/propagation';
import { KEYS } from './keys';

/**
 * Records that must reach a Kafka topic later (retries, deferrals, lease re-checks), in Redis: a
 * sorted set of members `${topic}|${id}` scored by due time, and one payload key per member holding
 * the record's key and value bytes. Writes are queued on a caller's MULTI so a sender records its
 * claims and its delayed records atomically (on a Redis Cluster, where claims live in other slots, the
 * sender writes them first and the queue in a MULTI of its own: senders/core/consumer.ts). The scheduler drains it: takeDue → produce → ack, so
 * delivery to Kafka is at-least-once (a crash between produce and ack produces again; sender claims
 * make that harmless).
 */
export interface DelayedRecord {
  topic: string;
  /** The Kafka record key. */
  key: string;
  /** Unique per logical record (e.g. `${deliveryId}:${attempt}`): scheduling the same id again replaces it. */
  id: string;
  /** Epoch milliseconds at which it should be produced. */
  dueAt: number;
  /** The encoded Kafka record value. */
  payload: Buffer;
  /** Kafka record headers to produce it with (its trace context), so a retry stays in its message's trace. */
  headers?: RecordHeaders;
}

/** A due record as taken from the queue; `member` and `score` identify exactly this version for ack. */
export interface DueRecord extends DelayedRecord {
  member: string;
  score: string;
}

export interface DelayQueue {
  /** Queues the writes on `target` (a MULTI or pipeline the caller executes); returns it. */
  schedule(target: ChainableCommander, items: readonly DelayedRecord[]): ChainableCommander;
  /** Schedules in a MULTI of its own. */
  scheduleNow(items: readonly DelayedRecord[]): Promise<void>;
  /** Up to `limit` records due at `now`, earliest first; they stay queued until acked. */
  takeDue(now: number, limit: number): Promise<DueRecord[]>;
  /**
   * Removes taken records, each only if it was not rescheduled since it was taken (same score), so a
   * record re-queued by a sender while the scheduler produced its previous version is kept.
   */
  ack(records: readonly Pick<DueRecord, 'member' | 'score'>[]): Promise<number>;
  /** How many records are queued (due or not). */
  size(): Promise<number>;
}

/** Removes member i (ARGV[2i-1]) and its payload (KEYS[i+1]) when its score is still ARGV[2i]. */
const ACK_SCRIPT = `
local removed = 0
for i = 2, #KEYS do
  local member = ARGV[2 * (i - 1) - 1]
  local score = redis.call('ZSCORE', KEYS[1], member)
  if score and tonumber(score) == tonumber(ARGV[2 * (i - 1)]) then
    redis.call('ZREM', KEYS[1], member)
    redis.call('DEL', KEYS[i])
    removed = removed + 1
  end
end
return removed`;

/** The queue's key names: tagged into one slot on a Redis Cluster (keys.ts). */
function delayKeys(redis: Pick<Redis, 'isCluster'>): { queue: string; payload: (member: string) => string } {
  return redis.isCluster
    ? { queue: KEYS.clusterDelayQueue, payload: KEYS.clusterDelayPayload }
    : { queue: KEYS.delayQueue, payload: KEYS.delayPayload };
}

/** The delay queue over one Redis connection (see DelayQueue). */
export function createDelayQueue({ redis }: { redis: Redis }): DelayQueue {
  const keys = delayKeys(redis);
  const schedule = (target: ChainableCommander, items: readonly DelayedRecord[]): ChainableCommander => {
    for (const item of items) {
      const member = memberOf(item.topic, item.id);
      // Payload first: a scheduler reading between the two commands of a non-MULTI pipeline finds it.
      target.set(keys.payload(member), encodeEnvelope(item.key, item.payload, item.headers));
      target.zadd(keys.queue, item.dueAt, member);
    }
    return target;
  };

  return {
    schedule,
    async scheduleNow(items) {
      if (items.length === 0) return;
      await execOrThrow(schedule(redis.multi(), items));
    },
    async takeDue(now, limit) {
      const flat = await redis.zrangebyscore(keys.queue, '-inf', now, 'WITHSCORES', 'LIMIT', 0, limit);
      const taken: { member: string; score: string }[] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) taken.push({ member: flat[i] as string, score: flat[i + 1] as string });
      if (taken.length === 0) return [];
      const payloads = await redis.mgetBuffer(...taken.map((t) => keys.payload(t.member)));
      const due: DueRecord[] = [];
      const orphans: string[] = [];
      taken.forEach((t, i) => {
        const payload = payloads[i];
        if (payload) due.push(toDueRecord(t.member, t.score, payload));
        else orphans.push(t.member); // acked by another scheduler since the range read, or a torn write
      });
      if (orphans.length > 0) await redis.zrem(keys.queue, ...orphans);
      return due;
    },
    async ack(records) {
      if (records.length === 0) return 0;
      const touched = [keys.queue, ...records.map((r) => keys.payload(r.member))];
      const args = records.flatMap((r) => [r.member, r.score]);
      return Number(await redis.eval(ACK_SCRIPT, touched.length, ...touched, ...args));
    },
    size: () => redis.zcard(keys.queue),
  };
}

/** The queue's size and the due time of its earliest record (null when empty), in one round trip; for metrics. */
export async function delayQueueStats(redis: Redis): Promise<{ depth: number; earliestDueAt: number | null }> {
  const { queue } = delayKeys(redis);
  const replies = await redis.pipeline().zcard(queue).zrange(queue, '0', '0', 'WITHSCORES').exec();
  const failed = replies?.find(([error]) => error)?.[0];
  if (!replies || failed) throw failed ?? new VestnikError('DEPENDENCY_UNAVAILABLE', 'redis pipeline discarded', { retriable: true });
  const earliest = replies[1]?.[1] as string[];
  return { depth: Number(replies[0]?.[1] ?? 0), earliestDueAt: earliest.length >= 2 ? Number(earliest[1]) : null };
}

/**
 * Runs a MULTI and fails loudly when it or any command in it failed. The Redis edge (redis/client.ts)
 * has already classified the error: REDIS_UNAVAILABLE retries, a command's own error (WRONGTYPE) does not.
 */
export async function execOrThrow(multi: ChainableCommander): Promise<void> {
  const results = await multi.exec();
  if (results === null) throw new VestnikError('DEPENDENCY_UNAVAILABLE', 'redis transaction discarded', { retriable: true });
  const failed = results.find(([error]) => error)?.[0];
  if (failed) throw failed;
}

export function memberOf(topic: string, id: string): string {
  if (topic.includes('|')) throw new RangeError(`topic name must not contain "|": ${topic}`);
  return `${topic}|${id}`;
}

/**
 * Envelope: a 4-byte big-endian word, the UTF-8 key, then the value bytes. The word is the key's length;
 * its top bit set means record headers follow it (a 4-byte length and their JSON) before the key.
 * Envelopes written before headers existed never have that bit (no key is 2 GiB long), so they still
 * decode after an upgrade, and one without headers is written the old way.
 */
const HAS_HEADERS = 0x8000_0000;

export function encodeEnvelope(key: string, payload: Buffer, headers?: RecordHeaders): Buffer {
  const keyBytes = Buffer.from(key, 'utf8');
  if (!headers || Object.keys(headers).length === 0) {
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32BE(keyBytes.length, 0);
    return Buffer.concat([prefix, keyBytes, payload]);
  }
  const headerBytes = Buffer.from(JSON.stringify(headers), 'utf8');
  const prefix = Buffer.alloc(8);
  prefix.writeUInt32BE((HAS_HEADERS | keyBytes.length) >>> 0, 0);
  prefix.writeUInt32BE(headerBytes.length, 4);
  return Buffer.concat([prefix, headerBytes, keyBytes, payload]);
}

export function decodeEnvelope(envelope: Buffer): { key: string; payload: Buffer; headers?: RecordHeaders } {
  if (envelope.length < 4) throw new VestnikError('DECODE_FAILED', 'delay queue envelope too short');
  const word = envelope.readUInt32BE(0);
  const keyLength = (word & ~HAS_HEADERS) >>> 0;
  let offset = 4;
  let headers: RecordHeaders | undefined;
  if ((word & HAS_HEADERS) !== 0) {
    if (envelope.length < 8) throw new VestnikError('DECODE_FAILED', 'delay queue envelope too short for its headers');
    const headersLength = envelope.readUInt32BE(4);
    offset = 8 + headersLength;
    if (offset > envelope.length) throw new VestnikError('DECODE_FAILED', 'delay queue envelope headers overrun it');
    headers = parseHeaders(envelope.subarray(8, offset));
  }
  if (offset + keyLength > envelope.length) throw new VestnikError('DECODE_FAILED', 'delay queue envelope key overruns it');
  const key = envelope.subarray(offset, offset + keyLength).toString('utf8');
  return { key, payload: envelope.subarray(offset + keyLength), headers };
}

/** Headers are only ever string to string (trace context); anything else is a torn or foreign write. */
function parseHeaders(bytes: Buffer): RecordHeaders {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new VestnikError('DECODE_FAILED', 'delay queue envelope headers are not JSON', { cause: error });
  }
  const valid = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
    && Object.values(parsed).every((value) => typeof value === 'string');
  if (!valid) throw new VestnikError('DECODE_FAILED', 'delay queue envelope headers are not a string map');
  return parsed as RecordHeaders;
}

function toDueRecord(member: string, score: string, envelope: Buffer): DueRecord {
  const split = member.indexOf('|');
  const { key, payload, headers } = decodeEnvelope(envelope);
  return { member, score, topic: member.slice(0, split), id: member.slice(split + 1), key, payload, headers, dueAt: Number(score) };
}
