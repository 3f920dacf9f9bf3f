/** A template (per channel and locale): its input and view schemas, owned here for every stage. */
import { IsoTimestamp, Locale, ResourceId } from './common';
import { handlebarsProblems } from './handlebars-sources';
import { z } from './zod';

const Source = z.string().min(1).max(100_000);

const EmailVariant = z.strictObject({ subject: Source, html: Source.nullable().default(null), text: Source }).openapi('EmailTemplate');
const PushVariant = z.strictObject({ title: Source, body: Source }).openapi('PushTemplate');

const VariantSchema = z
  .strictObject({
    email: EmailVariant.nullable().default(null),
    sms: Source.nullable().default(null),
    push: PushVariant.nullable().default(null),
    inapp: Source.nullable().default(null),
    webhook: Source.nullable().default(null),
  })
  .refine((v) => v.email || v.sms || v.push || v.inapp || v.webhook, 'a variant needs at least one channel')
  .openapi('TemplateVariant', { description: 'Handlebars sources per channel for one locale' });

/** POST and PUT body. Every Handlebars source must compile; `defaultLocale` must have a variant. */
export const TemplateInputSchema = z
  .strictObject({
    id: ResourceId.optional(),
    name: z.string().min(1).max(200).nullable().default(null),
    defaultLocale: Locale,
    variants: z
      .record(Locale, VariantSchema)
      .refine((variants) => Object.keys(variants).length > 0, 'at least one locale is required'),
    contextProvider: z.string().min(1).max(128).nullable().default(null).openapi({
      description: 'Name of a context provider the processor calls to enrich the template context',
    }),
  })
  .superRefine((value, ctx) => {
    if (!(value.defaultLocale in value.variants)) {
      ctx.addIssue({ code: 'custom', path: ['defaultLocale'], message: 'defaultLocale has no variant' });
    }
    for (const problem of handlebarsProblems(value.variants)) {
      ctx.addIssue({ code: 'custom', path: problem.path.split('.'), message: problem.message });
    }
  })
  .openapi('TemplateInput', {
    example: {
      id: 'welcome',
      defaultLocale: 'en',
      variants: { en: { email: { subject: 'Welcome, {{name}}', text: 'Confirm: {{confirmUrl}}' } } },
    },
  });
export type TemplateInput = z.output<typeof TemplateInputSchema>;

export const TemplateSchema = z
  .object({
    id: z.string(),
    name: z.string().nullable(),
    defaultLocale: z.string(),
    variants: z.record(
      z.string(),
      z.object({
        email: z.object({ subject: z.string(), html: z.string().nullable(), text: z.string() }).nullable(),
        sms: z.string().nullable(),
        push: z.object({ title: z.string(), body: z.string() }).nullable(),
        inapp: z.string().nullable(),
        webhook: z.string().nullable().optional(),
      }),
    ),
    contextProvider: z.string().nullable(),
    updatedAt: IsoTimestamp,
  })
  .openapi('Template');
export type TemplateView = z.output<typeof TemplateSchema>;
