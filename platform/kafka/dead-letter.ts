import type { KafkaMessage } from 'kafkajs';
import { describeError, errorCode } from '../errors';
import type { DeadLetter } from '../../schemas/types';
import type { OutgoingRecord } from './types';

/** A record on its way to the dead-letter topic: the raw message as consumed, and why it failed. */
export interface DeadLetterCandidate {
  topic: string;
  partition: number;
  message: KafkaMessage;
  error: unknown;
}

export interface DeadLetterContext {
  groupId: string;
  /** How many times the record was processed before giving up (1 for bad bytes). */
  attempts: number;
  now: number;
}

/** Reasons are for people reading the dead-letter topic; a runaway message must not bloat it. */
const MAX_REASON_LENGTH = 2_000;

/**
 * The dead-letter record keeps the original key and value bytes untouched, so the record can be
 * inspected, fixed and replayed onto its topic; it is keyed like the original.
 */
export function toDeadLetterRecord(candidate: DeadLetterCandidate, context: DeadLetterContext): OutgoingRecord<DeadLetter> {
  const { message } = candidate;
  return {
    key: message.key === null ? null : message.key.toString('utf8'),
    value: {
      originalTopic: candidate.topic,
      partition: candidate.partition,
      offset: message.offset,
      key: message.key,
      value: message.value,
      consumerGroup: context.groupId,
      reasonCode: errorCode(candidate.error),
      reason: describeError(candidate.error).slice(0, MAX_REASON_LENGTH),
      attempts: context.attempts,
      failedAt: context.now,
    },
  };
}

/**
 * Dead letters go out in requests of at most `maxBytes` of original key and value bytes (plus a fixed
 * allowance per record for the envelope): a whole fetched batch dead-lettered at once carries about as
 * many bytes as the fetch (1 MiB per partition by default), which with the envelope is over the broker's
 * 1 MiB message limit — MESSAGE_TOO_LARGE, which no retry fixes. A single record over the limit still
 * gets a request of its own.
 */
export const DEAD_LETTER_CHUNK_BYTES = 256 * 1024;
const ENVELOPE_BYTES = 512;

export function chunkDeadLetters<T extends DeadLetterCandidate>(candidates: readonly T[], maxBytes = DEAD_LETTER_CHUNK_BYTES): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const candidate of candidates) {
    const bytes = (candidate.message.key?.length ?? 0) + (candidate.message.value?.length ?? 0) + ENVELOPE_BYTES;
    if (current.length > 0 && size + bytes > maxBytes) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(candidate);
    size += bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
