import { createMailingFanoutConsumer } from '../../processors/mailing-fanout/consumer';
import { createNotificationFanoutConsumer } from '../../processors/notification-fanout/consumer';
import { registerRecurring } from '../../processors/scheduler/recurring-notifications';
import { createLinkStore } from '../../platform/links/link-store';
import { createWelcomeConsumer } from '../../processors/welcome/consumer';
import { createStateViewConsumer, rebuildView } from '../../processors/state-view/consumer';
import type { Runtime, Stoppable } from '../runtime';

/** processors: the directory view (state.* → Redis), the mailing, notification and welcome fan-outs (→ deliveries). */
export async function startProcessors(runtime: Runtime): Promise<Stoppable[]> {
  const producer = await runtime.producer();
  const view = createStateViewConsumer({
    kafka: runtime.kafka(), codec: runtime.codec(), producer, redis: runtime.redis('view'), logger: runtime.logger,
    groupId: runtime.groupId('state-view'),
  });
  const fanout = createMailingFanoutConsumer({
    kafka: runtime.kafka(), codec: runtime.codec(), producer, redis: runtime.redis('fanout'), logger: runtime.logger,
    batchSize: runtime.config.fanout.batchSize, groupId: runtime.groupId('mailing-fanout'),
  });
  const notifications = createNotificationFanoutConsumer({
    kafka: runtime.kafka(), codec: runtime.codec(), producer, redis: runtime.redis('notifications'), logger: runtime.logger,
    batchSize: runtime.config.fanout.batchSize, groupId: runtime.groupId('notification-fanout'),
    onRecurring: async (request) => void (await registerRecurring(runtime.redis('notifications'), request, Date.now())),
  });
  const welcome = createWelcomeConsumer({
    kafka: runtime.kafka(), codec: runtime.codec(), producer, links: createLinkStore({ redis: runtime.redis('links') }),
    baseUrl: runtime.config.http.publicBaseUrl, linkTtlMs: runtime.config.email.linkTtlMs, logger: runtime.logger,
    groupId: runtime.groupId('welcome'),
  });
  await view.start();
  await fanout.start();
  await notifications.start();
  await welcome.start();
  return [
    { name: 'state-view', stop: () => view.stop() },
    { name: 'mailing-fanout', stop: () => fanout.stop() },
    { name: 'notification-fanout', stop: () => notifications.stop() },
    { name: 'welcome', stop: () => welcome.stop() },
  ];
}

/** Clears the Redis directory view and rewinds its group; the processors role must be stopped. */
export async function rebuildDirectoryView(runtime: Runtime): Promise<void> {
  const deleted = await rebuildView({ kafka: runtime.kafka(), redis: runtime.redis(), groupId: runtime.groupId('state-view') });
  runtime.logger.info({ deleted }, 'directory view cleared; it is rebuilt when the processors role starts');
}
