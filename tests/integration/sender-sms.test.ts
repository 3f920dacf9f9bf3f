import { randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { createCodec } from '../../platform/codec';
import type { Codec } from '../../platform/codec/codec';
import { VestnikError } from '../../platform/errors';
import { deliveryIdOf } from '../../platform/ids';
import { silentLogger } from '../../platform/logger';
import { createTypedProducer, type TypedProducer } from '../../platform/kafka';
import type { Redis } from '../../platform/redis/client';
import { createDelayQueue, type DelayQueue } from '../../platform/redis/delay-queue';
import { KEYS } from '../../platform/redis/keys';
import type { DeliveryCommand, DeliveryStatus, Mailing } from '../../schemas/types';
import { createSmsChannel, type SmsChannel } from '../../senders/sms/channel';
import { smsMessageId } from '../../senders/sms/message';
import { createSmsApiToken, createSmsSimulator, type SmsSimulator } from '../../simulators/sms';
import { createKafkaTestContext } from '../support/kafka';
import { startSenderLane } from '../support/sender-lane';
import { startRedisBackend, type RedisBackend, type RedisBackendName } from '../support/redis-backend';
import { uniqueName } from '../support/unique';
import { waitFor } from '../support/wait-for';

jest.setTimeout(90_000);

/**
 * The SMS sender end to end on Kafka, the SMS simulator and Redis: on the run's Redis, and on a Redis
 * Cluster (issue 16), where the claims, the frequency caps and the delay queue keep their keys' slots apart
 * (senders/core/consumer.ts, record()).
 */
for (const backend of ['one Redis', 'a Redis Cluster'] as const) describeSmsSender(backend);


const JWT_SECRET = 'sender-sms-test-secret-0123456789';

function describeSmsSender(backendName: RedisBackendName): void {
  describe(`on ${backendName}`, () => {
    const kt = createKafkaTestContext();
    const prefix = `vestnik-test-${uniqueName('sender-sms')}:`;
    let backend: RedisBackend;
    let codec: Codec;
    let producer: TypedProducer;
    let rawProducer: Producer;
    let redis: Redis;
    let delayQueue: DelayQueue;
    let simulator: SmsSimulator;
    let sms: SmsChannel;
    let commandTopic: string;
    let groupId: string;
    let statuses: DeliveryStatus[] = [];
    let requeued = 0;
    /** Status produces still to fail before the producer works again (a leader change, seen by the sender). */
    let statusProducesToFail = 0;
    let recordRetries = 0;

    beforeAll(async () => {
      codec = createCodec();
      producer = createTypedProducer({ kafka: kt.kafka, codec, logger: silentLogger });
      kt.onCleanup(() => producer.disconnect());
      rawProducer = kt.kafka.producer({ allowAutoTopicCreation: false });
      await rawProducer.connect();
      kt.onCleanup(() => rawProducer.disconnect());
      backend = await startRedisBackend(backendName);
      redis = backend.connect('test-sender-sms', prefix);
      delayQueue = createDelayQueue({ redis });
      simulator = createSmsSimulator({ jwtSecret: JWT_SECRET, host: '127.0.0.1', port: 0 });
      await simulator.start();
      sms = createSmsChannel({ url: simulator.url, token: createSmsApiToken(JWT_SECRET), timeoutMs: 2_000, concurrency: 8, halfOpenAfterMs: 100 });
      // The real producer, except that a status produce fails while the test asks, as it did on the cluster world
      // when a killed broker's partitions moved (the producer replaced itself and threw, retriably).
      const laneProducer: TypedProducer = { ...producer, sendBatch: async (batches) => {
        if (statusProducesToFail > 0 && batches.some((b) => b.schema === 'deliveries.status')) {
          statusProducesToFail -= 1;
          throw new VestnikError('DEPENDENCY_UNAVAILABLE', 'kafka produce failed', { retriable: true });
        }
        return producer.sendBatch(batches);
      } };
      ({ commandTopic, groupId, statuses } = await startSenderLane(kt, backendName === 'one Redis' ? 'sender-sms' : 'sender-sms-cluster', { codec, producer: laneProducer, redis, delayQueue, deliverers: { sms } }, {
        settleChunkSize: 6, // every batch of 20 settles in several chunks
        recordRetry: { maxMs: 20_000, firstWaitMs: 50, maxWaitMs: 500 },
        onRecordRetry: () => void (recordRetries += 1),
      }));
    });

    afterAll(async () => {
      await kt.cleanup();
      await sms?.close();
      await simulator?.stop();
      await backend?.clear(prefix);
      await redis?.quit();
      await backend?.stop();
    });

    const command = (sourceId: string, n: number, overrides: Partial<DeliveryCommand> = {}): DeliveryCommand => {
      const sourceType = overrides.sourceType ?? 'notification';
      const clientId = `client-${n}`;
      return {
        deliveryId: deliveryIdOf(sourceType, sourceId, clientId, 'sms'), sourceType, sourceId, clientId, channel: 'sms',
        priority: 'bulk', address: `7900${String(1_000_000 + n).slice(1)}`, deviceTokens: [],
        content: { text: `message ${n}`, subject: null, html: null, title: null, headers: {} }, fallback: null, promo: false,
        timezone: 'Europe/Moscow', sendWindow: null, notBefore: null, expiresAt: null, attempt: 0, createdAt: Date.now(),
        ...overrides,
      };
    };

    const batchOf = (sourceId: string, count: number) => Array.from({ length: count }, (_, n) => command(sourceId, n));
    const produce = (commands: DeliveryCommand[]) =>
      producer.send(commandTopic, commands.map((c) => ({ key: c.clientId, value: c })), { schema: 'deliveries.command' });
    const statusesOf = (ids: Set<string>, status?: DeliveryStatus['status']) =>
      statuses.filter((s) => ids.has(s.deliveryId) && (status === undefined || s.status === status));
    const idsOf = (commands: DeliveryCommand[]) => new Set(commands.map((c) => c.deliveryId));

    /** What the scheduler role does: produce due records back to their topic, then ack them. */
    async function drainDelayQueue(): Promise<void> {
      const due = await delayQueue.takeDue(Date.now(), 500);
      if (due.length === 0) return;
      const byTopic = new Map<string, { key: string; value: Buffer }[]>();
      for (const d of due) byTopic.set(d.topic, [...(byTopic.get(d.topic) ?? []), { key: d.key, value: d.payload }]);
      await rawProducer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
      requeued += due.length;
      await delayQueue.ack(due);
    }

    /** Waits until the sender group has committed past every record on the command topic. */
    async function senderCaughtUp(): Promise<void> {
      const admin = kt.kafka.admin();
      await admin.connect();
      try {
        const ends = await admin.fetchTopicOffsets(commandTopic);
        await waitFor(async () => {
          const committed = await kt.committedOffsets(groupId, commandTopic);
          return ends.every((e) => (committed.get(e.partition) ?? -1n) >= BigInt(e.high));
        }, { timeoutMs: 30_000, description: 'sender committed the whole command topic' });
      } finally {
        await admin.disconnect();
      }
    }

    describe(`SMS sender on Kafka, ${backendName} and the SMS simulator`, () => {
      const first = batchOf(`n-${randomUUID()}`, 20);

      it('sends 20 commands: 20 distinct messages accepted once, 20 sent statuses', async () => {
        await produce(first);
        await waitFor(() => statusesOf(idsOf(first), 'sent').length === 20, { timeoutMs: 30_000, description: '20 sent statuses' });
        const msgIds = first.map((c) => smsMessageId(c.deliveryId));
        expect(new Set(msgIds).size).toBe(20);
        for (const msgId of msgIds) expect(simulator.message(msgId)).toMatchObject({ requests: 1, accepted: 1 });
        expect(new Set(statusesOf(idsOf(first)).map((s) => s.deliveryId)).size).toBe(20);
        expect(await redis.get(KEYS.deliveryClaim(first[0]!.deliveryId))).toBe('done:sent');
      });

      it('a replay of the same 20 records sends nothing again', async () => {
        const requestsBefore = simulator.stats().requests;
        await produce(first);
        await senderCaughtUp();
        expect(simulator.stats().requests).toBe(requestsBefore);
        expect(simulator.stats().duplicateAccepts).toBe(0);
        expect(statusesOf(idsOf(first), 'sent')).toHaveLength(20);
      });

      it('with half the provider calls failing, retries go through the delay queue until each is sent exactly once', async () => {
        await simulator.setFaults({ errorRate: 0.5 });
        const flaky = batchOf(`n-${randomUUID()}`, 20);
        const requeuedBefore = requeued;
        try {
          await produce(flaky);
          await waitFor(async () => {
            await drainDelayQueue();
            return statusesOf(idsOf(flaky), 'sent').length >= 20;
          }, { timeoutMs: 60_000, intervalMs: 100, description: '20 sent after retries' });
        } finally {
          await simulator.setFaults({ errorRate: 0 });
        }
        expect(requeued).toBeGreaterThan(requeuedBefore);
        expect(statusesOf(idsOf(flaky), 'retrying').length).toBeGreaterThan(0);
        expect(new Set(statusesOf(idsOf(flaky), 'sent').map((s) => s.deliveryId)).size).toBe(20);
        for (const c of flaky) expect(simulator.message(smsMessageId(c.deliveryId))?.accepted).toBe(1);
        expect(simulator.stats().duplicateAccepts).toBe(0);
      });

      it('a status produce failing after the provider accepted is retried in place: each message accepted once, never re-sent', async () => {
        const batch = batchOf(`n-${randomUUID()}`, 12);
        const retriesBefore = recordRetries;
        statusProducesToFail = 3;
        await produce(batch);
        await waitFor(() => statusesOf(idsOf(batch), 'sent').length === 12, { timeoutMs: 30_000, description: '12 sent statuses' });
        expect(statusProducesToFail).toBe(0);
        expect(recordRetries - retriesBefore).toBe(3);
        for (const c of batch) expect(simulator.message(smsMessageId(c.deliveryId))).toMatchObject({ requests: 1, accepted: 1 });
        expect(await redis.get(KEYS.deliveryClaim(batch[0]!.deliveryId))).toBe('done:sent');
      });

      it('an expired command becomes expired and is never sent', async () => {
        const expired = command(`n-${randomUUID()}`, 1, { expiresAt: Date.now() - 1_000 });
        await produce([expired]);
        await waitFor(() => statusesOf(idsOf([expired])).length > 0, { timeoutMs: 30_000, description: 'a status for the expired command' });
        expect(statusesOf(idsOf([expired])).map((s) => s.status)).toEqual(['expired']);
        expect(simulator.message(smsMessageId(expired.deliveryId))).toBeUndefined();
      });

      it('a command of a cancelled mailing becomes expired and is never sent; a running mailing\'s is sent', async () => {
        const cancelledId = `m-${randomUUID()}`;
        const runningId = `m-${randomUUID()}`;
        // Two SETs, not an MSET: on a Redis Cluster the two keys are in different slots.
      await Promise.all([redis.set(KEYS.mailing(cancelledId), mailingDoc(cancelledId, 'cancelled')), redis.set(KEYS.mailing(runningId), mailingDoc(runningId, 'running'))]);
        const cancelled = command(cancelledId, 1, { sourceType: 'mailing' });
        const running = command(runningId, 2, { sourceType: 'mailing' });
        await produce([cancelled, running]);
        await waitFor(() => statusesOf(idsOf([cancelled, running])).length >= 2, { timeoutMs: 30_000, description: 'statuses of both mailings' });
        expect(statusesOf(idsOf([cancelled])).map((s) => [s.status, s.reason])).toEqual([['expired', 'source cancelled']]);
        expect(simulator.message(smsMessageId(cancelled.deliveryId))).toBeUndefined();
        expect(statusesOf(idsOf([running])).map((s) => s.status)).toEqual(['sent']);
      });

      it('a command whose claim another sender holds waits in the delay queue for the lease, then is sent once', async () => {
        const held = command(`n-${randomUUID()}`, 3);
        await redis.set(KEYS.deliveryClaim(held.deliveryId), 'sending:other-sender:0', 'PX', 60_000);
        const before = Date.now();
        await produce([held]);
        const [queued] = await waitFor(async () => {
          const due = await delayQueue.takeDue(Date.now() + 60_000, 500);
          const mine = due.filter((d) => d.id === `${held.deliveryId}:0`);
          return mine.length > 0 ? mine : null;
        }, { timeoutMs: 30_000, description: 'the leased command in the delay queue' });
        expect(queued!.dueAt).toBeGreaterThanOrEqual(before + 10_000);
        expect(queued!.topic).toBe(commandTopic);
        expect(simulator.message(smsMessageId(held.deliveryId))).toBeUndefined();
        expect(statusesOf(idsOf([held]))).toEqual([]);
        // The other sender's lease runs out: the scheduler produces the record when due, and it is sent.
        await redis.del(KEYS.deliveryClaim(held.deliveryId));
        await rawProducer.send({ topic: queued!.topic, acks: -1, messages: [{ key: queued!.key, value: queued!.payload }] });
        await delayQueue.ack([queued!]);
        await waitFor(() => statusesOf(idsOf([held]), 'sent').length === 1, { timeoutMs: 30_000, description: 'the held command sent' });
        expect(simulator.message(smsMessageId(held.deliveryId))).toMatchObject({ requests: 1, accepted: 1 });
      });
    });

    function mailingDoc(id: string, status: Mailing['status']): string {
      const mailing: Mailing = {
        id, text: 'hi', templateId: null, startAt: 0, endAt: Date.now() + 3_600_000, filter: { operatorCodes: [], tags: [] },
        channel: 'sms', sendWindow: null, promo: false, priority: 'bulk', status, createdAt: 0, updatedAt: 0,
      };
      return JSON.stringify(mailing);
    }
  });
}
