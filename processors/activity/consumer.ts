import { onlyTraceHeaders, type RecordHeaders } from '../../platform/tracing/propagation';
import { createBatchConsumer, type BatchConsumer, type TypedProducer } from '../../platform/kafka';
import { createDirectoryReader, warnCorrupt, type DirectoryReader } from '../../platform/redis/directory';
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
  const directory = createDirectoryReader(options.redis, warnCorrupt(logger));

  return createBatchConsumer<UserActivity>({
    kafka: options.kafka, codec: options.codec, producer: options.producer, groupId: options.groupId,
    topics: [{ topic: TOPICS.userActivity, schema: 'events.user-activity' }], logger, fromBeginning: options.fromBeginning,
    handler: async (records, ctx) => {
      const valid = records.flatMap((record) => {
        if (!record.value) return [];
        const problems = userActivityProblems(record.value);
        if (problems.length === 0) return [{ event: record.value, trace: onlyTraceHeaders(record.headers) }];
        ctx.deadLetter(record, invalidRecord(`activity ${record.value.eventId}`, problems));
        return [];
      });
      if (valid.length === 0) return;
      const events = valid.map((v) => v.event);
      const { override, clients } = await loadLookups(directory, events);
      const now = clock.now();
      const decisions = events.map((event) => decideActivity(event, { client: clients.get(event.userId) ?? null, override, renderer, now }));
      // Each notification carries its activity's trace: the batch is produced at once, so per record.
      await produce(options.producer, decisions, valid.map((v) => v.trace));
      logger.debug({ events: events.length, queued: decisions.filter((d) => d.kind === 'deliver').length }, 'activity notifications decided');
    },
  });
}

/** The override template and the batch's recipients, in one round trip (Redis trouble retries the batch). */
async function loadLookups(directory: DirectoryReader, events: readonly UserActivity[]) {
  const userIds = [...new Set(events.map((e) => e.userId))];
  const [override, ...clientDocs] = await directory.docs<Template | Client>([KEYS.template(ACTIVITY_TEMPLATE_ID), ...userIds.map(KEYS.client)]);
  const clients = new Map<string, Client>();
  clientDocs.forEach((client, i) => {
    if (client) clients.set(userIds[i] as string, client as Client);
  });
  return { override: (override ?? null) as Template | null, clients };
}

async function produce(producer: TypedProducer, decisions: readonly ActivityDecision[], traces: readonly (RecordHeaders | undefined)[]): Promise<void> {
  const commands = decisions.flatMap((d, i) => (d.kind === 'deliver' ? [{ command: d.command, headers: traces[i] }] : []));
  await producer.sendBatch([
    ...(commands.length > 0
      ? [{ topic: TOPICS.deliveriesExpress, records: commands.map(({ command, headers }) => ({ key: command.clientId, value: command, headers })), schema: 'deliveries.command' as const }]
      : []),
    { topic: TOPICS.deliveriesStatus, records: decisions.map((d, i) => ({ key: d.status.deliveryId, value: d.status, headers: traces[i] })), schema: 'deliveries.status' },
  ]);
}
