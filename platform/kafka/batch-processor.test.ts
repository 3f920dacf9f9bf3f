import { KafkaJSConnectionError } from 'kafkajs';
import { VestnikError } from '../errors';
import { silentLogger } from '../logger';
import type { DeadLetter } from '../../schemas/types';
import {
  createFakePayload, createJsonCodec, createRecordingProducer, json, message, REGISTRY_DOWN, type RecordingProducer,
} from '../../tests/support/kafka-fakes';
import { createBatchProcessor, type BatchHandler, type BatchMetrics } from './batch-processor';
import { createPartitionBackoff, type Timers } from './partition-backoff';
import type { DecodedRecord } from './types';

interface Value { n: number }

function manualTimers() {
  const due: (() => void)[] = [];
  const timers: Timers = { setTimeout: (fn) => due.push(fn), clearTimeout: () => undefined };
  return { timers, fireAll: () => due.splice(0).forEach((fn) => fn()) };
}

function setup(handler: BatchHandler<Value>, maxAttempts = Infinity) {
  const producer = createRecordingProducer();
  const metrics: BatchMetrics[] = [];
  const clock = manualTimers();
  const retry = { initialDelayMs: 10, maxDelayMs: 100, maxAttempts };
  const process = createBatchProcessor<Value>({
    codec: createJsonCodec(),
    producer,
    groupId: 'g1',
    schemaOf: () => 'events.user-activity',
    handler,
    deadLetterTopic: 'dlq',
    backoff: createPartitionBackoff(retry, clock.timers),
    retry,
    heartbeatIntervalMs: 1_000,
    logger: silentLogger,
    onBatch: (m) => void metrics.push(m),
  });
  return { producer, metrics, clock, process };
}

const deadLetters = (producer: RecordingProducer) =>
  producer.sent.filter((s) => s.topic === 'dlq').flatMap((s) => s.records.map((r) => r.value as DeadLetter));

describe('batch processor: decoding', () => {
  it('hands decoded records to the handler, then resolves the last offset and commits', async () => {
    const seen: DecodedRecord<Value>[] = [];
    const { process, metrics } = setup(async (records) => void seen.push(...records));
    const fake = createFakePayload('t', 2, [message(5, json({ n: 1 })), message(6, null)]);
    await process(fake.payload);
    expect(seen).toEqual([
      { topic: 't', partition: 2, offset: '5', key: 'k5', value: { n: 1 }, headers: { source: 'test' }, timestamp: 1700000000000 },
      { topic: 't', partition: 2, offset: '6', key: 'k6', value: null, headers: { source: 'test' }, timestamp: 1700000000000 },
    ]);
    expect(fake.resolved).toEqual(['6']);
    expect(fake.commits).toBe(1);
    expect(metrics).toEqual([expect.objectContaining({ outcome: 'processed', received: 2, handled: 2, deadLettered: 0 })]);
  });

  it('tells the handler the topic and the schema its records were decoded with', async () => {
    const contexts: { topic: string; schema: string; partition: number }[] = [];
    const { process } = setup(async (_records, context) => void contexts.push({ topic: context.topic, schema: context.schema, partition: context.partition }));
    await process(createFakePayload('t', 2, [message(5, json({ n: 1 }))]).payload);
    expect(contexts).toEqual([{ topic: 't', schema: 'events.user-activity', partition: 2 }]);
  });

  it('dead-letters undecodable bytes with their raw bytes and still hands over the records around them', async () => {
    const seen: string[] = [];
    const { process, producer } = setup(async (records) => void seen.push(...records.map((r) => r.offset)));
    const poison = Buffer.from([0xde, 0xad, 0xbe, 0xef]);
    const fake = createFakePayload('t', 0, [message(1, json({ n: 1 })), message(2, poison), message(3, json({ n: 3 }))]);
    await process(fake.payload);
    expect(seen).toEqual(['1', '3']);
    const [letter] = deadLetters(producer);
    expect(letter).toMatchObject({
      originalTopic: 't', partition: 0, offset: '2', consumerGroup: 'g1', reasonCode: 'DECODE_FAILED', attempts: 1,
    });
    expect(letter?.value).toEqual(poison);
    expect(letter?.key).toEqual(Buffer.from('k2'));
    expect(producer.sent[0]?.schema).toBe('deliveries.dead-letter');
    expect(fake.resolved).toEqual(['3']);
  });

  it('skips the handler when nothing in the batch decodes, and commits past it', async () => {
    const handler = jest.fn(async () => undefined);
    const { process, producer } = setup(handler);
    const fake = createFakePayload('t', 0, [message(7, Buffer.from('x'))]);
    await process(fake.payload);
    expect(handler).not.toHaveBeenCalled();
    expect(deadLetters(producer)).toHaveLength(1);
    expect(fake.resolved).toEqual(['7']);
  });

  it('retries the batch when decoding fails retriably (the registry is down)', async () => {
    const handler = jest.fn(async () => undefined);
    const { process, producer, metrics } = setup(handler);
    const fake = createFakePayload('t', 0, [message(1, json({ n: 1 })), message(2, REGISTRY_DOWN)]);
    await process(fake.payload);
    expect(handler).not.toHaveBeenCalled();
    expect(producer.sent).toEqual([]);
    expect(fake.resolved).toEqual([]);
    expect(metrics[0]?.outcome).toBe('retrying');
  });
});

