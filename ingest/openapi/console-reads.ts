/**
 * Request and response schemas of the console's reads and previews: the delivery overview, a filter's
 * audience size, a client's delivery log, template preview and test send (docs in the README's
 * "Operator console" section).
 */
import { CHARTED_STATUSES } from '../../analytics/ports';
import { CHANNELS, SOURCE_TYPES } from '../../schemas/types';
import { IsoTimestamp, Locale, ResourceId } from '../../domain/resources/common';
import { MailingFilterSchema } from '../../domain/resources/mailings';
import { TemplateInputSchema } from '../../domain/resources/templates';
import { z } from '../../domain/resources/zod';
import { pageQueryShape } from './paging';
import { checkTimeRange, timeRangeShape } from './stats';

const Series = z.array(z.number().int());

/** The longest `?from=&to=` the overview charts minute by minute. */
export const MAX_OVERVIEW_RANGE_DAYS = 7;

export const OverviewQuery = z
  .strictObject({
    range: z.enum(['hour', 'day']).optional()
      .openapi({ description: 'The last hour (60 minutes, the default) or day (1440 minutes); or from and to' }),
    ...timeRangeShape(`whole minutes, at most ${MAX_OVERVIEW_RANGE_DAYS} days; instead of range`),
    mailingId: ResourceId.optional().openapi({ description: "Chart one mailing's deliveries only (lag and dead letters stay pipeline-wide)" }),
  })
  .superRefine((q, ctx) => {
    if (q.range !== undefined && (q.from !== undefined || q.to !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['range'], message: 'give range, or from and to, not both' });
      return;
    }
    checkTimeRange(q, ctx, MAX_OVERVIEW_RANGE_DAYS);
    for (const key of ['from', 'to'] as const) {
      const at = q[key];
      if (at !== undefined && Date.parse(at) % 60_000 !== 0) ctx.addIssue({ code: 'custom', path: [key], message: `${key} must be a whole minute` });
    }
  });

export const OverviewSchema = z
  .object({
    range: z.enum(['hour', 'day', 'custom']).openapi({ description: '`custom` for from and to' }),
    mailingId: z.string().nullable(),
    from: IsoTimestamp,
    to: IsoTimestamp,
    bucketSeconds: z.literal(60),
    buckets: z.array(IsoTimestamp).openapi({ description: 'Start of each minute, oldest first, contiguous' }),
    byStatus: z.object(Object.fromEntries(CHARTED_STATUSES.map((s) => [s, Series])) as Record<(typeof CHARTED_STATUSES)[number], typeof Series>),
    byChannel: z.object(Object.fromEntries(CHANNELS.map((c) => [c, Series])) as Record<(typeof CHANNELS)[number], typeof Series>)
      .openapi({ description: 'Sends (status sent) per minute and channel' }),
    sendRatePerMinute: z.number().openapi({ description: 'Sends in the last 5 minutes (the current one included) / 5' }),
    failuresByReason: z.array(z.object({ reason: z.string(), count: z.number().int() }))
      .openapi({ description: 'Top 10 reasons of deliveries whose latest status in the range is failed' }),
    deadLetters: z.object({ total: z.number().int().openapi({ description: 'Records on the dead-letter topic (end - start offsets)' }) }),
    lag: z.array(z.object({ group: z.string(), topic: z.string(), lag: z.number().int() }))
      .openapi({ description: 'Committed lag per consumer group and topic, summed over partitions' }),
  })
  .openapi('DeliveryOverview');

export const AudienceBodySchema = z
  .strictObject({ filter: MailingFilterSchema })
  .openapi('AudienceRequest', { example: { filter: { operatorCodes: ['900'], tags: ['vip'] } } });

export const AudienceSizeSchema = z
  .object({ size: z.number().int().openapi({ description: 'Clients the mailing fan-out would address (suppressed ones included)' }) })
  .openapi('AudienceSize');

export const ClientDeliveriesQuery = z.strictObject(pageQueryShape);

const HistoryEntry = z.object({
  status: z.string(), reason: z.string().nullable(),
  provider: z.string().nullable().openapi({ description: 'The provider that took the call (e.g. sms-api-secondary after a failover), or null' }),
  attempt: z.number().int(), at: IsoTimestamp,
}).openapi('DeliveryHistoryEntry');

export const ClientDeliveryLogSchema = z
  .object({
    items: z.array(z.object({
      deliveryId: z.string(),
      channel: z.enum(CHANNELS),
      sourceType: z.enum(SOURCE_TYPES),
      sourceId: z.string(),
      status: z.string(),
      reason: z.string().nullable(),
      attempts: z.number().int(),
      firstAt: IsoTimestamp,
      lastAt: IsoTimestamp,
      history: z.array(HistoryEntry).openapi({ description: 'Every status change, oldest first (a replayed change once)' }),
    }).openapi('ClientDeliveryLogItem')),
    nextCursor: z.string().nullable(),
  })
  .openapi('ClientDeliveryLog');

const SampleContext = z.record(z.string(), z.unknown()).optional()
  .openapi({ description: 'A request context to render with (as POST /api/notifications passes one); the client and provider data override it' });

export const PreviewBodySchema = z
  .strictObject({
    template: TemplateInputSchema,
    clientId: ResourceId,
    channel: z.enum(CHANNELS),
    locale: Locale.optional().openapi({ description: "Default: the client's locale (then the template's fallback rules)" }),
    context: SampleContext,
  })
  .openapi('TemplatePreviewRequest', {
    example: {
      template: { defaultLocale: 'en', variants: { en: { sms: 'Hi {{name}}' } } },
      clientId: 'c-1', channel: 'sms',
    },
  });

export const PreviewSchema = z
  .object({
    channel: z.enum(CHANNELS),
    locale: z.string().openapi({ description: 'The variant rendered (after the fallback rules)' }),
    subject: z.string().optional().openapi({ description: 'email subject, or push title' }),
    text: z.string(),
    html: z.string().optional(),
  })
  .openapi('TemplatePreview');

/** An address for each channel: a phone for SMS, an email, a device token for push, a client id for in-app. */
const ADDRESS_RULES: Record<(typeof CHANNELS)[number], { test: (to: string) => boolean; message: string }> = {
  sms: { test: (to) => /^7\d{10}$/.test(to), message: 'expected a phone: 7 followed by 10 digits' },
  email: { test: (to) => z.email().safeParse(to).success, message: 'expected an email address' },
  push: { test: (to) => to.length <= 4096, message: 'expected a device token' },
  inapp: { test: (to) => ResourceId.safeParse(to).success, message: 'expected a client id (the in-app inbox)' },
  webhook: { test: (to) => ResourceId.safeParse(to).success, message: 'expected a client id (what the webhook is about)' },
};

export const TestSendBodySchema = z
  .strictObject({
    channel: z.enum(CHANNELS),
    to: z.string().min(1).max(4096).openapi({ description: 'Phone (sms), email (email), device token (push) or client id (inapp)' }),
    clientId: ResourceId.optional().openapi({ description: "A sample client whose data (and context-provider data) the message is rendered with" }),
    locale: Locale.optional(),
    context: SampleContext,
  })
  .superRefine((body, ctx) => {
    const rule = ADDRESS_RULES[body.channel];
    if (!rule.test(body.to)) ctx.addIssue({ code: 'custom', path: ['to'], message: rule.message });
  })
  .openapi('TemplateTestSendRequest', { example: { channel: 'email', to: 'operator@example.com', clientId: 'c-1' } });

export const TestSendAcceptedSchema = z.object({ deliveryId: z.string() }).openapi('TestSendAccepted');
