import { createDelayQueue } from '../../platform/redis/delay-queue';
import { TOPICS } from '../../platform/topics';
import { createSenderConsumer } from '../../senders/core/consumer';
import { frequencyCapsOf, type FrequencyCapRule } from '../../domain/deliveries/frequency-caps';
import type { AmbiguousPolicy } from '../../senders/core/outcome';
import { removeDeviceTokens } from '../../platform/device-tokens';
import { createClientStore } from '../../domain/resources/stores';
import { createPushChannel } from '../../senders/push/channel';
import { createEmailChannel } from '../../senders/email/channel';
import { SMS_SECONDARY_PROVIDER, SMTP_SECONDARY_PROVIDER } from '../../platform/providers';
import { createSmsChannel } from '../../senders/sms/channel';
import { failoverChannel } from '../../senders/policy/failover-channel';
import { createInappChannel } from '../../senders/inapp/channel';
import { createHttpChannel } from '../../senders/http/channel';
import type { ChannelDeliverer } from '../../senders/policy/channel';
import { unconfiguredChannel, type GuardedChannel } from '../../senders/policy/guarded-channel';
import type { Channel } from '../../schemas/types';
import type { Runtime, Stoppable } from '../runtime';
import { senderLanesFor } from './lane-selection';

/** A claim outlives the slowest batch of provider calls; a crashed sender's claims free up after it. */
const LEASE_MS = 30_000;

/**
 * senders: two lanes with nothing shared but the process — express (deliveries.express) and bulk
 * (deliveries.bulk + deliveries.retry) each have their own consumer group, Kafka connections, Redis
 * connection and provider connection pool, so a million-message mailing never delays an express message.
 */
export async function startSenders(runtime: Runtime): Promise<Stoppable[]> {
  // LANES picks the lanes of this process: production runs the express lane as processes of its own, so a
  // mailing's CPU (and GC) in the bulk senders can never delay an express message (lane-selection.ts).
  const lanes = senderLanesFor(runtime.config.lanes, {
    express: [TOPICS.deliveriesExpress],
    bulk: [TOPICS.deliveriesBulk, TOPICS.deliveriesRetry],
  });
  const frequencyCaps = frequencyCapsOf(runtime.config.frequencyCaps);
  const started: Stoppable[] = [];
  for (const { lane, topics } of lanes) started.push(...(await startLane(runtime, lane, topics, frequencyCaps)));
  return started;
}

/** Email and in-app never report an ambiguous call (their deliverers cannot tell), so their entry is moot. */
function ambiguousPolicyOf(config: Runtime['config']['ambiguous']): AmbiguousPolicy {
  // A webhook's receiver gets the delivery id to de-duplicate by, so a re-send is safe there.
  return { actions: { sms: config.sms, push: config.push, email: 'resend', inapp: 'resend', webhook: 'resend' }, resendDelayFactor: config.resendDelayFactor };
}

