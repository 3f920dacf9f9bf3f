/** Response and query schemas of /api/stats. */
import { MAILING_STATUSES, SOURCE_TYPES } from '../../schemas/types';
import { IsoTimestamp } from '../../domain/resources/common';
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

export const MailingStatsListSchema = z
  .object({ items: z.array(z.object(mailingHeader).openapi('MailingCounts')) })
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

export const MailingStatsQuery = z.strictObject(pageQueryShape);

export const ChannelStatsQuery = z
  .strictObject({ sourceType: z.enum(SOURCE_TYPES).optional(), sourceId: z.string().min(1).optional() })
  .refine((q) => !q.sourceId || q.sourceType, { path: ['sourceId'], message: 'sourceId needs sourceType' });

export const ChannelStatsSchema = z
  .object({ items: z.array(z.object({ channel: z.string(), byStatus: ByStatus }).openapi('ChannelCounts')) })
  .openapi('ChannelStats');
