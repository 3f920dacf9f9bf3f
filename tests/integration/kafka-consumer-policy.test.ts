import { randomBytes } from 'node:crypto';
import { createCodec } from '../../platform/codec';
import type { Codec } from '../../platform/codec/codec';
import { VestnikError } from '../../platform/errors';
import { silentLogger } from '../../platform/logger';
import {
  createBatchConsumer, createTypedProducer, type BatchHandler, type BatchMetrics, type DecodedRecord, type TypedProducer,
} from '../../platform/kafka';
import type { DeadLetter, UserActivity } from '../../schemas/types';
import { createKafkaTestContext } from '../support/kafka';
import { waitFor } from '../support/wait-for';

jest.setTimeout(60_000);

const kt = createKafkaTestContext();
let codec: Codec;
let producer: TypedProducer;

beforeAll(async () => {
  codec = createCodec();
  producer = createTypedProducer({ kafka: kt.kafka, codec, logger: silentLogger });
  kt.onCleanup(() => producer.disconnect());
});
afterAll(() => kt.cleanup());

const SCHEMA = 'events.user-activity' as const;

const activity = (n: number, kind = 'comment'): UserActivity => ({
  eventId: `e-${n}`, occurredAt: 1_700_000_000_000 + n, userId: 'u-1', actorId: `a-${n}`, actorName: `Actor ${n}`,
  kind, objectId: `o-${n}`, objectTitle: null, url: null,
});

const send = (topic: string, values: UserActivity[]) =>
  producer.send(topic, values.map((value) => ({ key: value.userId, value })), { schema: SCHEMA });

interface Fixture {
  topic: string;
  deadLetterTopic: string;
  groupId: string;
}

async function fixture(name: string): Promise<Fixture> {
  return { topic: await kt.createTopic(name), deadLetterTopic: await kt.createTopic(`${name}-dlq`), groupId: kt.groupId(name) };
}

function consumerFor(f: Fixture, handler: BatchHandler<UserActivity>, metrics: BatchMetrics[] = []) {
  const consumer = createBatchConsumer<UserActivity>({
    kafka: kt.kafka, codec, producer, groupId: f.groupId, topics: [{ topic: f.topic, schema: SCHEMA }], handler,
    logger: silentLogger, fromBeginning: true, deadLetterTopic: f.deadLetterTopic,
    retry: { initialDelayMs: 50, maxDelayMs: 200 }, onBatch: (m) => void metrics.push(m),
  });
  kt.onCleanup(() => consumer.stop());
  return consumer;
}

async function deadLetters(topic: string): Promise<DeadLetter[]> {
  const raw = await kt.readAll(topic);
  return Promise.all(raw.map(async (r) => (await codec.decode('deliveries.dead-letter', r.value as Buffer)) as DeadLetter));
}

const committed = async (f: Fixture) => (await kt.committedOffsets(f.groupId, f.topic)).get(0);
const eventIds = (records: DecodedRecord<UserActivity>[]) => records.map((r) => r.value?.eventId);

