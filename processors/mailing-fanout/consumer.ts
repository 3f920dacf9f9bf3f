import type { Kafka } from 'kafkajs';
import type { Codec } from '../../platform/codec/codec';
import { VestnikError } from '../../platform/errors';
import { createBatchConsumer, type BatchConsumer, type TypedProducer } from '../../platform/kafka';
import type { Logger } from '../../platform/logger';
import type { Redis } from '../../platform/redis/client';
import type { UnsubscribeLinks } from '../../platform/unsubscribe';
import { TOPICS } from '../../platform/topics';
import type { MailingStarted } from '../../schemas/types';
import { createDirectoryReader, warnCorrupt } from '../../platform/redis/directory';
import { createRenderer } from '../rendering/render';
import { belongsToLane, type FanoutLane } from '../../domain/lanes';
import { createLaneDeadLetterFilter, redisDeadLetterClaim } from '../lane-dead-letters';
import { runFanout, type FanoutDeps } from './run';
import type { ContextSource } from '../context-providers';
import { mailingStartedProblems } from './validate';
import { invalidRecord } from '../../platform/kafka/invalid-record';

export interface MailingFanoutOptions {
  kafka: Kafka;
  codec: Codec;
  producer: TypedProducer;
  redis: Redis;
  logger: Logger;
  clock?: { now(): number };
  batchSize?: number;
  groupId?: string;
  /** Builds a client's unsubscribe URL for promo email mailings (platform/unsubscribe.ts). */
  unsubscribeLink?: UnsubscribeLinks;
  /** Handle only this priority's mailings (lane.ts); without it, every mailing. */
  lane?: FanoutLane;
  /** The user-data service, for templates with a contextProvider (processors/context-providers). */
  contexts?: ContextSource;
}

/**
 * Consumes events.mailing-started and fans each mailing out to its audience. A start event is replayed
 * after a crash (its offset is committed only when the fan-out ends); the checkpoint in Redis makes the
 * replay resume where it stopped instead of starting over.
 */
export function createMailingFanoutConsumer(options: MailingFanoutOptions): BatchConsumer {
  const logger = options.logger.child({ module: 'mailing-fanout' });
  const directory = createDirectoryReader(options.redis, warnCorrupt(logger));
  const deps: FanoutDeps = {
    redis: options.redis,
    producer: options.producer,
    renderer: createRenderer(),
    clock: options.clock ?? { now: () => Date.now() },
    batchSize: options.batchSize ?? 1000,
    logger,
    unsubscribeLink: options.unsubscribeLink,
    contexts: options.contexts,
    loadMailing: (id) => directory.mailing(id),
    loadTemplate: (id) => directory.template(id),
    loadClients: (ids) => directory.clients(ids),
  };
  const groupId = options.groupId ?? 'vestnik-mailing-fanout';
  return createBatchConsumer<MailingStarted>({
    kafka: options.kafka,
    codec: options.codec,
    producer: options.producer,
    groupId,
    topics: [{ topic: TOPICS.mailingStarted }],
    logger,
    // One trace per mailing's fan-out: its commands carry the mailing-started event's (traced-handler.ts).
    tracing: { spanPerTrace: 'mailing-fanout' },
    // Both lanes' groups read every start event: one of them writes each dead letter (lane-dead-letters.ts).
    deadLetterFilter: options.lane ? createLaneDeadLetterFilter(groupId, redisDeadLetterClaim(options.redis)) : undefined,
    handler: async (records, ctx) => {
      for (const record of records) {
        if (!record.value) continue;
        const problems = mailingStartedProblems(record.value);
        if (problems.length > 0) {
          ctx.deadLetter(record, invalidRecord(`mailing start ${record.value.eventId}`, problems));
          continue;
        }
        try {
          // The other lane's mailing: skipped here and committed with the batch; its own lane fans it out.
          if (options.lane && !belongsToLane((await deps.loadMailing(record.value.mailingId))?.priority, options.lane)) continue;
          await runFanout(deps, record.value, () => ctx.heartbeat());
        } catch (error) {
          if (error instanceof VestnikError && !error.retriable) ctx.deadLetter(record, error);
          else throw error;
        }
      }
    },
  });
}
