import { createFailedDeliveries } from '../../analytics/failed-deliveries';
import { createMailingFanoutConsumer } from '../../processors/mailing-fanout/consumer';
import { createMailingResendConsumer } from '../../processors/mailing-fanout/resend-consumer';
import { createNotificationFanoutConsumer } from '../../processors/notification-fanout/consumer';
import { createUserDataClient } from '../../processors/context-providers';
import { registerRecurring } from '../../processors/scheduler/recurring-notifications';
import { createLinkStore } from '../../platform/links/link-store';
import { createUnsubscribeLinks } from '../../platform/unsubscribe';
import { createWelcomeConsumer } from '../../processors/welcome/consumer';
import { createClientStore } from '../../domain/resources/stores';
import { createActivityConsumer } from '../../processors/activity/consumer';
import { createEpisodeFanoutConsumer } from '../../processors/episode-fanout/consumer';
import { createStateViewConsumer } from '../../processors/state-view/consumer';
import type { Runtime, Stoppable } from '../runtime';
import { processorsFor } from './lane-selection';

/** processors: the directory view (state.* → Redis), the mailing, notification, welcome and episode fan-outs (→ deliveries). */
export async function startProcessors(runtime: Runtime): Promise<Stoppable[]> {
  const producer = await runtime.producer();
  // Promo emails carry a signed one-click unsubscribe link to the API's /u/{token}.
  const unsubscribeLink = createUnsubscribeLinks({ baseUrl: runtime.config.http.publicBaseUrl, secret: runtime.config.unsubscribe.secret });
  // The user-data service behind templates' context providers, shared by the fan-outs (one keep-alive pool).
  const userData = createUserDataClient({ url: runtime.config.userData.url, timeoutMs: runtime.config.userData.timeoutMs });
  const view = createStateViewConsumer({
    kafka: runtime.kafka(), codec: runtime.codec(), producer, redis: runtime.redis('view'), logger: runtime.logger,
    groupId: runtime.groupId('state-view'),
  });
  // Each fan-out runs an express and a bulk lane (processors/mailing-fanout/lane.ts): own group, Kafka
  // client, producer and Redis connection, so a bulk audience's pages never queue ahead of express work.
  // LANES picks the lanes of this process: production runs express in processes of its own, so bulk CPU
  // can never delay it (lane-selection.ts). The state view runs in every processors process (one group).
  const selected = processorsFor(runtime.config.lanes);
  const lanes = await Promise.all(selected.fanoutLanes.map(async (lane) => ({
    lane, kafka: runtime.kafka(`fanout-${lane}`), producer: await runtime.producer(`fanout-${lane}`),
  })));
  const fanouts = lanes.map(({ lane, kafka, producer: laneProducer }) => createMailingFanoutConsumer({
    kafka, codec: runtime.codec(), producer: laneProducer, redis: runtime.redis(`fanout-${lane}`), logger: runtime.logger,
    batchSize: runtime.config.fanout.batchSize, groupId: runtime.groupId(`mailing-fanout-${lane}`), lane,
    unsubscribeLink, contexts: userData,
  }));
  const notificationLanes = lanes.map(({ lane, kafka, producer: laneProducer }) => createNotificationFanoutConsumer({
    kafka, codec: runtime.codec(), producer: laneProducer, redis: runtime.redis(`notifications-${lane}`), logger: runtime.logger,
    batchSize: runtime.config.fanout.batchSize, groupId: runtime.groupId(`notification-fanout-${lane}`), lane,
    unsubscribeLink, contexts: userData,
    onRecurring: async (request) => void (await registerRecurring(runtime.redis('notifications'), request, Date.now())),
  }));
  // Re-sends of failed deliveries: the failed ones come from analytics (ClickHouse), injected through the
  // resend's port (processors may not import analytics). One group whatever the lanes; commands go to the mailing's lane.
  const resend = createMailingResendConsumer({
    kafka: runtime.kafka(), codec: runtime.codec(), producer, redis: runtime.redis('resend'), logger: runtime.logger,
    batchSize: runtime.config.fanout.batchSize, groupId: runtime.groupId('mailing-resend'), unsubscribeLink, contexts: userData,
    failed: createFailedDeliveries({ client: runtime.clickhouse(), database: runtime.config.clickhouse.database }),
  });
  const welcome = !selected.welcome ? null : createWelcomeConsumer({
    kafka: runtime.kafka(), codec: runtime.codec(), producer, links: createLinkStore({ redis: runtime.redis('links') }),
    baseUrl: runtime.config.http.publicBaseUrl, linkTtlMs: runtime.config.email.linkTtlMs, logger: runtime.logger,
    groupId: runtime.groupId('welcome'),
    // The welcome processor owns a new user's client record (processors/welcome/decide.ts).
    clients: createClientStore({ producer, redis: runtime.redis('welcome') }),
  });
  // New-episode emails are bulk: on the bulk lane's Kafka client and producer, never ahead of express work.
  const episodes = !selected.episodes ? null : createEpisodeFanoutConsumer({
    kafka: runtime.kafka('fanout-bulk'), codec: runtime.codec(), producer: await runtime.producer('fanout-bulk'),
    redis: runtime.redis('episodes'), logger: runtime.logger, batchSize: runtime.config.fanout.batchSize,
    groupId: runtime.groupId('episode-fanout'),
  });
  // events.user-activity → in-app notifications (express: someone is waiting for it in the app).
  const activity = !selected.activity ? null : createActivityConsumer({
    kafka: runtime.kafka(), codec: runtime.codec(), producer, redis: runtime.redis('activity'), logger: runtime.logger,
    groupId: runtime.groupId('activity'),
  });
  await view.start();
  for (const consumer of [...fanouts, ...notificationLanes, resend]) await consumer.start();
  await welcome?.start();
  await activity?.start();
  await episodes?.start();
  return [
    // First here, so it closes last: after every consumer that may still be asking it.
    { name: 'user-data-client', stop: () => userData.close() },
    { name: 'state-view', stop: () => view.stop(), ready: () => view.joined() },
    ...fanouts.map((consumer, i) => ({ name: `mailing-fanout-${selected.fanoutLanes[i]}`, stop: () => consumer.stop(), ready: () => consumer.joined() })),
    ...notificationLanes.map((consumer, i) => ({ name: `notification-fanout-${selected.fanoutLanes[i]}`, stop: () => consumer.stop(), ready: () => consumer.joined() })),
    { name: 'mailing-resend', stop: () => resend.stop(), ready: () => resend.joined() },
    ...(welcome ? [{ name: 'welcome', stop: () => welcome.stop(), ready: () => welcome.joined() }] : []),
    ...(activity ? [{ name: 'activity', stop: () => activity.stop(), ready: () => activity.joined() }] : []),
    ...(episodes ? [{ name: 'episode-fanout', stop: () => episodes.stop(), ready: () => episodes.joined() }] : []),
  ];
}
