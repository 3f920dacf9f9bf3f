/** A client (a person Vestnik sends to): its input, patch and view schemas, owned here for every stage. */
import { isKnownTimeZone } from '../../platform/time-zones';
import { CHANNELS } from '../../schemas/types';
import { IsoTimestamp, Locale, ResourceId, TimeWindowSchema } from './common';
import { z } from './zod';

export const OperatorCode = z.string().regex(/^\d{3}$/, 'expected 3 digits').openapi({ example: '900' });
// '' is "no phone": a user the welcome processor created from a registration, reachable by email only.
const PhoneOrNone = z.string().regex(/^(7\d{10})?$/, "expected 7 followed by 10 digits, or '' for none")
  .openapi({ description: "7 followed by 10 digits, or '' for none (no SMS address)", example: '79001234567' });
const OperatorCodeOrNone = z.string().regex(/^(\d{3})?$/, "expected 3 digits, or '' without a phone").openapi({ example: '900' });
const Timezone = z
  .string()
  .refine((zone) => isKnownTimeZone(zone), 'expected an IANA time zone like Europe/Moscow')
  .openapi({ example: 'Europe/Moscow' });
export const Tag = z.string().min(1).max(64);
const ChannelSwitches = z.partialRecord(z.enum(CHANNELS), z.boolean()).openapi({ example: { sms: true, email: false } });

const PreferencesInput = z
  .strictObject({
    promo: z.boolean().default(true),
    channels: ChannelSwitches.default({}),
    quietHours: TimeWindowSchema.nullable().default(null),
  })
  .openapi('PreferencesInput');

/** The editable fields, without defaults: PATCH takes any subset of them. */
const clientFields = {
  phone: PhoneOrNone,
  operatorCode: OperatorCodeOrNone,
  tags: z.array(Tag).max(100),
  timezone: Timezone,
  email: z.email().nullable(),
  emailConfirmed: z.boolean(),
  name: z.string().min(1).max(200).nullable(),
  locale: Locale,
  deviceTokens: z.array(z.string().min(1).max(4096)).max(20),
  preferences: PreferencesInput,
  subscriptions: z.array(ResourceId).max(1000),
};

/** POST body; also re-validates the result of a PATCH merge. */
export const CreateClientSchema = z
  .strictObject({
    ...clientFields,
    id: ResourceId.optional(),
    operatorCode: OperatorCodeOrNone.optional().openapi({ description: 'Defaults to digits 2–4 of the phone' }),
    tags: clientFields.tags.default([]),
    timezone: Timezone.default('UTC'),
    email: clientFields.email.default(null),
    emailConfirmed: z.boolean().default(false),
    name: clientFields.name.default(null),
    locale: Locale.default('en'),
    deviceTokens: clientFields.deviceTokens.default([]),
    preferences: PreferencesInput.default({ promo: true, channels: {}, quietHours: null }),
    subscriptions: clientFields.subscriptions.default([]),
  })
  .openapi('ClientInput');
export type CreateClientInput = z.output<typeof CreateClientSchema>;

/** PATCH body: top-level fields replace the stored ones (preferences as a whole). */
export const PatchClientSchema = z.strictObject(clientFields).partial().openapi('ClientPatch');
export type PatchClientInput = z.output<typeof PatchClientSchema>;

export const ClientSchema = z
  .object({
    id: z.string(),
    phone: z.string(),
    operatorCode: z.string(),
    tags: z.array(z.string()),
    timezone: z.string(),
    email: z.string().nullable(),
    emailConfirmed: z.boolean(),
    name: z.string().nullable(),
    locale: z.string(),
    deviceTokens: z.array(z.string()),
    preferences: z.object({
      promo: z.boolean(),
      channels: z.record(z.string(), z.boolean()),
      quietHours: TimeWindowSchema.nullable(),
    }),
    subscriptions: z.array(z.string()),
    updatedAt: IsoTimestamp,
  })
  .openapi('Client');
export type ClientView = z.output<typeof ClientSchema>;
