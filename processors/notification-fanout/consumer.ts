import { VestnikError } from '../../platform/errors';
import { createBatchConsumer, type BatchConsumer } from '../../platform/kafka';
import type { UnsubscribeLinks } from '../../platform/unsubscribe';
import { TOPICS } from '../../platform/topics';
import type { Client, NotificationRequested, Template } from '../../schemas/types';
import { candidateSets, isFirstSetOf } from '../../domain/audience';
import { produceFanoutPage } from '../produce-fanout-page';
import { belongsToLane, type FanoutLane } from '../../domain/lanes';
import { createDirectoryReader, warnCorrupt, type DirectoryReader } from '../../platform/redis/directory';
import { createLaneDeadLetterFilter, redisDeadLetterClaim } from '../lane-dead-letters';
import { pageContexts, type ContextSource } from '../context-providers';
import { createRenderer, type Renderer } from '../rendering/render';
import { decideNotification, parseContext } from './decide';
import { EMPTY_TALLY, addTally, tallyOf, type FanoutTally } from '../../domain/notification-run/model';
import { recordFanout, recordRequest, startRun } from '../../domain/notification-run/record';
import { requestProblems } from './validate';
import { invalidRecord } from '../../platform/kafka/invalid-record';
import { backgroundTask } from '../../platform/background-task';
import type { ProcessorOptions } from '../processor-options';

export interface NotificationFanoutOptions extends ProcessorOptions {
  batchSize?: number;
  /** Called for a request with a recurrence: the scheduler repeats it. */
  onRecurring?(request: NotificationRequested): Promise<void>;
  /** Handle only this priority's requests (domain/lanes.ts); without it, every request. */
  lane?: FanoutLane;
  /** Builds a client's unsubscribe URL for promo emails (platform/unsubscribe.ts). */
  unsubscribeLink?: UnsubscribeLinks;
  /** The user-data service, for templates with a contextProvider (processors/context-providers). */
  contexts?: ContextSource;
}

/**
 * Consumes events.notification-requested (the single window) and turns each request into commands for
 * its recipients: the listed user ids and every client of the segment's tags, one page at a time.
 * A replayed request produces the same delivery ids, which senders claim once.
 */
export function createNotificationFanoutConsumer(options: NotificationFanoutOptions): BatchConsumer {
  const logger = options.logger.child({ module: 'notification-fanout' });
  const renderer = createRenderer();
  const deps: Deps = {
    ...options, logger, renderer, batchSize: options.batchSize ?? 1000, clock: options.clock ?? { now: () => Date.now() },
    directory: createDirectoryReader(options.redis, warnCorrupt(logger)),
  };
  return createBatchConsumer<NotificationRequested>({
    kafka: options.kafka, codec: options.codec, producer: options.producer, groupId: options.groupId,
    topics: [{ topic: TOPICS.notificationRequested }], logger,
    // Work is per request: each request's pages carry its trace (platform/kafka/traced-handler.ts).
    tracing: { spanPerTrace: 'notification-fanout' },
    // Both lanes' groups read every request: one of them writes each dead letter (mailing-fanout/lane-dead-letters.ts).
    deadLetterFilter: options.lane ? createLaneDeadLetterFilter(options.groupId, redisDeadLetterClaim(options.redis)) : undefined,
    handler: async (records, ctx) => {
      for (const record of records) {
        const request = record.value;
        // The other lane's request: skipped here and committed with the batch; its own lane handles it.
        if (!request || (options.lane && !belongsToLane(request.priority, options.lane))) continue;
        const problems = requestProblems(request);
        if (problems.length > 0) {
          ctx.deadLetter(record, invalidRecord(`notification request ${request.requestId}`, problems));
          continue;
        }
        try {
          if (request.recurrence) {
            await options.onRecurring?.(request);
            await recordRequest(options.redis, request); // the history's parent of its occurrences
          } else await fanOutRequest(deps, request, () => ctx.heartbeat());
        } catch (error) {
          if (error instanceof VestnikError && !error.retriable) ctx.deadLetter(record, error);
          else throw error;
        }
      }
    },
  });
}

