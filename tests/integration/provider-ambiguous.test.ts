import { randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { Registry } from 'prom-client';
import { createPipelineMetrics } from '../../cli/metrics/pipeline-metrics';
import { createCodec } from '../../platform/codec';
import type { Codec } from '../../platform/codec/codec';
import { deliveryIdOf } from '../../platform/ids';
import { silentLogger } from '../../platform/logger';
import { createTypedProducer, type TypedProducer } from '../../platform/kafka';
import { createRedis, type Redis } from '../../platform/redis/client';
import { createDelayQueue, type DelayQueue } from '../../platform/redis/delay-queue';
import type { DeliveryCommand, DeliveryStatus } from '../../schemas/types';
import { createSmsChannel, type SmsChannel } from '../../senders/sms/channel';
import { smsMessageId } from '../../senders/sms/message';
import { createSmsApiToken, createSmsSimulator, type SmsSimulator } from '../../simulators/sms';
import { createKafkaTestContext } from '../support/kafka';
import { startSenderLane } from '../support/sender-lane';
import { deleteKeysWithPrefix, TEST_REDIS_URL } from '../support/redis';
import { uniqueName } from '../support/unique';
import { waitFor } from '../support/wait-for';

/**
 * Issue 14 on the real stack (Kafka, Redis, the SMS simulator over loopback HTTP): an SMS provider that
 * takes the request and never answers must not get it twice under AMBIGUOUS_POLICY_SMS=fail (its
 * contract promises no de-duplication by msgId); one that refuses the connection never saw the request,
 * so that one is retried and sent once.
 */
jest.setTimeout(60_000);

const JWT_SECRET = 'provider-ambiguous-secret-0123456789';
const kt = createKafkaTestContext();
const prefix = `vestnik-test-${uniqueName('provider-ambiguous')}:`;
const registry = new Registry();
const metrics = createPipelineMetrics(registry);
let codec: Codec;
let producer: TypedProducer;
let rawProducer: Producer;
let redis: Redis;
let delayQueue: DelayQueue;
let simulator: SmsSimulator;
let sms: SmsChannel;
let commandTopic: string;
let statuses: DeliveryStatus[] = [];

beforeAll(async () => {
  codec = createCodec();
  producer = createTypedProducer({ kafka: kt.kafka, codec, logger: silentLogger });
  kt.onCleanup(() => producer.disconnect());
  rawProducer = kt.kafka.producer({ allowAutoTopicCreation: false });
  await rawProducer.connect();
  kt.onCleanup(() => rawProducer.disconnect());
  redis = createRedis({ url: TEST_REDIS_URL, keyPrefix: prefix, logger: silentLogger, name: 'test-provider-ambiguous' });
  delayQueue = createDelayQueue({ redis });
  simulator = createSmsSimulator({ jwtSecret: JWT_SECRET, host: '127.0.0.1', port: 0 });
  await simulator.start();
  // A short provider timeout, and a breaker that stays out of the way (it is not what is tested here).
  sms = createSmsChannel({
    url: simulator.url, token: createSmsApiToken(JWT_SECRET), timeoutMs: 300, concurrency: 4, consecutiveFailures: 1000, halfOpenAfterMs: 50,
  });
  ({ commandTopic, statuses } = await startSenderLane(kt, 'provider-ambiguous', { codec, producer, redis, delayQueue, deliverers: { sms } }, {
    onAmbiguous: metrics.ambiguousResults(),
  }));
});

afterAll(async () => {
  await kt.cleanup();
  await sms?.close();
  await simulator?.stop();
  await deleteKeysWithPrefix(prefix);
  await redis?.quit();
});

const batchOf = (count: number): DeliveryCommand[] => {
  const sourceId = `n-${randomUUID()}`;
  return Array.from({ length: count }, (_, n) => {
    const clientId = `client-${n}`;
    return {
      deliveryId: deliveryIdOf('notification', sourceId, clientId, 'sms'), sourceType: 'notification', sourceId, clientId, channel: 'sms',
      priority: 'bulk', address: `7900${String(1_000_000 + n).slice(1)}`, deviceTokens: [],
      content: { text: `message ${n}`, subject: null, html: null, title: null, headers: {} }, fallback: null, promo: false,
      timezone: 'Europe/Moscow', sendWindow: null, notBefore: null, expiresAt: null, attempt: 0, createdAt: Date.now(),
    };
  });
};
const produce = (commands: DeliveryCommand[]) =>
  producer.send(commandTopic, commands.map((c) => ({ key: c.clientId, value: c })), { schema: 'deliveries.command' });
const statusesOf = (commands: DeliveryCommand[], status?: DeliveryStatus['status']) => {
  const ids = new Set(commands.map((c) => c.deliveryId));
  return statuses.filter((s) => ids.has(s.deliveryId) && (status === undefined || s.status === status));
};

/** What the scheduler role does: produce due records back to their topic, then ack them. */
async function drainDelayQueue(): Promise<number> {
  const due = await delayQueue.takeDue(Date.now(), 500);
  if (due.length === 0) return 0;
  await rawProducer.sendBatch({ acks: -1, topicMessages: [{ topic: commandTopic, messages: due.map((d) => ({ key: d.key, value: d.payload })) }] });
  await delayQueue.ack(due);
  return due.length;
}

async function ambiguousCount(action: string): Promise<number> {
  const metric = await registry.getSingleMetric('vestnik_ambiguous_outcomes_total')!.get();
  return metric.values.find((v) => v.labels.channel === 'sms' && v.labels.action === action)?.value ?? 0;
}

describe('an SMS provider that takes the request and never answers, under AMBIGUOUS_POLICY_SMS=fail', () => {
  it('fails each message with reason `ambiguous: …`, counts it, and never sends a msgId twice', async () => {
    await simulator.setFaults({ timeoutRate: 1, hangMs: 30_000 });
    const commands = batchOf(3);
    await produce(commands);
    await waitFor(() => statusesOf(commands, 'failed').length === 3, { timeoutMs: 20_000, description: '3 failed statuses' });
    for (const status of statusesOf(commands, 'failed')) {
      expect(status).toMatchObject({ attempt: 1, reason: expect.stringMatching(/^ambiguous: PROVIDER_UNAVAILABLE: no answer within 300 ms after the request was sent/) });
    }
    // Nothing was put aside for a resend, and nothing else was written for them.
    expect(await drainDelayQueue()).toBe(0);
    expect(statusesOf(commands).map((s) => s.status)).toEqual(['failed', 'failed', 'failed']);
    expect(await ambiguousCount('fail')).toBe(3);
    for (const command of commands) expect(simulator.message(smsMessageId(command.deliveryId))?.requests).toBe(1);
    expect(simulator.stats()).toMatchObject({ duplicateAccepts: 0 });
  });
});

describe('an SMS provider that refuses the connection', () => {
  it('is retried (the request never left) and sent once when it is back; nothing counted ambiguous', async () => {
    await simulator.reset();
    const before = await ambiguousCount('fail');
    await simulator.setFaults({ outage: { mode: 'refuse', forMs: 1_500 } });
    const commands = batchOf(2);
    await produce(commands);
    await waitFor(async () => {
      await drainDelayQueue();
      return statusesOf(commands, 'sent').length === 2;
    }, { timeoutMs: 30_000, description: '2 sent statuses after the outage' });
    expect(statusesOf(commands, 'retrying').length).toBeGreaterThanOrEqual(2);
    for (const status of statusesOf(commands, 'retrying')) expect(status.reason).toMatch(/^PROVIDER_UNAVAILABLE: ECONNREFUSED/);
    for (const command of commands) expect(simulator.message(smsMessageId(command.deliveryId))).toMatchObject({ requests: 1, accepted: 1 });
    expect(simulator.stats()).toMatchObject({ duplicateAccepts: 0 });
    expect(await ambiguousCount('fail')).toBe(before);
    expect(await ambiguousCount('resend')).toBe(0);
  });
});
