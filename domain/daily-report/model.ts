/**
 * What the daily statistics email shows: the data its template is rendered with (the built-in one, or an
 * admin's, DAILY_REPORT_TEMPLATE_ID), built from the day's totals by a pure function. The README's
 * "Daily statistics email" lists these fields for template authors; change both together.
 */
import { DELIVERY_STATUSES, type Channel, type Mailing } from '../../schemas/types';
import type { ReportDay } from './schedule';

/** Messages by their latest status in the day (statuses with none left out), and their sum. */
export interface StatusTotals {
  total: number;
  byStatus: Record<string, number>;
}

/**
 * What analytics counts for one day [fromMs, toMs): the messages each mailing and each channel had a status
 * change for, by the latest status in the day, and the top reasons of those whose latest status is failed.
 * Template test sends and the reports themselves are not traffic and are left out.
 */
export interface DayTotals {
  mailings: ({ mailingId: string } & StatusTotals)[];
  channels: ({ channel: Channel } & StatusTotals)[];
  failures: { reason: string; count: number }[];
}

/** Totals as a template uses them: the map for `{{byStatus.sent}}`, the list (lifecycle order) for `{{#each statuses}}`. */
export interface ModelTotals extends StatusTotals {
  statuses: { status: string; count: number }[];
}

export interface ReportModel {
  /** The local day reported (yyyy-MM-dd), its zone, and its instants [from, to) in ISO 8601 UTC. */
  day: string;
  timezone: string;
  from: string;
  to: string;
  /** 24, or 23 / 25 on a DST day. */
  hours: number;
  /** When this report was put together (ISO 8601 UTC). */
  generatedAt: string;
  /** Every message of the day (the sum over channels). */
  all: ModelTotals;
  /** Mailings with messages that day, most messages first; `label` is the text's start or its template, null once deleted. */
  mailings: ({ id: string; label: string | null } & ModelTotals)[];
  /** Channels with messages that day, in the order sms, email, push, inapp. */
  channels: ({ channel: Channel } & ModelTotals)[];
  /** The most frequent reasons of failed messages, most frequent first. */
  failures: { reason: string; count: number }[];
}

export interface ReportInput {
  range: ReportDay;
  timezone: string;
  totals: DayTotals;
  /** The mailings' documents by id, for their labels (absent or null: deleted). */
  mailings: ReadonlyMap<string, Mailing | null>;
  generatedAt: number;
}

const LABEL_LENGTH = 60;
const CHANNEL_ORDER: readonly Channel[] = ['sms', 'email', 'push', 'inapp', 'webhook'];

/** The report's model from the day's totals. */
export function buildReportModel(input: ReportInput): ReportModel {
  const { range, totals } = input;
  const channels = [...totals.channels]
    .sort((a, b) => CHANNEL_ORDER.indexOf(a.channel) - CHANNEL_ORDER.indexOf(b.channel))
    .map(({ channel, ...counts }) => ({ channel, ...modelTotals(counts) }));
  const mailings = [...totals.mailings]
    .sort((a, b) => b.total - a.total || (a.mailingId < b.mailingId ? -1 : 1))
    .map(({ mailingId, ...counts }) => ({ id: mailingId, label: mailingLabel(input.mailings.get(mailingId) ?? null), ...modelTotals(counts) }));
  return {
    day: range.day,
    timezone: input.timezone,
    from: new Date(range.fromMs).toISOString(),
    to: new Date(range.toMs).toISOString(),
    hours: Math.round((range.toMs - range.fromMs) / 3_600_000 * 100) / 100,
    generatedAt: new Date(input.generatedAt).toISOString(),
    all: modelTotals(sumTotals(totals.channels)),
    mailings,
    channels,
    failures: totals.failures.map(({ reason, count }) => ({ reason, count })),
  };
}

/** A mailing as a reader recognises it: the start of its text on one line, or its template. */
export function mailingLabel(mailing: Mailing | null): string | null {
  if (!mailing) return null;
  if (mailing.text !== null) {
    const line = mailing.text.replace(/\s+/g, ' ').trim();
    return line.length > LABEL_LENGTH ? `${line.slice(0, LABEL_LENGTH - 1)}…` : line;
  }
  return mailing.templateId !== null ? `template ${mailing.templateId}` : null;
}

function modelTotals(counts: StatusTotals): ModelTotals {
  // The lifecycle's order first, then any status this code does not know yet (alphabetically); zeros left out.
  const order = DELIVERY_STATUSES as readonly string[];
  const rank = (status: string) => (order.includes(status) ? order.indexOf(status) : order.length);
  const statuses = Object.entries(counts.byStatus)
    .filter(([, count]) => count > 0)
    .sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : 1))
    .map(([status, count]) => ({ status, count }));
  return { total: counts.total, byStatus: Object.fromEntries(statuses.map(({ status, count }) => [status, count])), statuses };
}

function sumTotals(rows: readonly StatusTotals[]): StatusTotals {
  const byStatus: Record<string, number> = {};
  let total = 0;
  for (const row of rows) {
    total += row.total;
    for (const [status, n] of Object.entries(row.byStatus)) byStatus[status] = (byStatus[status] ?? 0) + n;
  }
  return { total, byStatus };
}
