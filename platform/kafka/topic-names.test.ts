import { Kafka, type Producer, type ProducerBatch, type RecordMetadata } from 'kafkajs';
import { silentLogger } from '../logger';
import { TOPIC_SPECS, TOPICS } from '../topics';
import { createFakePayload, createJsonCodec, createRecordingProducer, json, message } from '../../tests/support/kafka-fakes';
import type { DeadLetter } from '../../schemas/types';
import { createBatchProcessor } from './batch-processor';
import { createKafka } from './client';
import { createPartitionBackoff } from './partition-backoff';
import { createRawProducer } from './raw-producer';
import { javaCompatiblePartitioner } from './partitioner';
import { createTopicNames, MAX_TOPIC_NAME_LENGTH, topicNamesOf, UNPREFIXED_TOPICS } from './topic-names';
import type { DecodedRecord } from './types';

describe('topic names', () => {
  it('without a prefix, every name is itself both ways (existing deployments keep their topics)', () => {
    const names = createTopicNames('');
    expect(names).toBe(UNPREFIXED_TOPICS);
    for (const topic of Object.values(TOPICS)) {
      expect(names.physical(topic)).toBe(topic);
      expect(names.logical(topic)).toBe(topic);
    }
  });

  it('with a prefix, a topic is <prefix>.<name> on the broker and its logical name comes back', () => {
    const names = createTopicNames('acme.prod');
    expect(names.physical(TOPICS.clients)).toBe('acme.prod.state.clients');
    expect(names.logical('acme.prod.state.clients')).toBe(TOPICS.clients);
    for (const topic of Object.values(TOPICS)) expect(names.logical(names.physical(topic))).toBe(topic);
  });

  it('gives every topic of TOPIC_SPECS a distinct physical name per prefix, and none shared by two prefixes', () => {
    const a = TOPIC_SPECS.map((spec) => createTopicNames('a').physical(spec.name));
    const b = TOPIC_SPECS.map((spec) => createTopicNames('b').physical(spec.name));
    expect(new Set(a).size).toBe(TOPIC_SPECS.length);
    expect(a.filter((name) => b.includes(name) || (Object.values(TOPICS) as string[]).includes(name))).toEqual([]);
  });

  it('leaves a name outside its prefix as it is, and does not strip a prefix that is only a start of a word', () => {
    const names = createTopicNames('acme');
    expect(names.logical('state.clients')).toBe('state.clients');
    expect(names.logical('acmeX.state.clients')).toBe('acmeX.state.clients');
    expect(names.logical('other.state.clients')).toBe('other.state.clients');
  });

  it.each(['.acme', 'acme.', 'a..b', 'ac me', 'acme/x', 'ä'])('refuses the prefix %j', (prefix) => {
    expect(() => createTopicNames(prefix)).toThrow(RangeError);
  });

  it('refuses a physical name longer than Kafka allows', () => {
    const names = createTopicNames('p'.repeat(MAX_TOPIC_NAME_LENGTH - 'state.clients'.length));
    expect(() => names.physical(TOPICS.clients)).toThrow(/longer than/);
    expect(() => names.physical('state.client')).not.toThrow();
  });

  it('travels with a client made by createKafka; a plain kafkajs client has none', () => {
    const kafka = createKafka({ brokers: ['127.0.0.1:1'], clientId: 't', logger: silentLogger, topicPrefix: 'acme' });
    expect(topicNamesOf(kafka).physical(TOPICS.deliveriesBulk)).toBe('acme.deliveries.bulk');
    expect(topicNamesOf(createKafka({ brokers: ['127.0.0.1:1'], clientId: 't', logger: silentLogger }))).toBe(UNPREFIXED_TOPICS);
    expect(topicNamesOf(new Kafka({ brokers: ['127.0.0.1:1'] }))).toBe(UNPREFIXED_TOPICS);
  });
});

describe('the Kafka layer maps names at its edge', () => {
  it('a consumed batch of a prefixed topic reaches the handler, metrics and dead letters by its logical name', async () => {
    const names = createTopicNames('acme');
    const producer = createRecordingProducer();
    const seen: DecodedRecord<unknown>[] = [];
    const topics: string[] = [];
    const retry = { initialDelayMs: 1, maxDelayMs: 1, maxAttempts: Infinity };
    const process = createBatchProcessor<unknown>({
      codec: createJsonCodec(), producer, groupId: 'g', deadLetterTopic: TOPICS.deliveriesDeadLetter,
      schemaOf: (topic) => {
        topics.push(topic);
        return 'events.user-activity';
      },
      logicalTopic: names.logical,
      handler: async (records, ctx) => {
        seen.push(...records);
        topics.push(ctx.topic);
        ctx.deadLetter(records[0]!, new Error('poison'));
      },
      backoff: createPartitionBackoff(retry), retry, heartbeatIntervalMs: 1_000, logger: silentLogger,
      onBatch: (metrics) => void topics.push(metrics.topic),
    });
    await process(createFakePayload('acme.events.user-activity', 0, [message(1, json({ n: 1 })), message(2, Buffer.from('{bad'))]).payload);
    expect(seen.map((r) => r.topic)).toEqual(['events.user-activity']);
    expect(topics).toEqual(['events.user-activity', 'events.user-activity', 'events.user-activity']);
    const letters = producer.sent.flatMap((s) => s.records.map((r) => r.value as DeadLetter));
    expect(letters.map((l) => l.originalTopic)).toEqual(['events.user-activity', 'events.user-activity']);
  });

  it('the raw producer (delay queue) sends to the physical topic and reports the logical one', async () => {
    const sent: ProducerBatch[] = [];
    const fakeProducer = {
      connect: async () => undefined,
      sendBatch: async (batch: ProducerBatch): Promise<RecordMetadata[]> => {
        sent.push(batch);
        return (batch.topicMessages ?? []).map((t) => ({ topicName: t.topic, partition: 0, errorCode: 0 }));
      },
    } as unknown as Producer;
    const kafka = Object.assign(new Kafka({ brokers: ['127.0.0.1:1'] }), { topicNames: createTopicNames('acme') });
    kafka.producer = () => fakeProducer;
    const metadata = await createRawProducer(kafka, { createPartitioner: javaCompatiblePartitioner() }).sendBatch({ topicMessages: [{ topic: TOPICS.deliveriesRetry, messages: [{ value: 'x' }] }] });
    expect(sent[0]?.topicMessages?.map((t) => t.topic)).toEqual(['acme.deliveries.retry']);
    expect(metadata.map((m) => m.topicName)).toEqual([TOPICS.deliveriesRetry]);
  });
});
