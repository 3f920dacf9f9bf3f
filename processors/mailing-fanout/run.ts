import { VestnikError } from '../../platform/errors';
import type { TypedProducer } from '../../platform/kafka';
import type { Logger } from '../../platform/logger';
import type { Redis } from '../../platform/redis/client';
import { KEYS } from '../../platform/redis/keys';
import type { Client, DeliveryCommand, DeliveryStatus, Mailing, MessageContent, Template } from '../../schemas/types';
import type { UnsubscribeLinks } from '../../platform/unsubscribe';
import { createDirectoryReader } from '../../platform/redis/directory';
import { candidateSets, isFirstSetOf, matchesFilter } from '../../domain/audience';
import { eventStamp } from '../../domain/deliveries/build';
import { produceFanoutPage } from '../produce-fanout-page';
import { finishBeforeStart, recordFanoutDone, startRun } from '../../domain/mailing-run/record';
import { NO_PROVIDED_CONTEXT, pageContexts, type ContextSource, type RecipientContexts } from '../context-providers';
import { renderTemplate, type Renderer } from '../rendering/render';
import { withUnsubscribeLink } from '../rendering/unsubscribe-link';
import { decideForClient, mailingContext, unsubscribeUrlFor } from './decide';

export interface FanoutDeps {
  redis: Redis;
  producer: TypedProducer;
  renderer: Renderer;
  clock: { now(): number };
  batchSize: number;
  logger: Logger;
  loadMailing(id: string): Promise<Mailing | null>;
  loadTemplate(id: string): Promise<Template | null>;
  loadClients(ids: string[]): Promise<Client[]>;
  /** Builds a client's unsubscribe URL for promo email mailings. */
  unsubscribeLink?: UnsubscribeLinks;
  /** The user-data service, for templates with a contextProvider (processors/context-providers). */
  contexts?: ContextSource;
}

/** The mailing-started event: which mailing, and when it started (the stamp of every status the fan-out writes). */
export interface StartEvent {
  mailingId: string;
  occurredAt: number;
}

/** Where a fan-out stands: the index set being walked and the last client id done in it. */
interface Checkpoint {
  set: number;
  after: string;
  queued: number;
  suppressed: number;
  done: boolean;
}

/**
 * Walks the mailing's audience one page of ids at a time (ZRANGEBYLEX over the index sets), so memory
 * holds two pages whatever the audience size. Each page is one Redis MGET, one Kafka request (its commands
 * and statuses as page records; more requests only for large contents: produce-fanout-page.ts) and one
 * checkpoint write. The next page is read and rendered while the previous one is being produced (the
 * produce is mostly waiting on the broker); checkpoints still advance in page order, each only after its
 * page is acknowledged. A crash repeats at most the two pages in flight; their commands carry the same
 * delivery ids, so senders send them once.
 */
export async function runFanout(deps: FanoutDeps, started: StartEvent, heartbeat: () => Promise<void>): Promise<void> {
  const { mailingId } = started;
  const log = deps.logger.child({ mailingId });
  const mailing = await deps.loadMailing(mailingId);
  // The scheduler starts only mailings in the view, so an unknown id is a bad event (or a mailing deleted
  // as it started): dead-lettered with the reason rather than dropped without a trace.
  if (!mailing) throw new VestnikError('NOT_FOUND', `mailing ${mailingId} does not exist`);
  if (mailing.status === 'cancelled') {
    log.info('mailing cancelled before its fan-out; nothing to send');
    return;
  }
  const checkpoint = await loadCheckpoint(deps.redis, mailingId);
  if (checkpoint.done) return;
  if (deps.clock.now() >= mailing.endAt) {
    await finishBeforeStart(deps.redis, mailingId, deps.clock.now());
    log.info('mailing ended before it started; nothing to send');
    return;
  }
  await startRun(deps.redis, mailingId, deps.clock.now());
  const template = mailing.templateId ? await deps.loadTemplate(mailing.templateId) : null;
  if (mailing.templateId && !template) {
    throw new VestnikError('TEMPLATE_FAILED', `mailing ${mailingId} names template ${mailing.templateId}, which does not exist`);
  }
  const sets = candidateSets(mailing.filter);
  log.info({ sets: sets.length, resumeAt: checkpoint }, 'fan-out started');
  const outcome = await walkAudience({ deps, mailing, template, sets, checkpoint, heartbeat, startedAt: started.occurredAt });
  if (outcome === 'cancelled') {
    log.info({ checkpoint }, 'mailing cancelled during its fan-out; stopping');
    return;
  }
  checkpoint.done = true;
  await saveCheckpoint(deps.redis, mailingId, checkpoint);
  await recordFanoutDone(deps.redis, mailingId, checkpoint.queued + checkpoint.suppressed);
  log.info({ queued: checkpoint.queued, suppressed: checkpoint.suppressed }, 'fan-out finished');
}

interface Walk {
  deps: FanoutDeps;
  mailing: Mailing;
  template: Template | null;
  sets: string[];
  checkpoint: Checkpoint;
  heartbeat: () => Promise<void>;
  startedAt: number;
}

/**
 * The pages from the checkpoint to the end of the last set, or until the mailing is cancelled. Reading
 * runs up to one page ahead of the checkpoint; the checkpoint ends at the end of the audience.
 */