describe('batch processor: records flagged by the handler', () => {
  it('dead-letters the flagged record with the handler reason and commits the batch', async () => {
    const { process, producer, metrics } = setup(async (records, ctx) => {
      const bad = records.find((r) => r.value?.n === 2);
      if (bad) ctx.deadLetter(bad, new VestnikError('PROVIDER_REJECTED', 'invalid recipient'));
    });
    const fake = createFakePayload('t', 0, [1, 2, 3].map((n) => message(n, json({ n }))));
    await process(fake.payload);
    expect(deadLetters(producer)).toEqual([
      expect.objectContaining({ offset: '2', reasonCode: 'PROVIDER_REJECTED', reason: 'VestnikError: invalid recipient' }),
    ]);
    expect(metrics[0]).toMatchObject({ outcome: 'processed', handled: 2, deadLettered: 1, deadLetterCodes: { PROVIDER_REJECTED: 1 } });
    expect(fake.resolved).toEqual(['3']);
  });

  it('refuses to dead-letter a record that is not in the batch', async () => {
    let thrown: unknown;
    const { process } = setup(async (_records, ctx) => {
      try {
        ctx.deadLetter({ topic: 't', partition: 0, offset: '99', key: null, value: null, headers: {}, timestamp: 0 }, new Error('x'));
      } catch (error) {
        thrown = error;
      }
    });
    await process(createFakePayload('t', 0, [message(1, json({ n: 1 }))]).payload);
    expect(thrown).toBeInstanceOf(RangeError);
  });
});

