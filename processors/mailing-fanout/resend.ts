/**
 * Re-sending a mailing's finally failed deliveries (events.mailing-resend-requested), page by page.
 *
 * Which messages failed is analytics' to say (ClickHouse), and processors may not import analytics: the
 * port `FailedMessages` is declared here and the composition root (cli/roles/processors.ts) passes
 * analytics' implementation (analytics/failed-deliveries.ts) in.
 *
 * Never twice: the re-send of a message is round `sends` (1 after the original alone), and its delivery id
 * is deterministic in (original delivery, round). A repeated request, or this event replayed after a
 * crash, either finds the message no longer failed (its re-send is queued or further) or, while analytics
 * has not yet seen the re-send's `queued`, computes the same round and the same delivery id, which the
 * senders claim once (senders/core/claims.ts).
 */
import { VestnikError } from '../../platform/errors';
import type { Logger } from '../../platform/logger';
import type { TypedProducer } from '../../platform/kafka';
import type { Client, Mailing, MailingResendRequested, Template } from '../../schemas/types';
import { eventStamp } from '../../domain/deliveries/build';
import { NO_PROVIDED_CONTEXT, pageContexts, type ContextSource } from '../context-providers';
import type { Renderer } from '../rendering/render';
import type { UnsubscribeLinks } from '../../platform/unsubscribe';
import { decideResend } from './decide';
import { produceQueuedPage, renderFor, type Page } from './run';

/** One failed message of a mailing, as analytics reports it (analytics/failed-deliveries.ts). */
export interface FailedMessage {
  clientId: string;
  channel: string;
  /** Deliveries so far (the original is 1): the next re-send's round. */
  sends: number;
}

/** What the re-send needs from analytics: the source's finally failed messages, ordered by client and channel. */
export interface FailedMessages {
  page(sourceType: 'mailing', sourceId: string, after: { clientId: string; channel: string } | null, limit: number): Promise<FailedMessage[]>;
}

export interface ResendDeps {
  producer: TypedProducer;
  renderer: Renderer;
  clock: { now(): number };
  batchSize: number;
  logger: Logger;
  failed: FailedMessages;
  loadMailing(id: string): Promise<Mailing | null>;
  loadTemplate(id: string): Promise<Template | null>;
  loadClients(ids: string[]): Promise<Client[]>;
  unsubscribeLink?: UnsubscribeLinks;
  contexts?: ContextSource;
}

/** Re-sends every finally failed message of the event's mailing once; returns how many were re-sent. */
export async function runResend(deps: ResendDeps, event: MailingResendRequested, heartbeat: () => Promise<void>): Promise<number> {
  const log = deps.logger.child({ mailingId: event.mailingId, eventId: event.eventId });
  const mailing = await deps.loadMailing(event.mailingId);
  if (!mailing) throw new VestnikError('NOT_FOUND', `mailing ${event.mailingId} does not exist`);
  if (mailing.status === 'cancelled' || deps.clock.now() >= mailing.endAt) {
    // Nothing is delivered after endAt or once cancelled: a re-send now would only expire.
    log.info({ status: mailing.status }, 'mailing cancelled or ended; nothing re-sent');
    return 0;
  }
  const template = mailing.templateId ? await deps.loadTemplate(mailing.templateId) : null;
  if (mailing.templateId && !template) {
    throw new VestnikError('TEMPLATE_FAILED', `mailing ${mailing.id} names template ${mailing.templateId}, which does not exist`);
  }
  const at = eventStamp(event.occurredAt, deps.clock.now());
  let after: { clientId: string; channel: string } | null = null;
  let resent = 0;
  for (;;) {
    const failed = await deps.failed.page('mailing', mailing.id, after, deps.batchSize);
    if (failed.length === 0) break;
    const page = await decideResendPage(deps, mailing, template, failed, at);
    await produceQueuedPage(deps.producer, mailing, page);
    resent += page.commands.length;
    const last = failed[failed.length - 1] as FailedMessage;
    after = { clientId: last.clientId, channel: last.channel };
    await heartbeat();
    if (failed.length < deps.batchSize) break;
  }
  log.info({ resent }, 'failed deliveries re-sent');
  return resent;
}

/** One page: a re-send (or the status saying why not) for each failed message of a client still in the directory. */
async function decideResendPage(
  deps: ResendDeps, mailing: Mailing, template: Template | null, failed: FailedMessage[], at: number,
): Promise<Page> {
  const rounds = new Map(failed.filter((f) => f.channel === mailing.channel).map((f) => [f.clientId, f.sends]));
  // A client deleted since is not re-sent (and stays failed).
  const clients = (await deps.loadClients([...rounds.keys()])).filter((client) => rounds.has(client.id));
  const provided = template ? await pageContexts(deps.contexts, template, clients) : NO_PROVIDED_CONTEXT;
  const now = deps.clock.now();
  const page: Page = { commands: [], statuses: [] };
  for (const client of clients) {
    const recipientContext = provided(client.id);
    const render = recipientContext === null ? null : () => renderFor(deps, mailing, template, client, recipientContext);
    const decision = decideResend(mailing, client, rounds.get(client.id) as number, render, now, at);
    if (decision.kind === 'deliver') page.commands.push(decision.command);
    page.statuses.push(decision.status);
  }
  return page;
}