async function walkAudience({ deps, mailing, template, sets, checkpoint, heartbeat, startedAt }: Walk): Promise<'done' | 'cancelled'> {
  const cursor = { set: checkpoint.set, after: checkpoint.after };
  const index = createDirectoryReader(deps.redis);
  const inFlight = createPageInFlight();
  try {
    while (cursor.set < sets.length) {
      const ids = await index.indexPage(sets[cursor.set] as string, cursor.after, deps.batchSize);
      if (ids.length === 0) {
        cursor.set += 1;
        cursor.after = '';
        continue;
      }
      const live = await deps.loadMailing(mailing.id);
      if (!live || live.status === 'cancelled') {
        await inFlight.settled();
        return 'cancelled';
      }
      const clients = (await deps.loadClients(ids)).filter(
        (client) => matchesFilter(client, mailing.filter) && isFirstSetOf(client, mailing.filter, cursor.set),
      );
      // Before anything of the page is produced: a failing user-data service retries the page (checkpoint unchanged).
      const provided = template ? await pageContexts(deps.contexts, template, clients) : NO_PROVIDED_CONTEXT;
      const page = decidePage(deps, mailing, template, clients, provided, startedAt);
      cursor.after = ids[ids.length - 1] as string;
      const reached = { set: cursor.set, after: cursor.after };
      await inFlight.settled();
      inFlight.start(async () => {
        await produceQueuedPage(deps.producer, mailing, page);
        Object.assign(checkpoint, reached);
        checkpoint.queued += page.commands.length;
        checkpoint.suppressed += page.statuses.length - page.commands.length;
        await saveCheckpoint(deps.redis, mailing.id, checkpoint);
        await heartbeat();
      });
    }
    await inFlight.settled();
  } catch (error) {
    // Never leave a page being produced behind a failed fan-out: its retry would race the late checkpoint.
    await inFlight.settled().catch(() => undefined);
    throw error;
  }
  Object.assign(checkpoint, cursor);
  return 'done';
}

/**
 * The one page being produced while the next is read. Its failure surfaces at the next settled() (and
 * fails the fan-out there); until then it is held, so it is never an unhandled rejection.
 */
function createPageInFlight() {
  let current: Promise<void> = Promise.resolve();
  return {
    start(work: () => Promise<void>): void {
      const running = work();
      running.catch(() => undefined);
      current = running;
    },
    settled: (): Promise<void> => current,
  };
}

export interface Page {
  commands: DeliveryCommand[];
  statuses: DeliveryStatus[];
}

const NO_CONTENT: MessageContent = { text: '', subject: null, html: null, title: null, headers: {} };

/** Decides every client of a page; renders only for those who get a message. */
function decidePage(
  deps: FanoutDeps, mailing: Mailing, template: Template | null, clients: Client[], provided: RecipientContexts, startedAt: number,
): Page {
  const now = deps.clock.now();
  const at = eventStamp(startedAt, now);
  const page: Page = { commands: [], statuses: [] };
  for (const client of clients) {
    const recipientContext = provided(client.id);
    const render = recipientContext === null ? null : () => renderFor(deps, mailing, template, client, recipientContext);
    const decision = decideForClient(mailing, client, render, now, at);
    if (decision.kind === 'deliver') page.commands.push(decision.command);
    page.statuses.push(decision.status);
  }
  return page;
}

/** The content of one client's message in a mailing (its template or text, its context, its unsubscribe link). */
export function renderFor(
  deps: Pick<FanoutDeps, 'renderer' | 'unsubscribeLink'>, mailing: Mailing, template: Template | null, client: Client, recipientContext: Record<string, unknown>,
): MessageContent {
  const unsubscribeUrl = unsubscribeUrlFor(mailing, client, deps.unsubscribeLink);
  const context = { ...recipientContext, ...mailingContext(mailing, client, unsubscribeUrl) };
  const content = template
    ? renderTemplate(deps.renderer, template, mailing.channel, client.locale, context)
    : { ...NO_CONTENT, text: deps.renderer.render(mailing.text ?? '', context) };
  return unsubscribeUrl ? withUnsubscribeLink(content, unsubscribeUrl) : content;
}

/** One page's commands and statuses, as page records (produce-fanout-page.ts). */
export async function produceQueuedPage(producer: TypedProducer, mailing: Mailing, page: Page): Promise<void> {
  if (page.statuses.length === 0) return;
  await produceFanoutPage(producer, page.commands, mailing.priority, page.statuses);
}

async function loadCheckpoint(redis: Redis, mailingId: string): Promise<Checkpoint> {
  const raw = await redis.hgetall(KEYS.fanoutCursor(mailingId));
  return {
    set: Number(raw.set ?? 0), after: raw.after ?? '', queued: Number(raw.queued ?? 0),
    suppressed: Number(raw.suppressed ?? 0), done: raw.done === '1',
  };
}

async function saveCheckpoint(redis: Redis, mailingId: string, checkpoint: Checkpoint): Promise<void> {
  await redis.hset(KEYS.fanoutCursor(mailingId), {
    set: checkpoint.set, after: checkpoint.after, queued: checkpoint.queued, suppressed: checkpoint.suppressed,
    done: checkpoint.done ? '1' : '0',
  });
}
