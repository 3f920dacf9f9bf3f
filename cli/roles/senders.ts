import { createDelayQueue } from '../../platform/redis/delay-queue';
import { TOPICS } from '../../platform/topics';
import { createSenderConsumer } from '../../senders/core/consumer';
import { frequencyCapsOf, type FrequencyCapRule } from '../../domain/deliveries/frequency-caps';
import type { AmbiguousPolicy } from '../../senders/core/outcome';
import { createClientStore } from '../../domain/resources/stores';
import { failoverChannel } from '../../senders/policy/failover-channel';
import type { ChannelDeliverer } from '../../senders/policy/channel';
import type { Channel, DeliveryCommand } from '../../schemas/types';
import { takeSlotNow, type ProviderRoutes } from '../../senders/core/provider-rates';
import type { Runtime, Stoppable } from '../runtime';
import { channelProviders } from './channel-providers';
import { senderLanesFor } from './lane-selection';

/** A claim outlives the slowest batch of provider calls; a crashed sender's claims free up after it. */
const LEASE_MS = 30_000;

/**
 * senders: two lanes with nothing shared but the process — express (deliveries.express) and bulk
 * (deliveries.bulk-pages + deliveries.bulk + deliveries.retry) each have their own consumer group, Kafka
 * connections, Redis connection and provider connection pool, so a million-message mailing never delays an
 * express message.
 */
export async function startSenders(runtime: Runtime): Promise<Stoppable[]> {
  // LANES picks the lanes of this process: production runs the express lane as processes of its own, so a
  // mailing's CPU (and GC) in the bulk senders can never delay an express message (lane-selection.ts).
  const lanes = senderLanesFor(runtime.config.lanes, {
    express: [TOPICS.deliveriesExpress],
    bulk: [TOPICS.deliveriesBulkPages, TOPICS.deliveriesBulk, TOPICS.deliveriesRetry],
  });
  const frequencyCaps = frequencyCapsOf(runtime.config.frequencyCaps);
  const started: Stoppable[] = [];
  for (const { lane, topics } of lanes) started.push(...(await startLane(runtime, lane, topics, frequencyCaps)));
  return started;
}

/** In-app never reports an ambiguous call (a Redis write either happened or not in one script), so its entry is moot. */
function ambiguousPolicyOf(config: Runtime['config']['ambiguous']): AmbiguousPolicy {
  // A webhook's receiver gets the delivery id to de-duplicate by, so a re-send is safe there.
  return { actions: { sms: config.sms, push: config.push, email: config.email, inapp: 'resend', webhook: 'resend' }, resendDelayFactor: config.resendDelayFactor };
}

async function startLane(runtime: Runtime, lane: string, topics: string[], frequencyCaps: FrequencyCapRule[]): Promise<Stoppable[]> {
  const { config, logger } = runtime;
  const redis = runtime.redis(`senders-${lane}`);
  const metrics = runtime.metrics;
  const producer = await runtime.producer(lane);
  const clients = createClientStore({ producer, redis, viewTimeoutMs: 2_000 });
  const providers = channelProviders(runtime, lane, { redis, clients });
  // One deliverer per channel: its provider, or its providers in failover order (where one fails over to the
  // next, that one's rate must have a slot then).
  const rates = config.providerRates;
  const slotNow = (channel: Channel) => (provider: string, command: DeliveryCommand, laneOf: 'express' | 'bulk') => takeSlotNow(redis, rates, channel, provider, command, laneOf);
  const oneOf = (channel: Channel): ChannelDeliverer => (providers[channel].length > 1
    ? failoverChannel(channel, providers[channel], { slotNow: slotNow(channel) })
    : providers[channel][0]!);
  // The rate step routes around a provider whose circuit is open while another one can take the message.
  const providerRoutes: ProviderRoutes = Object.fromEntries(Object.entries(providers).map(([channel, list]) => [channel,
    list.map((provider) => ({ name: provider.provider, unavailable: () => provider.breaker.state() === 'open' || provider.breaker.state() === 'isolated' }))]));
  const deliverers: Record<Channel, ChannelDeliverer> = { sms: oneOf('sms'), email: oneOf('email'), push: oneOf('push'), inapp: oneOf('inapp'), webhook: oneOf('webhook') };
  const consumer = createSenderConsumer({
    kafka: runtime.kafka(lane),
    codec: runtime.codec(),
    producer,
    redis,
    delayQueue: createDelayQueue({ redis }),
    deliverers,
    groupId: runtime.groupId(`senders-${lane}`),
    // The pages topic came after the group (issue 15): an upgraded group reads it from its beginning, so the
    // pages an upgraded fan-out wrote before these senders joined are sent, not skipped.
    topics: topics.map((topic) => ({ topic, fromBeginning: topic === TOPICS.deliveriesBulkPages ? true : undefined })),
    retryPolicy: { ...config.retry, random: Math.random, ambiguous: ambiguousPolicyOf(config.ambiguous) },
    frequencyCaps,
    messageTtl: config.messageTtl,
    providerRates: rates,
    providerRoutes,
    leaseMs: LEASE_MS,
    clock: { now: () => Date.now() },
    logger: logger.child({ lane }),
    ownerId: `${lane}-${process.pid}`,
    partitionsConsumedConcurrently: 3,
    onResult: metrics?.senderResults(lane),
    onAmbiguous: metrics?.ambiguousResults(),
    onOverRate: metrics?.overRateDeferrals(lane),
    onRecordRetry: metrics?.recordRetries(lane),
  });
  for (const provider of Object.values(providers).flat()) {
    metrics?.watchBreaker(provider.channel, lane, provider.breaker, provider.provider);
    if (provider.concurrency) metrics?.watchConcurrency(provider.channel, lane, provider.concurrency, provider.provider);
  }
  await consumer.start();
  return [
    ...Object.entries(deliverers).map(([channel, deliverer]) => ({ name: `${channel}-${lane}`, stop: () => deliverer.close() })),
    { name: `senders-${lane}`, stop: () => consumer.stop(), ready: () => consumer.joined() },
  ];
}