type Deps = NotificationFanoutOptions & { renderer: Renderer; batchSize: number; clock: { now(): number }; directory: DirectoryReader };

async function fanOutRequest(deps: Deps, request: NotificationRequested, heartbeat: () => Promise<void>): Promise<void> {
  // The history record (created once, then running) is begun once the first page's recipients are read, and
  // written while that page is rendered and produced, not before: with Redis fsyncing every write (AOF
  // `always`), its two round trips were 3.6 ms of an idle express notification's path, and a read sent beside
  // them waited for the same fsync (mean of 118; the reads and render before the produce took 4.8 ms, 3.7 now;
  // 2026-12-06). Nothing needs the record earlier: the run can only finish once recordFanout, which waits for it,
  // says how many deliveries to wait for, and a failure of either fails the request, whose retry writes both.
  const history = backgroundTask(() => startRun(deps.redis, request, deps.clock.now()));
  const tally = await producePages(deps, request, heartbeat, history.start).catch(async (error: unknown) => {
    await history.settled(); // before the retry, so it never races the retry's own write
    throw error;
  });
  await history.start();
  // No template: nothing will be sent, a fan-out of zero deliveries, so the run can finish.
  await recordFanout(deps.redis, request.requestId, tally ?? EMPTY_TALLY);
  if (!tally) throw new VestnikError('TEMPLATE_FAILED', `request ${request.requestId} names template ${request.templateId}, which does not exist`);
  deps.logger.info({ requestId: request.requestId, deliveries: tally.total, priority: request.priority }, 'notification fanned out');
}

/**
 * Every page of the request's recipients produced, and their tally; null when its template does not exist.
 * `recipientsRead` is called once a page's recipients are read, before it is rendered and produced.
 */
async function producePages(
  deps: Deps, request: NotificationRequested, heartbeat: () => Promise<void>, recipientsRead: () => void,
): Promise<FanoutTally | null> {
  const template = await deps.directory.template(request.templateId);
  if (!template) return null;
  const context = parseContext(request.contextJson);
  let tally = EMPTY_TALLY;
  for await (const clients of recipientPages(deps, request)) {
    recipientsRead();
    tally = addTally(tally, await producePage(deps, request, template, context, clients));
    await heartbeat();
  }
  return tally;
}

/** Pages of recipients: the listed ids, then each segment tag's clients (each client from its first tag only). */
async function* recipientPages(deps: Deps, request: NotificationRequested): AsyncGenerator<Client[]> {
  for (let i = 0; i < request.userIds.length; i += deps.batchSize) {
    yield deps.directory.clients(request.userIds.slice(i, i + deps.batchSize));
  }
  if (request.segmentTags.length === 0) return;
  const filter = { operatorCodes: [], tags: request.segmentTags };
  const listed = new Set(request.userIds); // already sent to above
  const sets = candidateSets(filter);
  for (const [index, key] of sets.entries()) {
    for await (const ids of deps.directory.indexPages(key, deps.batchSize)) {
      const clients = await deps.directory.clients(ids);
      yield clients.filter((client) => isFirstSetOf(client, filter, index) && !listed.has(client.id));
    }
  }
}

/** A page's commands on the priority's topic (bulk ones as page records) and every status (produce-fanout-page.ts). */
async function producePage(
  deps: Deps, request: NotificationRequested, template: Template, context: Record<string, unknown>, clients: Client[],
): Promise<FanoutTally> {
  const now = deps.clock.now();
  // Gathered before anything of the page is produced: if the service fails, the batch is retried and
  // no recipient gets a half-rendered message (a retry re-produces earlier pages with the same ids).
  const provided = await pageContexts(deps.contexts, template, clients);
  const decisions = clients.flatMap((client) =>
    decideNotification(request, client, template, deps.renderer, now, context, deps.unsubscribeLink, provided(client.id)));
  if (decisions.length === 0) return EMPTY_TALLY;
  const commands = decisions.flatMap((d) => (d.kind === 'deliver' ? [d.command] : []));
  await produceFanoutPage(deps.producer, commands, request.priority, decisions.map((d) => d.status));
  return tallyOf(decisions.map((d) => d.status));
}
