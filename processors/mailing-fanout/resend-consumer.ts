import type { Kafka } from 'kafkajs';
import type { Codec } from '../../platform/codec/codec';
import { VestnikError } from '../../platform/errors';
import { createBatchConsumer, type BatchConsumer, type TypedProducer } from '../../platform/kafka';
import { invalidRecord } from '../../platform/kafka/invalid-record';
import type { Logger } from '../../platform/logger';
import type { Redis } from '../../platform/redis/client';
import { createDirectoryReader, warnCorrupt } from '../../platform/redis/directory';
import { TOPICS } from '../../platform/topics';
import type { UnsubscribeLinks } from '../../platform/unsubscribe';
import type { MailingResendRequested } from '../../schemas/types';
import type { ContextSource } from '../context-providers';
import { createRenderer } from '../rendering/render';
import { runResend, type FailedMessages, type ResendDeps } from './resend';

export interface MailingResendOptions {
  kafka: Kafka;
  codec: Codec;
  producer: TypedProducer;
  redis: Redis;
  logger: Logger;
  /** The mailing's finally failed messages (analytics/failed-deliveries.ts, injected by cli/roles/processors.ts). */
  failed: FailedMessages;
  clock?: { now(): number };
  batchSize?: number;
  groupId?: string;
  unsubscribeLink?: UnsubscribeLinks;
  contexts?: ContextSource;
}

/** What makes a resend request unusable: reported in its dead letter. */
export function resendRequestProblems(event: MailingResendRequested): string[] {
  const problems: string[] = [];
  if (event.mailingId.trim() === '') problems.push('mailingId: empty');
  if (!Number.isFinite(event.occurredAt) || event.occurredAt < 0) problems.push('occurredAt: not a time');
  return problems;
}

/**
 * Consumes events.mailing-resend-requested (keyed by mailing, so one mailing's requests run in order) and
 * re-sends the mailing's finally failed deliveries (resend.ts). The offset is committed after the whole
 * re-send; a crash repeats it, which re-sends nothing twice (same rounds, same delivery ids).
 */
export function createMailingResendConsumer(options: MailingResendOptions): BatchConsumer {
  const logger = options.logger.child({ module: 'mailing-resend' });
  const directory = createDirectoryReader(options.redis, warnCorrupt(logger));
  const deps: ResendDeps = {
    producer: options.producer,
    renderer: createRenderer(),
    clock: options.clock ?? { now: () => Date.now() },
    batchSize: options.batchSize ?? 1000,
    logger,
    failed: options.failed,
    unsubscribeLink: options.unsubscribeLink,
    contexts: options.contexts,
    loadMailing: (id) => directory.mailing(id),
    loadTemplate: (id) => directory.template(id),
    loadClients: (ids) => directory.clients(ids),
  };
  return createBatchConsumer<MailingResendRequested>({
    kafka: options.kafka,
    codec: options.codec,
    producer: options.producer,
    groupId: options.groupId ?? 'vestnik-mailing-resend',
    topics: [{ topic: TOPICS.mailingResendRequested }],
    logger,
    tracing: { spanPerTrace: 'mailing-resend' },
    handler: async (records, ctx) => {
      for (const record of records) {
        if (!record.value) continue;
        const problems = resendRequestProblems(record.value);
        if (problems.length > 0) {
          ctx.deadLetter(record, invalidRecord(`mailing resend ${record.value.eventId}`, problems));
          continue;
        }
        try {
          await runResend(deps, record.value, () => ctx.heartbeat());
        } catch (error) {
          if (error instanceof VestnikError && !error.retriable) ctx.deadLetter(record, error);
          else throw error;
        }
      }
    },
  });
}
