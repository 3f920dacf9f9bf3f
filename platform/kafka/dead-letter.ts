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
