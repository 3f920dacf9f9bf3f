import { VestnikError } from '../../platform/errors';
import type { TypedProducer } from '../../platform/kafka';
import type { Logger } from '../../platform/logger';
import type { Redis } from '../../platform/redis/client';
import { KEYS } from '../../platform/redis/keys';
import { TOPICS } from '../../platform/topics';
import type { Client, DeliveryCommand, DeliveryStatus, Mailing, MessageContent, Template } from '../../schemas/types';
import { renderTemplate, type Renderer } from '../rendering/render';
import { candidateSets, decideForClient, isFirstSetOf, mailingContext, matchesFilter } from './decide';
import { statusOf } from '../../senders/core/outcome';

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
 * holds one page whatever the audience size. Each page is one Redis MGET, one Kafka request (commands
 * and their statuses together) and one checkpoint write. A crash repeats at most the page in flight;
 * its commands carry the same delivery ids, so senders send them once.
 */
export async function runFanout(deps: FanoutDeps, mailingId: string, heartbeat: () => Promise<void>): Promise<void> {
  const log = deps.logger.child({ mailingId });
  const mailing = await deps.loadMailing(mailingId);
  if (!mailing || mailing.status === 'cancelled') {
    log.info('mailing gone or cancelled before its fan-out; nothing to send');
    return;
  }
  const checkpoint = await loadCheckpoint(deps.redis, mailingId);
  if (checkpoint.done) return;
  if (deps.clock.now() >= mailing.endAt) {
    await deps.redis.hset(KEYS.mailingRun(mailingId), { status: 'finished', finishedAt: deps.clock.now(), note: 'ended before it started' });
    log.info('mailing ended before it started; nothing to send');
    return;
  }
  await deps.redis.multi()
    .hset(KEYS.mailingRun(mailingId), { status: 'running' })
    .hsetnx(KEYS.mailingRun(mailingId), 'startedAt', String(deps.clock.now()))
    .sadd(KEYS.runningMailings, mailingId)
    .exec();
  const template = mailing.templateId ? await deps.loadTemplate(mailing.templateId) : null;
  if (mailing.templateId && !template) {
    throw new VestnikError('TEMPLATE_FAILED', `mailing ${mailingId} names template ${mailing.templateId}, which does not exist`);
  }
  const sets = candidateSets(mailing.filter);
  log.info({ sets: sets.length, resumeAt: checkpoint }, 'fan-out started');
  while (checkpoint.set < sets.length) {
    const setKey = sets[checkpoint.set] as string;
    const ids = await deps.redis.zrangebylex(setKey, checkpoint.after ? `(${checkpoint.after}` : '-', '+', 'LIMIT', 0, deps.batchSize);
    if (ids.length === 0) {
      checkpoint.set += 1;
      checkpoint.after = '';
      continue;
    }
    const live = await deps.loadMailing(mailingId);
    if (!live || live.status === 'cancelled') {
      log.info({ checkpoint }, 'mailing cancelled during its fan-out; stopping');
      return;
    }
    const clients = (await deps.loadClients(ids)).filter(
      (client) => matchesFilter(client, mailing.filter) && isFirstSetOf(client, mailing.filter, checkpoint.set),
    );
    const page = decidePage(deps, mailing, template, clients);
    await produceQueuedPage(deps.producer, mailing, page);
    checkpoint.after = ids[ids.length - 1] as string;
    checkpoint.queued += page.commands.length;
    checkpoint.suppressed += page.statuses.length - page.commands.length;
    await saveCheckpoint(deps.redis, mailingId, checkpoint);
    await heartbeat();
  }
  checkpoint.done = true;
  await saveCheckpoint(deps.redis, mailingId, checkpoint);
  await deps.redis.hset(KEYS.mailingRun(mailingId), { fanoutDone: '1', fanoutTotal: checkpoint.queued + checkpoint.suppressed });
  log.info({ queued: checkpoint.queued, suppressed: checkpoint.suppressed }, 'fan-out finished');
}

interface Page {
  commands: DeliveryCommand[];
  statuses: DeliveryStatus[];
}

const NO_CONTENT: MessageContent = { text: '', subject: null, html: null, title: null, headers: {} };

/** Decides every client of a page; renders only for those who get a message. */
function decidePage(deps: FanoutDeps, mailing: Mailing, template: Template | null, clients: Client[]): Page {
  const now = deps.clock.now();
  const page: Page = { commands: [], statuses: [] };
  for (const client of clients) {
    const decision = decideForClient(mailing, client, NO_CONTENT, now);
    if (decision.kind === 'suppress') {
      page.statuses.push(decision.status);
      continue;
    }
    try {
      const content = renderFor(deps, mailing, template, client);
      page.commands.push({ ...decision.command, content });
      page.statuses.push(decision.status);
    } catch (error) {
      // A template that cannot render for this client sends nothing and says why (TEMPLATE_FAILED).
      page.statuses.push(statusOf(decision.command, 'failed', now, `template failed: ${(error as Error).message}`));
    }
  }
  return page;
}

function renderFor(deps: FanoutDeps, mailing: Mailing, template: Template | null, client: Client): MessageContent {
  const context = mailingContext(mailing, client);
  if (template) return renderTemplate(deps.renderer, template, mailing.channel, client.locale, context);
  return { ...NO_CONTENT, text: deps.renderer.render(mailing.text ?? '', context) };
}

async function produceQueuedPage(producer: TypedProducer, mailing: Mailing, page: Page): Promise<void> {
  if (page.statuses.length === 0) return;
  const commandTopic = mailing.priority === 'express' ? TOPICS.deliveriesExpress : TOPICS.deliveriesBulk;
  await producer.sendBatch([
    { topic: commandTopic, records: page.commands.map((command) => ({ key: command.clientId, value: command })), schema: 'deliveries.command' },
    { topic: TOPICS.deliveriesStatus, records: page.statuses.map((status) => ({ key: status.deliveryId, value: status })) },
  ]);
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