async function startLane(runtime: Runtime, lane: string, topics: string[], frequencyCaps: FrequencyCapRule[]): Promise<Stoppable[]> {
  const { config, logger } = runtime;
  const redis = runtime.redis(`senders-${lane}`);
  const metrics = runtime.metrics;
  const smsPrimary = createSmsChannel({
    onProviderCall: metrics?.providerCalls('sms'),
    url: config.sms.url, token: config.sms.token, timeoutMs: config.sms.timeoutMs, concurrency: config.sms.concurrency,
    logger: logger.child({ module: 'sms', lane }),
  });
  const secondary = config.sms.secondary;
  const smsSecondary = secondary
    ? [createSmsChannel({
      provider: SMS_SECONDARY_PROVIDER, onProviderCall: metrics?.providerCalls('sms', SMS_SECONDARY_PROVIDER),
      url: secondary.url, token: secondary.token, timeoutMs: config.sms.timeoutMs, concurrency: secondary.concurrency,
      logger: logger.child({ module: 'sms', provider: SMS_SECONDARY_PROVIDER, lane }),
    })]
    : [];
  // HTTP_PROVIDERS follow their channel's built-in provider(s), in the order configured.
  const configured = (channel: Channel) => config.httpProviders.filter((spec) => spec.channel === channel).map((spec) => createHttpChannel(spec, {
    onProviderCall: metrics?.providerCalls(channel, spec.name), logger: logger.child({ lane }),
  }));
  const inOrder = (channel: Channel, builtIn: GuardedChannel[]) => [...builtIn, ...configured(channel)];
  const email = createEmailChannel({
    onProviderCall: metrics?.providerCalls('email'),
    smtpUrl: config.email.smtpUrl, from: config.email.from, pool: true, maxConnections: 5,
    logger: logger.child({ module: 'email', lane }),
  });
  const secondaryRelay = config.email.secondarySmtpUrl;
  const emailSecondary = secondaryRelay
    ? [createEmailChannel({
      provider: SMTP_SECONDARY_PROVIDER, onProviderCall: metrics?.providerCalls('email', SMTP_SECONDARY_PROVIDER),
      smtpUrl: secondaryRelay, from: config.email.from, pool: true, maxConnections: 5,
      logger: logger.child({ module: 'email', provider: SMTP_SECONDARY_PROVIDER, lane }),
    })]
    : [];
  const producer = await runtime.producer(lane);
  const clients = createClientStore({ producer, redis, viewTimeoutMs: 2_000 });
  const push = createPushChannel({
    onProviderCall: metrics?.providerCalls('push'),
    url: config.push.url, project: config.push.project, token: config.push.token,
    timeoutMs: config.push.timeoutMs, concurrency: config.push.concurrency,
    logger: logger.child({ module: 'push', lane }),
    // A token the provider says is gone is removed from the client, so it is not tried again. A field-level
    // update (never a read-modify-write of the whole record), so a concurrent opt-out is not undone.
    onInvalidTokens: async (clientId, tokens) => void (await removeDeviceTokens(clients, clientId, tokens)),
  });
  // In-app: the message goes to the user's Redis inbox; the API's websocket gateway hands it to the user.
  const inapp = createInappChannel({
    onProviderCall: metrics?.providerCalls('inapp'),
    redis, inboxMax: config.inapp.inboxMax, historyMax: config.inapp.historyMax, logger: logger.child({ module: 'inapp', lane }),
  });
  const webhooks = configured('webhook');
  const providers: Record<Channel, GuardedChannel[]> = {
    sms: inOrder('sms', [smsPrimary, ...smsSecondary]), email: inOrder('email', [email, ...emailSecondary]), push: inOrder('push', [push]), inapp: inOrder('inapp', [inapp]),
    webhook: webhooks.length > 0 ? webhooks : [unconfiguredChannel('webhook')],
  };
  const oneOf = (channel: Channel): ChannelDeliverer => (providers[channel].length > 1 ? failoverChannel(channel, providers[channel]) : providers[channel][0]!);
  const deliverers: Record<Channel, ChannelDeliverer> = { sms: oneOf('sms'), email: oneOf('email'), push: oneOf('push'), inapp: oneOf('inapp'), webhook: oneOf('webhook') };
  const consumer = createSenderConsumer({
    kafka: runtime.kafka(lane),
    codec: runtime.codec(),
    producer,
    redis,
    delayQueue: createDelayQueue({ redis }),
    deliverers,
    groupId: runtime.groupId(`senders-${lane}`),
    topics: topics.map((topic) => ({ topic })),
    retryPolicy: { ...config.retry, random: Math.random, ambiguous: ambiguousPolicyOf(config.ambiguous) },
    frequencyCaps,
    messageTtl: config.messageTtl,
    providerRates: config.providerRates,
    leaseMs: LEASE_MS,
    clock: { now: () => Date.now() },
    logger: logger.child({ lane }),
    ownerId: `${lane}-${process.pid}`,
    partitionsConsumedConcurrently: 3,
    onResult: metrics?.senderResults(lane),
    onAmbiguous: metrics?.ambiguousResults(),
    onOverRate: metrics?.overRateDeferrals(lane),
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
