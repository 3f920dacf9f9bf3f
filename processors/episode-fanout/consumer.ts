import { VestnikError } from '../../platform/errors';
import { createBatchConsumer, type BatchConsumer, type TypedProducer } from '../../platform/kafka';
import { invalidRecord } from '../../platform/kafka/invalid-record';
import type { Logger } from '../../platform/logger';
import type { Redis } from '../../platform/redis/client';
import { KEYS } from '../../platform/redis/keys';
import { TOPICS } from '../../platform/topics';
import type { EpisodeReleased } from '../../schemas/types';
import { createDirectoryReader, warnCorrupt } from '../../platform/redis/directory';
import { produceFanoutPage } from '../produce-fanout-page';
import { createRenderer, type Renderer } from '../rendering/render';
import { decideEpisode, isSubscriber, type EpisodeDecision } from './decide';
import { episodeReleasedProblems } from './validate';
import { EPISODE_TEMPLATE, EPISODE_TEMPLATE_ID } from './template';
import type { ProcessorOptions } from '../processor-options';

export interface EpisodeFanoutOptions extends ProcessorOptions {
  /** Subscribers per page (FANOUT_BATCH_SIZE): one ZRANGEBYLEX, one MGET and one produce each. */
  batchSize?: number;
}

/**
 * Consumes events.episode-released and emails every subscriber of the series, one page of the
 * `clients:series:{id}` index at a time, so memory holds one page however many subscribers there are.
 * The event's offset is committed once its last page is produced; a replay after a crash repeats the
 * pages with the same delivery ids, which senders claim once (so nobody gets the episode twice).
 */
export function createEpisodeFanoutConsumer(options: EpisodeFanoutOptions): BatchConsumer {
  const logger = options.logger.child({ module: 'episode-fanout' });
  const deps: EpisodeFanoutDeps = {
    redis: options.redis, producer: options.producer, logger, renderer: createRenderer(),
    batchSize: options.batchSize ?? 1000, clock: options.clock ?? { now: () => Date.now() },
  };
  return createBatchConsumer<EpisodeReleased>({
    kafka: options.kafka, codec: options.codec, producer: options.producer, groupId: options.groupId,
    topics: [{ topic: TOPICS.episodeReleased }], logger,
    tracing: { spanPerTrace: 'episode-fanout' },
    handler: async (records, ctx) => {
      for (const record of records) {
        const event = record.value;
        if (!event) continue;
        const problems = episodeReleasedProblems(event);
        if (problems.length > 0) {
          ctx.deadLetter(record, invalidRecord(`episode event ${event.eventId}`, problems));
          continue;
        }
        try {
          await fanOutEpisode(deps, event, () => ctx.heartbeat());
        } catch (error) {
          // A permanent error never gets better: dead-letter it and go on. Anything else (Redis, Kafka) retries the batch.
          if (error instanceof VestnikError && !error.retriable) ctx.deadLetter(record, error);
          else throw error;
        }
      }
    },
  });
}

/** What one event's fan-out uses: only the calls it makes, so it is unit-tested with fakes. */
export interface EpisodeFanoutDeps {
  redis: Pick<Redis, 'get' | 'mget' | 'zrangebylex'>;
  producer: Pick<TypedProducer, 'sendBatch'>;
  logger: Logger;
  renderer: Renderer;
  batchSize: number;
  clock: { now(): number };
}

/** Every page of the series' subscribers: decide, then ONE produce of the page's commands and statuses. */
export async function fanOutEpisode(deps: EpisodeFanoutDeps, event: EpisodeReleased, heartbeat: () => Promise<void>): Promise<void> {
  const directory = createDirectoryReader(deps.redis, warnCorrupt(deps.logger));
  // The admin-stored template when there is one (read once per event, so an edit applies to the next episode), else the built-in.
  const template = (await directory.template(EPISODE_TEMPLATE_ID)) ?? EPISODE_TEMPLATE;
  const counts: Record<string, number> = { queued: 0, suppressed: 0, failed: 0 };
  for await (const ids of directory.indexPages(KEYS.clientsBySeries(event.seriesId), deps.batchSize)) {
    const subscribers = (await directory.clients(ids)).filter((client) => isSubscriber(client, event.seriesId));
    const now = deps.clock.now();
    const decisions = subscribers.map((client) => decideEpisode(event, client, template, deps.renderer, now));
    await producePage(deps.producer, decisions);
    for (const { status } of decisions) counts[status.status] = (counts[status.status] ?? 0) + 1;
    await heartbeat();
  }
  deps.logger.info({ eventId: event.eventId, seriesId: event.seriesId, template: template.id, ...counts }, 'episode fanned out');
}

/** A page's emails and every status (queued, suppressed, failed), as page records (produce-fanout-page.ts). */
async function producePage(producer: EpisodeFanoutDeps['producer'], decisions: EpisodeDecision[]): Promise<void> {
  if (decisions.length === 0) return;
  const commands = decisions.flatMap((d) => (d.kind === 'deliver' ? [d.command] : []));
  await produceFanoutPage(producer, commands, 'bulk', decisions.map((d) => d.status));
}
