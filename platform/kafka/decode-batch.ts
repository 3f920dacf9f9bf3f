import type { IHeaders, KafkaMessage } from 'kafkajs';
import type { Codec, SchemaName } from '../codec/codec';
import { isRetriable } from '../errors';
import type { DecodedRecord, RecordHeaders } from './types';

/** A raw record that could not become a DecodedRecord, with the error that says why. */
export interface UndecodableRecord {
  message: KafkaMessage;
  error: unknown;
}

type Outcome<T> = { record: DecodedRecord<T> } | { undecodable: UndecodableRecord };

export interface DecodedBatch<T> {
  records: DecodedRecord<T>[];
  undecodable: UndecodableRecord[];
}

/**
 * Decodes the values of one partition's batch. A record whose bytes are bad (DECODE_FAILED,
 * UNKNOWN_SCHEMA, VALIDATION_FAILED, or any other permanent error) is set aside for the dead-letter
 * topic; a retriable error (a schema registry that is down) is thrown, because the same bytes will
 * decode once it is back and the whole batch must then be tried again.
 */
export async function decodeBatch<T>(
  codec: Codec,
  schema: SchemaName,
  source: { topic: string; partition: number; messages: readonly KafkaMessage[] },
): Promise<DecodedBatch<T>> {
  const outcomes = await Promise.all(
    source.messages.map(async (message): Promise<Outcome<T>> => {
      try {
        // A null value is a tombstone on a compacted topic: nothing to decode.
        const value = message.value === null ? null : ((await codec.decode(schema, message.value)) as T);
        return { record: toDecodedRecord(source.topic, source.partition, message, value) };
      } catch (error) {
        if (isRetriable(error)) throw error;
        return { undecodable: { message, error } };
      }
    }),
  );
  const batch: DecodedBatch<T> = { records: [], undecodable: [] };
  for (const outcome of outcomes) {
    if ('record' in outcome) batch.records.push(outcome.record);
    else batch.undecodable.push(outcome.undecodable);
  }
  return batch;
}

function toDecodedRecord<T>(topic: string, partition: number, message: KafkaMessage, value: T | null): DecodedRecord<T> {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key === null ? null : message.key.toString('utf8'),
    value,
    headers: decodeHeaders(message.headers),
    timestamp: Number(message.timestamp),
  };
}

/** Header values as UTF-8 strings; of a repeated header the last value wins, as in a plain map. */
export function decodeHeaders(headers: IHeaders | undefined): RecordHeaders {
  const decoded: RecordHeaders = {};
  for (const [name, raw] of Object.entries(headers ?? {})) {
    const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (value !== undefined) decoded[name] = value.toString();
  }
  return decoded;
}
