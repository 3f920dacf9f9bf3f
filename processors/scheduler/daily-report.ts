/**
 * The daily statistics email: when the report time of DAILY_REPORT_TZ passes (domain/daily-report/schedule.ts),
 * the previous local day's totals per mailing and per channel with the top failure reasons, rendered with the
 * built-in template or the admin's (DAILY_REPORT_TEMPLATE_ID), go to every DAILY_REPORT_TO address through
 * Vestnik's own email channel: one express delivery each, sourceType `report`, sourceId the day.
 *
 * Exactly once per day, however many schedulers run and however often they restart, in two layers:
 * 1. The day is claimed in Redis before anything is sent (daily-report-claim.ts): SET NX as a lease, then
 *    "sent" once produced. Schedulers that find it sent remember that and ask no more; one that finds it held
 *    looks again later. So in the normal case one process produces one command per recipient.
 * 2. A delivery id is deterministic in (day, recipient): uuidv5 of report × day × recipient × email. If a
 *    claimant dies after producing but before writing "sent", its lease runs out and another scheduler
 *    produces again, with the same ids: the express senders claim each delivery id once
 *    (senders/core/claims.ts), so the redo sends nothing already sent, and a `queued` status written twice
 *    has one status id. The guarantee is therefore: at most one email per recipient and day (layer 2), and
 *    at least one while some scheduler runs before the next day's report is due (layer 1's lease expiry).
 * A report whose time was missed (no scheduler running) is sent late, until the next day's becomes due.
 */
import { createHash } from 'node:crypto';
import { buildReportModel, type DayTotals } from '../../domain/daily-report/model';
import { dueReport, reportTimeOf, type ReportDay, type ReportSchedule } from '../../domain/daily-report/schedule';
import { addressedDelivery, type ExpressDeliveries } from '../../domain/deliveries/express';
import { describeError } from '../../platform/errors';
import type { Logger } from '../../platform/logger';
import type { DirectoryReader } from '../../platform/redis/directory';
import type { Mailing, MessageContent, Template } from '../../schemas/types';
import { renderTemplate, type Renderer } from '../rendering/render';
import type { ReportClaims } from './daily-report-claim';
import { DAILY_REPORT_TEMPLATE } from './daily-report-template';

/** What the report needs from analytics: a day's totals (analytics/day-totals.ts, injected by cli/roles/scheduler.ts). */
export interface ReportTotals {
  of(range: { fromMs: number; toMs: number }): Promise<DayTotals>;
}

export interface DailyReportConfig extends ReportSchedule {
  /** No recipients: no report. */
  recipients: readonly string[];
  templateId?: string | undefined;
}

export interface DailyReportOptions {
  config: DailyReportConfig;
  claims: ReportClaims;
  totals: ReportTotals;
  directory: Pick<DirectoryReader, 'mailings' | 'template'>;
  deliveries: ExpressDeliveries;
  renderer: Renderer;
  logger: Logger;
}

/** What one look at the clock did. */
export type ReportRun = 'off' | 'already-sent' | 'held-elsewhere' | 'sent';

export interface DailyReport {
  /** Sends the due day's report if nobody has: at most a Redis round trip when it is not ours to send. */
  runIfDue(now: number): Promise<ReportRun>;
}

export function createDailyReport(options: DailyReportOptions): DailyReport {
  const { config, claims } = options;
  const log = options.logger.child({ module: 'daily-report' });
  // The last day this process knows was sent: after the first look, it asks Redis nothing until the next day is due.
  let lastSent: string | null = null;

  async function send(due: ReportDay, now: number): Promise<void> {
    const totals = await options.totals.of(due);
    const ids = totals.mailings.map((m) => m.mailingId);
    const docs = await options.directory.mailings(ids);
    const model = buildReportModel({
      range: due, timezone: config.timezone, totals, generatedAt: now,
      mailings: new Map<string, Mailing | null>(ids.map((id, i) => [id, docs[i] ?? null])),
    });
    const content = await render(model);
    // Undelivered by the time the next report is due, it would only be a stale copy of that one.
    const expiresAt = reportTimeOf(dayAfter(due.day), config);
    for (const recipient of config.recipients) {
      const { command, status } = addressedDelivery({
        sourceType: 'report', sourceId: due.day, clientId: reportRecipientId(recipient), channel: 'email', address: recipient,
        content, timezone: config.timezone, expiresAt, reason: `daily report of ${due.day}`, now,
      });
      await options.deliveries.enqueue(command, status);
    }
    log.info({ day: due.day, recipients: config.recipients.length, mailings: model.mailings.length, messages: model.all.total }, 'daily report queued');
  }

  /** The admin's template when configured and it renders, else the built-in one (with a warning saying why). */
  async function render(model: object): Promise<MessageContent> {
    if (config.templateId) {
      const stored: Template | null = await options.directory.template(config.templateId);
      if (stored) {
        try {
          return renderTemplate(options.renderer, stored, 'email', stored.defaultLocale, model);
        } catch (error) {
          log.warn({ templateId: config.templateId, err: describeError(error) }, 'daily report template does not render: the built-in one is sent');
        }
      } else {
        log.warn({ templateId: config.templateId }, 'daily report template not found: the built-in one is sent');
      }
    }
    return renderTemplate(options.renderer, DAILY_REPORT_TEMPLATE, 'email', 'en', model);
  }

  return {
    async runIfDue(now) {
      if (config.recipients.length === 0) return 'off';
      const due = dueReport(now, config);
      if (lastSent === due.day) return 'already-sent';
      const claim = await claims.claim(due.day);
      if (claim === 'held') {
        log.debug({ day: due.day }, 'daily report being sent by another scheduler');
        return 'held-elsewhere';
      }
      if (claim === 'sent') {
        // Once per day and process: from here on this process knows, and asks Redis no more.
        log.info({ day: due.day }, 'daily report already sent');
        lastSent = due.day;
        return 'already-sent';
      }
      try {
        await send(due, now);
      } catch (error) {
        await claims.release(due.day).catch(() => undefined); // the lease would run out anyway
        throw error;
      }
      await claims.markSent(due.day);
      lastSent = due.day;
      return 'sent';
    },
  };
}

/**
 * The delivery's client id for a report recipient: a digest of the address (lower-cased), so the id is
 * deterministic per recipient while the address itself stays out of ClickHouse's client column and logs.
 */
export function reportRecipientId(address: string): string {
  return `report:${createHash('sha256').update(address.trim().toLowerCase()).digest('hex').slice(0, 24)}`;
}

function dayAfter(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}
