/**
 * A sender lane on topics of its own, for the sender tests: the sender consumer reading a fresh command
 * topic (retries and deferrals go back to it), its statuses collected from a fresh status topic, both
 * stopped by the test context's cleanup.
 */
import type { Redis } from '../../platform/redis/client';
import { randomUUID } from 'node:crypto';
import type { Codec } from '../../platform/codec/codec';
import { createBatchConsumer, type TypedProducer } from '../../platform/kafka';
import { silentLogger } from '../../platform/logger';
import type { DelayQueue } from '../../platform/redis/delay-queue';
import type { DeliveryStatus } from '../../schemas/types';
import { createSenderConsumer, type SenderConsumerOptions } from '../../senders/core/consumer';
import type { KafkaTestContext } from './kafka';

/** Fast backoff; SMS fails an ambiguous call (its default), the other channels send it again. */
export const TEST_RETRY_POLICY: SenderConsumerOptions['retryPolicy'] = {
  maxAttempts: 30, baseMs: 20, maxMs: 200, random: Math.random,
  ambiguous: { actions: { sms: 'fail', push: 'resend', email: 'resend', inapp: 'resend', webhook: 'resend' }, resendDelayFactor: 5 },
};

export interface SenderLaneDeps {
  codec: Codec;
  producer: TypedProducer;
  redis: Redis;
  delayQueue: DelayQueue;
  deliverers: SenderConsumerOptions['deliverers'];
}

/** Starts the lane named `name`; `options` adds to or overrides the sender's (hooks, chunk size). */
export async function startSenderLane(
  kt: KafkaTestContext, name: string, deps: SenderLaneDeps, options: Partial<SenderConsumerOptions> = {},
): Promise<{ commandTopic: string; groupId: string; statuses: DeliveryStatus[] }> {
  const commandTopic = await kt.createTopic(`${name}-commands`);
  const statusTopic = await kt.createTopic(`${name}-status`);
  const deadLetterTopic = await kt.createTopic(`${name}-dlq`);
  const groupId = kt.groupId(name);
  const statuses: DeliveryStatus[] = [];
  const sender = createSenderConsumer({
    kafka: kt.kafka, ...deps, groupId,
    topics: [{ topic: commandTopic, schema: 'deliveries.command' }],
    outputs: { status: statusTopic, retry: commandTopic, express: commandTopic, bulk: commandTopic },
    retryPolicy: TEST_RETRY_POLICY,
    leaseMs: 10_000, clock: { now: () => Date.now() }, logger: silentLogger, ownerId: `test-${randomUUID()}`,
    fromBeginning: true, deadLetterTopic,
    ...options,
  });
  const collector = createBatchConsumer<DeliveryStatus>({
    kafka: kt.kafka, codec: deps.codec, producer: deps.producer, groupId: kt.groupId(`${name}-status`),
    topics: [{ topic: statusTopic, schema: 'deliveries.status' }], logger: silentLogger, fromBeginning: true, deadLetterTopic,
    handler: async (records) => void statuses.push(...records.flatMap((r) => (r.value ? [r.value] : []))),
  });
  kt.onCleanup(() => collector.stop());
  kt.onCleanup(() => sender.stop());
  await Promise.all([sender.start(), collector.start()]);
  return { commandTopic, groupId, statuses };
}
