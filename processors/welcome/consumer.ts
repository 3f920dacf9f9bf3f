import type { Kafka } from 'kafkajs';
import type { Codec } from '../../platform/codec/codec';
import { onlyTraceHeaders, type RecordHeaders } from '../../platform/tracing/propagation';
import { VestnikError } from '../../platform/errors';
import { createBatchConsumer, type BatchConsumer, type TypedProducer } from '../../platform/kafka';
import { invalidRecord } from '../../platform/kafka/invalid-record';
import type { LinkStore } from '../../platform/links/link-store';
import type { Logger } from '../../platform/logger';
import { TOPICS } from '../../platform/topics';
import type { Client, DeliveryCommand, DeliveryStatus, UserRegistered } from '../../schemas/types';
import type { ResourceStore } from '../../platform/stores/ports';
import { createRenderer } from '../rendering/render';
import { EMAIL_CONFIRMATION, decideWelcome, decideWelcomeClient } from './decide';
import { userRegisteredProblems } from './validate';

export interface WelcomeTopics {
  /** events.user-registered */
  input: string;
  /** deliveries.express */
  commands: string;
  /** deliveries.status */
  statuses: string;
}

export interface WelcomeConsumerOptions {
  kafka: Kafka;
  codec: Codec;
  producer: TypedProducer;
  links: LinkStore;
  /** PUBLIC_BASE_URL: the links in the emails point there. */
  baseUrl: string;
  linkTtlMs: number;
  /** Where a confirmed link redirects; default `${baseUrl}/links/confirmed` (served by the links route). */
  confirmedUrl?: string;
  logger: Logger;
  groupId?: string;
  clock?: { now(): number };
  /** Test topics; default the TOPICS ones. */
  topics?: Partial<WelcomeTopics>;
  fromBeginning?: boolean;
  deadLetterTopic?: string;
  /**
   * The client directory (state.clients and its view): this processor owns a new user's client record
   * and creates it here (decideWelcomeClient). Without it (tests of the email alone) no client is written.
   */
  clients?: Pick<ResourceStore<Client>, 'update'>;
}

/**
 * Consumes events.user-registered: creates the user's client record when there is none (or fills its
 * missing email and name), and queues one welcome email per registration. Per batch: one
 * link per event (created once: a replay reads back the same code), the pure decision, then ONE
 * produce of every command and its queued status before the offsets are committed. A replay after a
 * crash produces the same delivery ids, so the sender sends each email once.
 */
export function createWelcomeConsumer(options: WelcomeConsumerOptions): BatchConsumer {
  const logger = options.logger.child({ module: 'welcome' });
  const topics: WelcomeTopics = {
    input: TOPICS.userRegistered, commands: TOPICS.deliveriesExpress, statuses: TOPICS.deliveriesStatus, ...options.topics,
  };
  const clock = options.clock ?? { now: () => Date.now() };
  const renderer = createRenderer();
  const confirmedUrl = options.confirmedUrl ?? `${options.baseUrl.replace(/\/+$/, '')}/links/confirmed`;

  return createBatchConsumer<UserRegistered>({
    kafka: options.kafka,
    codec: options.codec,
    producer: options.producer,
    groupId: options.groupId ?? 'vestnik-welcome',
    topics: [{ topic: topics.input, schema: 'events.user-registered' }],
    logger,
    fromBeginning: options.fromBeginning,
    deadLetterTopic: options.deadLetterTopic,
    handler: async (records, ctx) => {
      const commands: DeliveryCommand[] = [];
      const statuses: DeliveryStatus[] = [];
      // Each email carries its registration's trace: the batch is produced at once, so per record, not per batch.
      const traces: (RecordHeaders | undefined)[] = [];
      for (const record of records) {
        const event = record.value;
        if (!event) continue;
        const problems = userRegisteredProblems(event);
        if (problems.length > 0) {
          ctx.deadLetter(record, invalidRecord(`registration ${event.eventId}`, problems));
          continue;
        }
        // The client first, so the link in the email always has a client to confirm. A replay finds the
        // record it wrote and writes nothing (the decision fills only what is missing).
        if (options.clients) {
          await options.clients.update(event.userId, (current) => decideWelcomeClient(event, current, clock.now()) ?? undefined);
        }
        const linkCode = await options.links.createOnce(`welcome:${event.eventId}`, {
          url: confirmedUrl, ttlMs: options.linkTtlMs, purpose: EMAIL_CONFIRMATION, subject: event.userId,
        });
        try {
          const decision = decideWelcome(event, { linkCode, baseUrl: options.baseUrl, now: clock.now(), ttlMs: options.linkTtlMs, renderer });
          commands.push(decision.command);
          statuses.push(decision.status);
          traces.push(onlyTraceHeaders(record.headers));
        } catch (error) {
          // A template that cannot render this event never will: dead-letter it, keep the batch going.
          if (error instanceof VestnikError && !error.retriable) ctx.deadLetter(record, error);
          else throw error;
        }
      }
      if (commands.length === 0) return;
      await options.producer.sendBatch([
        { topic: topics.commands, records: commands.map((c, i) => ({ key: c.clientId, value: c, headers: traces[i] })), schema: 'deliveries.command' },
        { topic: topics.statuses, records: statuses.map((s, i) => ({ key: s.deliveryId, value: s, headers: traces[i] })), schema: 'deliveries.status' },
      ]);
      logger.debug({ count: commands.length }, 'welcome emails queued');
    },
  });
}
