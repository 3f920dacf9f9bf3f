/** Request and response schemas of the users' own routes (/api/me) and of the unsubscribe pages (/u). */
import { CHANNELS, DELIVERY_STATUSES, SOURCE_TYPES } from '../../schemas/types';
import { IsoTimestamp, TimeWindowSchema } from '../../domain/resources/common';
import { pageOf, pageQueryShape } from './paging';
import { z } from '../../domain/resources/zod';

export const MyNotificationsQuery = z.strictObject(pageQueryShape);

export const MyNotificationSchema = z
  .object({
    id: z.string().openapi({ description: 'The delivery id' }),
    channel: z.enum(CHANNELS),
    sourceType: z.enum(SOURCE_TYPES),
    sourceId: z.string().openapi({ description: 'The mailing, notification request, event… the message came from' }),
    status: z.enum(DELIVERY_STATUSES).openapi({ description: 'The latest status' }),
    attempts: z.number().int(),
    reason: z.string().nullable().openapi({ description: 'Why it has this status (e.g. "promo opt-out"), when known' }),
    firstAt: IsoTimestamp,
    lastAt: IsoTimestamp,
  })
  .openapi('MyNotification');

export const MyNotificationPageSchema = pageOf(MyNotificationSchema, 'MyNotificationPage');

/** Every channel switch may be given; an absent one means "not opted out". */
const ChannelSwitches = z
  .strictObject({ sms: z.boolean().optional(), email: z.boolean().optional(), push: z.boolean().optional(), inapp: z.boolean().optional() })
  .openapi({ example: { sms: true, email: true, push: false, inapp: true } });

/** PUT body: the whole preferences object (a replace, not a merge). */
export const PreferencesBodySchema = z
  .strictObject({
    promo: z.boolean().openapi({ description: 'false: no promotional messages on any channel' }),
    channels: ChannelSwitches,
    quietHours: TimeWindowSchema.nullable().openapi({ description: 'No bulk messages in this local-time window' }),
  })
  .openapi('PreferencesBody');
export type PreferencesBody = z.output<typeof PreferencesBodySchema>;

export const PreferencesSchema = z
  .object({
    promo: z.boolean(),
    channels: z.record(z.string(), z.boolean()),
    quietHours: TimeWindowSchema.nullable(),
  })
  .openapi('Preferences');

export const UnsubscribeParams = z.object({ token: z.string() });