describe('batch consumer policy on the real broker', () => {
  it('dead-letters an undecodable record with its bytes and goes on with the records around it', async () => {
    const f = await fixture('poison');
    const poison = randomBytes(48);
    await send(f.topic, [activity(0)]);
    await kt.produceRaw(f.topic, [{ key: 'u-1', value: poison }]);
    await send(f.topic, [activity(2)]);

    const handled: DecodedRecord<UserActivity>[] = [];
    const metrics: BatchMetrics[] = [];
    await consumerFor(f, async (records) => void handled.push(...records), metrics).start();

    await waitFor(async () => (await committed(f)) === 3n, { timeoutMs: 20_000, description: 'offsets committed past the poison' });
    expect(eventIds(handled)).toEqual(['e-0', 'e-2']);
    const [letter, ...others] = await deadLetters(f.deadLetterTopic);
    expect(others).toEqual([]);
    expect(letter).toMatchObject({ originalTopic: f.topic, partition: 0, offset: '1', consumerGroup: f.groupId, attempts: 1 });
    expect(['DECODE_FAILED', 'UNKNOWN_SCHEMA']).toContain(letter?.reasonCode);
    expect(letter?.reason).not.toBe('');
    expect(Buffer.from(letter?.value ?? [])).toEqual(poison);
    expect(Buffer.from(letter?.key ?? []).toString()).toBe('u-1');
    expect(metrics.reduce((sum, m) => sum + m.deadLettered, 0)).toBe(1);
  });

  it('gives the same batch again after a retriable error, committing nothing before it succeeds', async () => {
    const f = await fixture('retry');
    await send(f.topic, [activity(0), activity(1), activity(2)]);

    const calls: { attempt: number; ids: (string | undefined)[]; committedBefore: bigint | undefined }[] = [];
    await consumerFor(f, async (records, ctx) => {
      calls.push({ attempt: ctx.attempt, ids: eventIds(records), committedBefore: await committed(f) });
      if (calls.length === 1) throw new VestnikError('DEPENDENCY_UNAVAILABLE', 'redis down', { retriable: true });
    }).start();

    await waitFor(async () => (await committed(f)) === 3n, { timeoutMs: 20_000, description: 'batch committed after the retry' });
    expect(calls).toHaveLength(2);
    const [first, second] = calls;
    expect(first).toEqual({ attempt: 1, ids: ['e-0', 'e-1', 'e-2'], committedBefore: undefined });
    expect(second).toEqual({ attempt: 2, ids: ['e-0', 'e-1', 'e-2'], committedBefore: undefined });
    expect(await deadLetters(f.deadLetterTopic)).toEqual([]);
  });

  it('dead-letters a record the handler flags as permanent and processes the others', async () => {
    const f = await fixture('flagged');
    await send(f.topic, [activity(0), activity(1, 'poison'), activity(2)]);

    const processed: string[] = [];
    await consumerFor(f, async (records, ctx) => {
      for (const record of records) {
        if (record.value?.kind === 'poison') ctx.deadLetter(record, new VestnikError('PROVIDER_REJECTED', 'recipient unknown'));
        else processed.push(record.value?.eventId ?? '');
      }
    }).start();

    await waitFor(async () => (await committed(f)) === 3n, { timeoutMs: 20_000, description: 'batch committed' });
    expect(processed).toEqual(['e-0', 'e-2']);
    const letters = await deadLetters(f.deadLetterTopic);
    expect(letters).toEqual([expect.objectContaining({ offset: '1', reasonCode: 'PROVIDER_REJECTED', reason: 'VestnikError: recipient unknown' })]);
    const original = await kt.readAll(f.topic);
    expect(Buffer.from(letters[0]?.value ?? [])).toEqual(original[1]?.value);
  });

  it('dead-letters the whole batch on a permanent error and moves on instead of looping', async () => {
    const f = await fixture('permanent');
    await send(f.topic, [activity(0), activity(1)]);
    let calls = 0;
    await consumerFor(f, async () => {
      calls += 1;
      throw new VestnikError('TEMPLATE_FAILED', 'template missing');
    }).start();

    await waitFor(async () => (await committed(f)) === 2n, { timeoutMs: 20_000, description: 'offsets moved past the batch' });
    const letters = await deadLetters(f.deadLetterTopic);
    expect(letters.map((l) => [l.offset, l.reasonCode])).toEqual([['0', 'TEMPLATE_FAILED'], ['1', 'TEMPLATE_FAILED']]);
    expect(calls).toBe(1);
  });

  it('stop() waits for the batch in flight and commits it: a restarted member does not see it again', async () => {
    const f = await fixture('restart');
    await send(f.topic, [activity(0), activity(1), activity(2)]);

    let markStarted: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (markStarted = resolve));
    let finished = false;
    const first = consumerFor(f, async () => {
      markStarted();
      await new Promise((resolve) => setTimeout(resolve, 500)); // work in flight while stop() is called
      finished = true;
    });
    await first.start();
    await started;
    await first.stop();
    expect(finished).toBe(true);
    expect(await committed(f)).toBe(3n);

    await send(f.topic, [activity(3), activity(4)]);
    const seenAfterRestart: DecodedRecord<UserActivity>[] = [];
    await consumerFor(f, async (records) => void seenAfterRestart.push(...records)).start();
    await waitFor(() => seenAfterRestart.length >= 2, { timeoutMs: 20_000, description: 'new records consumed' });
    expect(eventIds(seenAfterRestart)).toEqual(['e-3', 'e-4']);
  });

  it('starts a new group where each topic says: a topic read from its beginning gives its old records, the other only new ones', async () => {
    // The bulk senders read deliveries.bulk-pages from its beginning: pages an upgraded fan-out wrote before
    // the upgraded senders joined must be sent, while the group's older topics keep their pinned start.
    const [old, added] = [await kt.createTopic('start-old'), await kt.createTopic('start-added')];
    await send(old, [activity(10)]);
    await send(added, [activity(20)]);
    const seen: string[] = [];
    const consumer = createBatchConsumer<UserActivity>({
      kafka: kt.kafka, codec, producer, groupId: kt.groupId('start'), logger: silentLogger, fromBeginning: false,
      topics: [{ topic: old, schema: SCHEMA }, { topic: added, schema: SCHEMA, fromBeginning: true }],
      handler: async (records, context) => void seen.push(...records.map((r) => `${context.topic === added ? 'added' : 'old'} ${r.value?.eventId}`)),
    });
    kt.onCleanup(() => consumer.stop());
    await consumer.start();
    await send(old, [activity(11)]);
    await waitFor(() => seen.length >= 2, { timeoutMs: 20_000, description: 'the added topic\'s old record and the old topic\'s new one' });
    expect(seen.sort()).toEqual(['added e-20', 'old e-11']);
  });
});
