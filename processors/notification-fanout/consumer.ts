import type { Kafka } from 'kafkajs';
import type { Codec } from '../../platform/codec/codec';
import { VestnikError } from '../../platform/errors';
import { createBatchConsumer, type BatchConsumer, type TypedProducer } from '../../platform/kafka';
import type { Logger } from '../../platform/logger';
import type { Redis } from '../../platform/redis/client';
import { KEYS } from '../../platform/redis/keys';
import { TOPICS } from '../../platform/topics';
import type { Client, NotificationRequested, Template } from '../../schemas/types';
import { candidateSets, isFirstSetOf } from '../mailing-fanout/decide';
import { createRenderer, type Renderer } from '../rendering/render';
import { decideNotification, parseContext } from './decide';

export interface NotificationFanoutOptions {
  kafka: Kafka;
  codec: Codec;
  producer: TypedProducer;
  redis: Redis;
  logger: Logger;
  groupId: string;
  batchSize?: number;
  clock?: { now(): number };
  /** Called for a request with a recurrence: the scheduler repeats it. */
  onRecurring?(request: NotificationRequested): Promise<void>;
}

/**
 * Consumes events.notification-requested (the single window) and turns each request into commands for
 * its recipients: the listed user ids and every client of the segment's tags, one page at a time.
 * A replayed request produces the same delivery ids, which senders claim once.
 */
export function createNotificationFanoutConsumer(options: NotificationFanoutOptions): BatchConsumer {
  const logger = options.logger.child({ module: 'notification-fanout' });
  const renderer = createRenderer();
  const deps = { ...options, renderer, batchSize: options.batchSize ?? 1000, clock: options.clock ?? { now: () => Date.now() } };
  return createBatchConsumer<NotificationRequested>({
    kafka: options.kafka, codec: options.codec, producer: options.producer, groupId: options.groupId,
    topics: [{ topic: TOPICS.notificationRequested }], logger,
    handler: async (records, ctx) => {
      for (const record of records) {
        const request = record.value;
        if (!request) continue;
        try {
          if (request.recurrence) await options.onRecurring?.(request);
          else await fanOutRequest(deps, request, () => ctx.heartbeat());
        } catch (error) {
          if (error instanceof VestnikError && !error.retriable) ctx.deadLetter(record, error);
          else throw error;
        }
      }
    },
  });
}

type Deps = NotificationFanoutOptions & { renderer: Renderer; batchSize: number; clock: { now(): number } };

async function fanOutRequest(deps: Deps, request: NotificationRequested, heartbeat: () => Promise<void>): Promise<void> {
  const raw = await deps.redis.get(KEYS.template(request.templateId));
  if (!raw) throw new VestnikError('TEMPLATE_FAILED', `request ${request.requestId} names template ${request.templateId}, which does not exist`);
  const template = JSON.parse(raw) as Template;
  const context = parseContext(request.contextJson);
  let total = 0;
  for await (const clients of recipientPages(deps, request)) {
    total += await producePage(deps, request, template, context, clients);
    await heartbeat();
  }
  deps.logger.info({ requestId: request.requestId, deliveries: total, priority: request.priority }, 'notification fanned out');
}

/** Pages of recipients: the listed ids, then each segment tag's clients (each client from its first tag only). */
async function* recipientPages(deps: Deps, request: NotificationRequested): AsyncGenerator<Client[]> {
  for (let i = 0; i < request.userIds.length; i += deps.batchSize) {
    yield loadClients(deps.redis, request.userIds.slice(i, i + deps.batchSize));
  }
  if (request.segmentTags.length === 0) return;
  const filter = { operatorCodes: [], tags: request.segmentTags };
  const listed = new Set(request.userIds); // already sent to above
  const sets = candidateSets(filter);
  for (const [index, key] of sets.entries()) {
    let after = '';
    for (;;) {
      const ids = await deps.redis.zrangebylex(key, after ? `(${after}` : '-', '+', 'LIMIT', 0, deps.batchSize);
      if (ids.length === 0) break;
      after = ids[ids.length - 1] as string;
      const clients = await loadClients(deps.redis, ids);
      yield clients.filter((client) => isFirstSetOf(client, filter, index) && !listed.has(client.id));
    }
  }
}

async function loadClients(redis: Redis, ids: string[]): Promise<Client[]> {
  if (ids.length === 0) return [];
  const docs = await redis.mget(...ids.map(KEYS.client));
  return docs.flatMap((doc) => (doc ? [JSON.parse(doc) as Client] : []));
}

/** One Kafka request per page: the commands on the priority's topic and every status. */
async function producePage(
  deps: Deps, request: NotificationRequested, template: Template, context: Record<string, unknown>, clients: Client[],
): Promise<number> {
  const now = deps.clock.now();
  const decisions = clients.flatMap((client) => decideNotification(request, client, template, deps.renderer, now, context));
  if (decisions.length === 0) return 0;
  const commands = decisions.flatMap((d) => (d.kind === 'deliver' ? [d.command] : []));
  await deps.producer.sendBatch([
    {
      topic: request.priority === 'express' ? TOPICS.deliveriesExpress : TOPICS.deliveriesBulk,
      records: commands.map((command) => ({ key: command.clientId, value: command })), schema: 'deliveries.command',
    },
    { topic: TOPICS.deliveriesStatus, records: decisions.map((d) => ({ key: d.status.deliveryId, value: d.status })) },
  ]);
  return decisions.length;
}
