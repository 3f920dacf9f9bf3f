import { createBatchConsumer, type BatchConsumer, type TypedProducer } from '../../platform/kafka';
import type { Logger } from '../../platform/logger';
import type { Redis } from '../../platform/redis/client';
import { KEYS } from '../../platform/redis/keys';
import { TOPICS } from '../../platform/topics';
import type { Client, Template, UserActivity } from '../../schemas/types';
import { createRenderer } from '../rendering/render';
import { decideActivity, type ActivityDecision } from './decide';
import { ACTIVITY_TEMPLATE_ID } from './template';
import { userActivityProblems } from './validate';
import { invalidRecord } from '../../platform/kafka/invalid-record';
import type { ProcessorOptions } from '../processor-options';

export interface ActivityConsumerOptions extends ProcessorOptions {
  fromBeginning?: boolean;
}

/**
 * Consumes events.user-activity and queues one in-app notification per event. Per batch: ONE MGET of
 * the override template and every recipient, the pure decisions, then ONE produce of the commands
 * (deliveries.express) and every status before the offsets are committed. A replayed event yields the
 * same delivery id, which the sender claims once.
 */
export function createActivityConsumer(options: ActivityConsumerOptions): BatchConsumer {
  const logger = options.logger.child({ module: 'activity' });
  const renderer = createRenderer();
  const clock = options.clock ?? { now: () => Date.now() };

  return createBatchConsumer<UserActivity>({
    kafka: options.kafka, codec: options.codec, producer: options.producer, groupId: options.groupId,
    topics: [{ topic: TOPICS.userActivity, schema: 'events.user-activity' }], logger, fromBeginning: options.fromBeginning,
    handler: async (records, ctx) => {
      const events = records.flatMap((record) => {
        if (!record.value) return [];
        const problems = userActivityProblems(record.value);
        if (problems.length === 0) return [record.value];
        ctx.deadLetter(record, invalidRecord(`activity ${record.value.eventId}`, problems));
        return [];
      });
      if (events.length === 0) return;
      const { override, clients } = await loadLookups(options.redis, events, logger);
      const now = clock.now();
      const decisions = events.map((event) => decideActivity(event, { client: clients.get(event.userId) ?? null, override, renderer, now }));
      await produce(options.producer, decisions);
      logger.debug({ events: events.length, queued: decisions.filter((d) => d.kind === 'deliver').length }, 'activity notifications decided');
    },
  });
}

/** The override template and the batch's recipients, in one round trip. Redis trouble retries the batch (the Redis edge). */
async function loadLookups(redis: Redis, events: readonly UserActivity[], logger: Logger) {
  const userIds = [...new Set(events.map((e) => e.userId))];
  const [templateDoc, ...clientDocs] = await redis.mget(KEYS.template(ACTIVITY_TEMPLATE_ID), ...userIds.map(KEYS.client));
  const clients = new Map<string, Client>();
  clientDocs.forEach((doc, i) => {
    const client = parseDoc<Client>(doc);
    if (client) clients.set(userIds[i] as string, client);
  });
  const override = parseDoc<Template>(templateDoc);
  if (templateDoc && !override) logger.warn({ templateId: ACTIVITY_TEMPLATE_ID }, 'stored activity template is not JSON: built-in used');
  return { override, clients };
}

/** A view document; a corrupt one counts as absent (the view is rebuilt from the state topics, never patched here). */
function parseDoc<T>(doc: string | null | undefined): T | null {
  if (!doc) return null;
  try {
    return JSON.parse(doc) as T;
  } catch {
    return null;
  }
}

async function produce(producer: TypedProducer, decisions: readonly ActivityDecision[]): Promise<void> {
  const commands = decisions.flatMap((d) => (d.kind === 'deliver' ? [d.command] : []));
  await producer.sendBatch([
    ...(commands.length > 0
      ? [{ topic: TOPICS.deliveriesExpress, records: commands.map((c) => ({ key: c.clientId, value: c })), schema: 'deliveries.command' as const }]
      : []),
    { topic: TOPICS.deliveriesStatus, records: decisions.map((d) => ({ key: d.status.deliveryId, value: d.status })), schema: 'deliveries.status' },
  ]);
}
