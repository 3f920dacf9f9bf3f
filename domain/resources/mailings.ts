/** A mailing: its input, patch and view schemas and cross-field rules, owned here for every stage. */
import { CHANNELS, MAILING_STATUSES, PRIORITIES } from '../../schemas/types';
import { compileProblem } from './handlebars-sources';
import { IsoInstant, IsoTimestamp, ResourceId, TimeWindowSchema } from './common';
import { z } from './zod';

export const MailingFilterSchema = z
  .strictObject({
    operatorCodes: z.array(z.string().regex(/^\d{3}$/, 'expected 3 digits')).max(1000).default([]),
    tags: z.array(z.string().min(1).max(64)).max(1000).default([]),
  })
  .openapi('MailingFilter', { description: 'Clients matching any operator code and any tag; an empty list matches all' });

/** The editable fields, without defaults: PATCH takes any subset of them. */
const mailingFields = {
  text: z.string().min(1).max(4096).nullable(),
  templateId: ResourceId.nullable(),
  startAt: IsoInstant,
  endAt: IsoInstant,
  filter: MailingFilterSchema,
  channel: z.enum(CHANNELS),
  sendWindow: TimeWindowSchema.nullable(),
  promo: z.boolean(),
  priority: z.enum(PRIORITIES),
};

/** Cross-field rules: exactly one content source, and a non-empty time range. */
function checkMailing(value: { text?: string | null; templateId?: string | null; startAt: string; endAt: string }, ctx: z.RefinementCtx): void {
  const sources = [value.text, value.templateId].filter((v) => v != null).length;
  if (sources !== 1) ctx.addIssue({ code: 'custom', path: ['text'], message: 'exactly one of text or templateId is required' });
  // The text is a Handlebars template ("Hello {{name}}"): refused here, like a template's sources, when it
  // cannot compile, instead of failing for every recipient. Literal braces are written \{{ … }}.
  const textProblem = value.text == null ? null : compileProblem(value.text);
  if (textProblem) ctx.addIssue({ code: 'custom', path: ['text'], message: textProblem });
  if (Date.parse(value.endAt) <= Date.parse(value.startAt)) {
    ctx.addIssue({ code: 'custom', path: ['endAt'], message: 'endAt must be after startAt' });
  }
}

/** POST body; also re-validates the result of a PATCH merge. `status` is read-only (unknown → 422). */
export const CreateMailingSchema = z
  .strictObject({
    ...mailingFields,
    id: ResourceId.optional(),
    text: mailingFields.text.optional(),
    templateId: mailingFields.templateId.optional(),
    filter: MailingFilterSchema.default({ operatorCodes: [], tags: [] }),
    channel: mailingFields.channel.default('sms'),
    sendWindow: mailingFields.sendWindow.default(null),
    promo: z.boolean().default(false),
    priority: mailingFields.priority.default('bulk'),
  })
  .superRefine(checkMailing)
  .openapi('MailingInput');
export type CreateMailingInput = z.output<typeof CreateMailingSchema>;

/** PATCH body: top-level fields replace the stored ones; the merged mailing is validated again. */
export const PatchMailingSchema = z.strictObject(mailingFields).partial().openapi('MailingPatch');
export type PatchMailingInput = z.output<typeof PatchMailingSchema>;

export const MailingSchema = z
  .object({
    id: z.string(),
    text: z.string().nullable(),
    templateId: z.string().nullable(),
    startAt: IsoTimestamp,
    endAt: IsoTimestamp,
    filter: z.object({ operatorCodes: z.array(z.string()), tags: z.array(z.string()) }),
    channel: z.enum(CHANNELS),
    sendWindow: TimeWindowSchema.nullable(),
    promo: z.boolean(),
    priority: z.enum(PRIORITIES),
    status: z.enum(MAILING_STATUSES),
    createdAt: IsoTimestamp,
    updatedAt: IsoTimestamp,
  })
  .openapi('Mailing');
export type MailingView = z.output<typeof MailingSchema>;