describe('batch processor: errors thrown for the whole batch', () => {
  const retriable = () => new VestnikError('DEPENDENCY_UNAVAILABLE', 'redis down', { retriable: true });

  it('on a retriable error: no resolve, no commit, partition paused, resumed after the backoff, retried', async () => {
    const attempts: number[] = [];
    const { process, clock, producer } = setup(async (_records, ctx) => {
      attempts.push(ctx.attempt);
      if (ctx.attempt === 1) throw retriable();
    });
    const fake = createFakePayload('t', 0, [message(1, json({ n: 1 }))]);
    await process(fake.payload);
    expect(fake.resolved).toEqual([]);
    expect(fake.commits).toBe(0);
    expect(fake.paused).toBe(1);
    expect(fake.resumed).toBe(0);
    clock.fireAll();
    expect(fake.resumed).toBe(1);
    await process(fake.payload);
    expect(attempts).toEqual([1, 2]);
    expect(fake.resolved).toEqual(['1']);
    expect(producer.sent).toEqual([]);
  });

  it('a failed heartbeat (the coordinator gone, a rebalance) retries the batch instead of dead-lettering it', async () => {
    const { process, producer, metrics } = setup(async (_records, ctx) => ctx.heartbeat());
    const fake = createFakePayload('t', 0, [message(1, json({ n: 1 }))]);
    fake.payload.heartbeat = async () => {
      throw new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092');
    };
    await process(fake.payload);
    expect(producer.sent).toEqual([]);
    expect(fake.resolved).toEqual([]);
    expect(fake.paused).toBe(1);
    expect(metrics[0]).toMatchObject({ outcome: 'retrying', deadLettered: 0 });
  });

  it('on a permanent error: every record of the batch is dead-lettered with that reason, then committed', async () => {
    const { process, producer, metrics } = setup(async () => {
      throw new VestnikError('TEMPLATE_FAILED', 'template broken');
    });
    const fake = createFakePayload('t', 0, [message(1, json({ n: 1 })), message(2, Buffer.from('?')), message(3, json({ n: 3 }))]);
    await process(fake.payload);
    const letters = deadLetters(producer);
    expect(letters.map((l) => [l.offset, l.reasonCode])).toEqual([['2', 'DECODE_FAILED'], ['1', 'TEMPLATE_FAILED'], ['3', 'TEMPLATE_FAILED']]);
    expect(metrics[0]).toMatchObject({ outcome: 'batch-dead-lettered', handled: 0, deadLettered: 3, deadLetterCodes: { DECODE_FAILED: 1, TEMPLATE_FAILED: 2 } });
    expect(fake.resolved).toEqual(['3']);
  });

  it('gives up after maxAttempts retriable failures and dead-letters the batch with the attempt count', async () => {
    const { process, producer } = setup(async () => {
      throw retriable();
    }, 2);
    const fake = createFakePayload('t', 0, [message(1, json({ n: 1 }))]);
    await process(fake.payload);
    expect(fake.resolved).toEqual([]);
    await process(fake.payload);
    expect(deadLetters(producer)).toEqual([expect.objectContaining({ offset: '1', attempts: 2, reasonCode: 'DEPENDENCY_UNAVAILABLE' })]);
    expect(fake.resolved).toEqual(['1']);
  });

  it('does not commit when the dead letters cannot be written, and retries', async () => {
    const { process, producer, metrics } = setup(async () => undefined);
    producer.failNext.push(new VestnikError('DEPENDENCY_UNAVAILABLE', 'kafka down', { retriable: true }));
    const fake = createFakePayload('t', 0, [message(1, Buffer.from('?'))]);
    await process(fake.payload);
    expect(fake.resolved).toEqual([]);
    expect(metrics[0]?.outcome).toBe('retrying');
    await process(fake.payload);
    expect(deadLetters(producer)).toHaveLength(1);
    expect(fake.resolved).toEqual(['1']);
  });

  it('keeps going when a metrics hook throws', async () => {
    const retry = { initialDelayMs: 1, maxDelayMs: 1, maxAttempts: 1 };
    const process = createBatchProcessor<Value>({
      codec: createJsonCodec(), producer: createRecordingProducer(), groupId: 'g', schemaOf: () => 'events.user-activity',
      handler: async () => undefined, deadLetterTopic: 'dlq', backoff: createPartitionBackoff(retry), retry,
      heartbeatIntervalMs: 1_000, logger: silentLogger,
      onBatch: () => {
        throw new Error('hook bug');
      },
    });
    const fake = createFakePayload('t', 0, [message(1, json({ n: 1 }))]);
    await expect(process(fake.payload)).resolves.toBeUndefined();
    expect(fake.resolved).toEqual(['1']);
  });
});
