import type { Kafka } from 'kafkajs';
import type { Codec } from '../../platform/codec/codec';
import { VestnikError } from '../../platform/errors';
import { createBatchConsumer, type BatchConsumer, type TypedProducer } from '../../platform/kafka';
import type { Logger } from '../../platform/logger';
import type { Redis } from '../../platform/redis/client';
import { KEYS } from '../../platform/redis/keys';
import { TOPICS } from '../../platform/topics';
import type { Client, Mailing, MailingStarted, Template } from '../../schemas/types';
import { createRenderer } from '../rendering/render';
import { runFanout, type FanoutDeps } from './run';

export interface MailingFanoutOptions {
  kafka: Kafka;
  codec: Codec;
  producer: TypedProducer;
  redis: Redis;
  logger: Logger;
  clock?: { now(): number };
  batchSize?: number;
  groupId?: string;
}

/**
 * Consumes events.mailing-started and fans each mailing out to its audience. A start event is replayed
 * after a crash (its offset is committed only when the fan-out ends); the checkpoint in Redis makes the
 * replay resume where it stopped instead of starting over.
 */
export function createMailingFanoutConsumer(options: MailingFanoutOptions): BatchConsumer {
  const logger = options.logger.child({ module: 'mailing-fanout' });
  const deps: FanoutDeps = {
    redis: options.redis,
    producer: options.producer,
    renderer: createRenderer(),
    clock: options.clock ?? { now: () => Date.now() },
    batchSize: options.batchSize ?? 1000,
    logger,
    loadMailing: (id) => getJson<Mailing>(options.redis, KEYS.mailing(id)),
    loadTemplate: (id) => getJson<Template>(options.redis, KEYS.template(id)),
    loadClients: async (ids) => {
      if (ids.length === 0) return [];
      const docs = await options.redis.mget(...ids.map(KEYS.client));
      return docs.flatMap((doc) => (doc ? [JSON.parse(doc) as Client] : []));
    },
  };
  return createBatchConsumer<MailingStarted>({
    kafka: options.kafka,
    codec: options.codec,
    producer: options.producer,
    groupId: options.groupId ?? 'vestnik-mailing-fanout',
    topics: [{ topic: TOPICS.mailingStarted }],
    logger,
    handler: async (records, ctx) => {
      for (const record of records) {
        if (!record.value) continue;
        try {
          await runFanout(deps, record.value.mailingId, () => ctx.heartbeat());
        } catch (error) {
          if (error instanceof VestnikError && !error.retriable) ctx.deadLetter(record, error);
          else throw error;
        }
      }
    },
  });
}

async function getJson<T>(redis: Redis, key: string): Promise<T | null> {
  const raw = await redis.get(key);
  return raw === null ? null : (JSON.parse(raw) as T);
}
