/** Response and query schemas of /api/stats. */
import { DELIVERY_STATUSES, MAILING_STATUSES, SOURCE_TYPES } from '../../schemas/types';
import { IsoInstant, IsoTimestamp } from '../../domain/resources/common';
import { pageQueryShape } from './paging';
import { z } from '../../domain/resources/zod';

const ByStatus = z.record(z.string(), z.number().int()).openapi({ example: { sent: 10, failed: 1 } });

const mailingHeader = {
  id: z.string(),
  status: z.enum(MAILING_STATUSES),
  startAt: IsoTimestamp,
  endAt: IsoTimestamp,
  total: z.number().int(),
  byStatus: ByStatus,
};

/** The longest range `?from=&to=` may ask the statistics for: each query reads every change in it. */
export const MAX_STATS_RANGE_DAYS = 31;
const DAY_MS = 86_400_000;

/** `?from=&to=`: both or neither, ISO 8601 instants with a zone, `to` after `from`, at most `maxDays` apart. */
export function timeRangeShape(what: string) {
  return {
    from: IsoInstant.optional().openapi({ description: `Start of the range (inclusive): ${what}` }),
    to: IsoInstant.optional().openapi({ description: 'End of the range (exclusive); with `from`' }),
  };
}

/** The cross-field rules of timeRangeShape, as 400s naming the parameter. */
export function checkTimeRange(query: { from?: string | undefined; to?: string | undefined }, ctx: z.RefinementCtx, maxDays: number): void {
  if ((query.from === undefined) !== (query.to === undefined)) {
    ctx.addIssue({ code: 'custom', path: [query.from === undefined ? 'from' : 'to'], message: 'from and to go together' });
    return;
  }
  if (query.from === undefined || query.to === undefined) return;
  const span = Date.parse(query.to) - Date.parse(query.from);
  if (span <= 0) ctx.addIssue({ code: 'custom', path: ['to'], message: 'to must be after from' });
  else if (span > maxDays * DAY_MS) ctx.addIssue({ code: 'custom', path: ['to'], message: `the range may span at most ${maxDays} days` });
}

const rangeEcho = {
  from: IsoTimestamp.optional().openapi({ description: 'The range asked for, if any' }),
  to: IsoTimestamp.optional(),
};

export const MailingStatsListQuery = z
  .strictObject(timeRangeShape('counts only messages with a status change in [from, to), by their latest status in it'))
  .superRefine((q, ctx) => checkTimeRange(q, ctx, MAX_STATS_RANGE_DAYS));

export const MailingStatsListSchema = z
  .object({ ...rangeEcho, items: z.array(z.object(mailingHeader).openapi('MailingCounts')) })
  .openapi('MailingStatsList');

const MessageStatSchema = z
  .object({
    deliveryId: z.string(),
    clientId: z.string(),
    channel: z.string(),
    status: z.string(),
    attempts: z.number().int(),
    lastError: z.string().nullable(),
    firstAt: IsoTimestamp,
    lastAt: IsoTimestamp,
  })
  .openapi('MessageStat');

export const MailingStatsDetailSchema = z
  .object({ ...mailingHeader, messages: z.array(MessageStatSchema), nextCursor: z.string().nullable() })
  .openapi('MailingStatsDetail');

export const MailingStatsQuery = z.strictObject({
  ...pageQueryShape,
  status: z.enum(DELIVERY_STATUSES).optional().openapi({ description: 'Only the messages whose current status this is (the counts stay whole)' }),
});

export const ChannelStatsQuery = z
  .strictObject({
    sourceType: z.enum(SOURCE_TYPES).optional()
      .openapi({ description: 'Only this source type; without it, template test sends and daily reports are left out' }),
    sourceId: z.string().min(1).optional(),
    ...timeRangeShape('counts only messages with a status change in [from, to), by their latest status in it'),
  })
  .refine((q) => !q.sourceId || q.sourceType, { path: ['sourceId'], message: 'sourceId needs sourceType' })
  .superRefine((q, ctx) => checkTimeRange(q, ctx, MAX_STATS_RANGE_DAYS));

export const ChannelStatsSchema = z
  .object({ ...rangeEcho, items: z.array(z.object({ channel: z.string(), byStatus: ByStatus }).openapi('ChannelCounts')) })
  .openapi('ChannelStats');
