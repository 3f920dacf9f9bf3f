/** Schemas of the broadcast history: GET /api/notifications and GET /api/notifications/{id}. */
import { MAILING_STATUSES } from '../../schemas/types';
import { IsoTimestamp } from '../../domain/resources/common';
import { pageOf, pageQueryShape } from './paging';
import { z } from '../../domain/resources/zod';

/** channel → status → deliveries; statuses without deliveries are left out. */
export const ChannelStatusCountsSchema = z
  .record(z.string(), z.record(z.string(), z.number().int()))
  .openapi('ChannelStatusCounts', { example: { push: { sent: 1, fallback: 1 }, email: { sent: 2, suppressed: 1 } } });

const runShape = {
  id: z.string(),
  status: z.enum(MAILING_STATUSES).openapi({ description: 'scheduled → running → finished (every delivery final), or cancelled' }),
  templateId: z.string(),
  priority: z.string(),
  promo: z.boolean(),
  channels: z.array(z.string()),
  notBefore: IsoTimestamp.nullable(),
  expiresAt: IsoTimestamp.nullable(),
  recurrence: z.object({ cron: z.string(), timezone: z.string() }).nullable(),
  requestedBy: z.string().nullable(),
  parentId: z.string().nullable().openapi({ description: 'The recurring request this is an occurrence of' }),
  createdAt: IsoTimestamp,
  startedAt: IsoTimestamp.nullable(),
  finishedAt: IsoTimestamp.nullable(),
  cancelledAt: IsoTimestamp.nullable(),
  total: z.number().int().nullable().openapi({
    description: 'Deliveries the fan-out decided (queued + suppressed + failed); null while it runs. A recurring request sums its listed occurrences.',
  }),
  counts: ChannelStatusCountsSchema,
};

export const NotificationRunSchema = z.object(runShape).openapi('NotificationRun');

export const NotificationHistorySchema = z
  .object({
    ...runShape,
    occurrenceCount: z.number().int().optional().openapi({ description: 'Recurring requests: how many times it fired' }),
    occurrences: z.array(NotificationRunSchema).optional().openapi({ description: 'Recurring requests: the latest occurrences, newest first' }),
  })
  .openapi('NotificationHistory');

export const NotificationRunListSchema = pageOf(NotificationRunSchema, 'NotificationRunList');

export const NotificationListQuery = z.strictObject({ ...pageQueryShape, status: z.enum(MAILING_STATUSES).optional() });
