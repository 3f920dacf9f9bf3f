import { createCodec } from '../../platform/codec';
import type { Codec } from '../../platform/codec/codec';
import { silentLogger } from '../../platform/logger';
import { createBatchConsumer, createTypedProducer, type DecodedRecord, type TypedProducer } from '../../platform/kafka';
import type { UserActivity } from '../../schemas/types';
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

const activity = (n: number): UserActivity => ({
  eventId: `e-${n}`, occurredAt: 1_700_000_000_000 + n, userId: `u-${n % 3}`, actorId: `a-${n}`, actorName: `Actor ${n}`,
  kind: 'comment', objectId: `o-${n}`, objectTitle: n % 2 === 0 ? `Post ${n}` : null, url: null,
});

function startCollector(topics: string[], groupId: string) {
  const seen: DecodedRecord<UserActivity>[] = [];
  const consumer = createBatchConsumer<UserActivity>({
    kafka: kt.kafka, codec, producer, groupId, logger: silentLogger, fromBeginning: true,
    topics: topics.map((topic) => ({ topic, schema: 'events.user-activity' as const })),
    deadLetterTopic: 'unused-dead-letter-topic',
    handler: async (records) => void seen.push(...records),
  });
  kt.onCleanup(() => consumer.stop());
  return { seen, consumer };
}

describe('typed produce → consume round trip through the real codec', () => {
  it('delivers every record decoded, at the partition and offset send() reported', async () => {
    const topic = await kt.createTopic('round-trip', { partitions: 3 });
    const values = [0, 1, 2, 3, 4, 5].map(activity);
    const produced = await producer.send(topic, values.map((value) => ({ key: value.userId, value, headers: { trace: value.eventId } })),
      { schema: 'events.user-activity' });

    const { seen, consumer } = startCollector([topic], kt.groupId('round-trip'));
    await consumer.start();
    await waitFor(() => seen.length >= values.length, { timeoutMs: 20_000, description: 'all records consumed' });

    expect(seen).toHaveLength(values.length);
    for (const [i, value] of values.entries()) {
      const record = seen.find((r) => r.value?.eventId === value.eventId);
      expect(record).toMatchObject({ topic, key: value.userId, value, headers: { trace: value.eventId } });
      expect({ partition: record?.partition, offset: record?.offset }).toEqual({ partition: produced[i]?.partition, offset: produced[i]?.offset });
    }
    // One key, one partition: the per-key ordering every stage relies on.
    const partitionsOfUser0 = new Set(seen.filter((r) => r.key === 'u-0').map((r) => r.partition));
    expect(partitionsOfUser0.size).toBe(1);

    await waitFor(async () => (await consumer.lag()).every((p) => p.lag === 0), { description: 'lag back to zero' });
    const lag = await consumer.lag();
    expect(lag.map((p) => p.partition)).toEqual([0, 1, 2]);
    expect(lag.reduce((sum, p) => sum + Number(p.end), 0)).toBe(values.length);
  });

  it('carries tombstones as null values, and sendBatch writes several topics in one call', async () => {
    const first = await kt.createTopic('batch-a');
    const second = await kt.createTopic('batch-b');
    const produced = await producer.sendBatch([
      { topic: first, schema: 'events.user-activity', records: [{ key: 'u-1', value: activity(1) }, { key: 'u-1', value: null }] },
      { topic: second, schema: 'events.user-activity', records: [{ key: 'u-2', value: activity(2) }] },
    ]);
    expect(produced).toEqual([
      { topic: first, partition: 0, offset: '0' },
      { topic: first, partition: 0, offset: '1' },
      { topic: second, partition: 0, offset: '0' },
    ]);

    const { seen, consumer } = startCollector([first, second], kt.groupId('batch'));
    await consumer.start();
    await waitFor(() => seen.length >= 3, { description: 'three records consumed' });
    const byPlace = Object.fromEntries(seen.map((r) => [`${r.topic}@${r.offset}`, r.value]));
    expect(byPlace).toEqual({ [`${first}@0`]: activity(1), [`${first}@1`]: null, [`${second}@0`]: activity(2) });

    const raw = await kt.readAll(first);
    expect(raw[1]).toMatchObject({ key: 'u-1', value: null });
  });

  it('refuses to produce a value that does not match the schema, writing nothing', async () => {
    const topic = await kt.createTopic('invalid');
    const bad = { ...activity(1), userId: 42 } as unknown as UserActivity;
    await expect(producer.send(topic, [{ key: 'u', value: activity(0) }, { key: 'u', value: bad }], { schema: 'events.user-activity' }))
      .rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await kt.readAll(topic)).toEqual([]);
  });
});
