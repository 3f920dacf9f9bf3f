/**
 * In-memory stand-ins for the unit tests of platform/kafka (no sockets): a JSON codec that fails like
 * the real one, a producer that records what it was asked to send, and a kafkajs eachBatch payload.
 */
import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { Codec } from '../../platform/codec/codec';
import { VestnikError } from '../../platform/errors';
import type { TypedProducer } from '../../platform/kafka/producer';
import type { OutgoingRecord, ProducedRecord } from '../../platform/kafka/types';

/** Bytes that make the fake codec report a registry outage (a retriable decode error). */
export const REGISTRY_DOWN = Buffer.from('registry-down');

export function createJsonCodec(): Codec {
  return {
    async encode(_schema, value) {
      return Buffer.from(JSON.stringify(value));
    },
    async decode(_schema, buffer) {
      if (buffer.equals(REGISTRY_DOWN)) {
        throw new VestnikError('DEPENDENCY_UNAVAILABLE', 'registry down', { retriable: true });
      }
      try {
        return JSON.parse(buffer.toString('utf8'));
      } catch (error) {
        throw new VestnikError('DECODE_FAILED', 'not JSON', { cause: error });
      }
    },
  };
}

export interface SentBatch {
  topic: string;
  schema?: string;
  records: OutgoingRecord<unknown>[];
}

export interface RecordingProducer extends TypedProducer {
  sent: SentBatch[];
  /** The next send calls throw this error, once each. */
  failNext: unknown[];
}

export function createRecordingProducer(): RecordingProducer {
  const sent: SentBatch[] = [];
  const failNext: unknown[] = [];
  const send = async (topic: string, records: readonly OutgoingRecord<unknown>[], options?: { schema?: string }) => {
    if (failNext.length > 0) throw failNext.shift();
    sent.push({ topic, schema: options?.schema, records: [...records] });
    return records.map((_, i): ProducedRecord => ({ topic, partition: 0, offset: String(i) }));
  };
  return {
    sent,
    failNext,
    connect: async () => undefined,
    disconnect: async () => undefined,
    send: send as TypedProducer['send'],
    sendBatch: async () => [],
  };
}

export function message(offset: number, value: Buffer | null, key: string | null = `k${offset}`): KafkaMessage {
  return {
    key: key === null ? null : Buffer.from(key),
    value,
    offset: String(offset),
    timestamp: '1700000000000',
    attributes: 0,
    headers: { source: Buffer.from('test') },
  };
}

export const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

export interface FakePayload {
  payload: EachBatchPayload;
  resolved: string[];
  commits: number;
  paused: number;
  resumed: number;
}

/** One partition's batch as kafkajs would hand it to eachBatch, recording what the consumer did. */
export function createFakePayload(topic: string, partition: number, messages: KafkaMessage[]): FakePayload {
  const fake: FakePayload = { payload: undefined as unknown as EachBatchPayload, resolved: [], commits: 0, paused: 0, resumed: 0 };
  const batch = {
    topic,
    partition,
    highWatermark: String(messages.length),
    messages,
    isEmpty: () => messages.length === 0,
    firstOffset: () => messages[0]?.offset ?? null,
    lastOffset: () => messages[messages.length - 1]?.offset ?? '-1',
    offsetLag: () => '0',
    offsetLagLow: () => '0',
  };
  fake.payload = {
    batch,
    resolveOffset: (offset: string) => void fake.resolved.push(offset),
    heartbeat: async () => undefined,
    pause: () => {
      fake.paused += 1;
      return () => void (fake.resumed += 1);
    },
    commitOffsetsIfNecessary: async () => void (fake.commits += 1),
    uncommittedOffsets: () => ({ topics: [] }),
    isRunning: () => true,
    isStale: () => false,
  };
  return fake;
}
