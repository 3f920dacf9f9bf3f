/** Schemas shared by several resources: ids, times of day, instants, paging and the error body. */
import { z } from './zod';

/** Ids become Kafka keys and Redis key parts: short and plain. */
export const ResourceId = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,128}$/, 'expected 1–128 characters of A-Z a-z 0-9 . _ : -')
  .openapi({ example: 'c-42' });

/** "HH:mm", 00:00–23:59. */
export const TimeOfDay = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:mm')
  .openapi({ example: '09:00' });

/** A daily window in the recipient's local time; from > to wraps past midnight. */
export const TimeWindowSchema = z
  .strictObject({ from: TimeOfDay, to: TimeOfDay })
  .openapi('TimeWindow', { example: { from: '09:00', to: '21:00' } });

/** An instant in requests: ISO 8601 with a zone (Z or ±hh:mm); stored as epoch milliseconds. */
export const IsoInstant = z.iso.datetime({ offset: true }).openapi({ example: '2030-01-01T09:00:00+03:00' });

/** An instant in responses. */
export const IsoTimestamp = z.string().openapi({ format: 'date-time', example: '2030-01-01T06:00:00.000Z' });

/** BCP 47-ish locale tag: en, ru, pt-BR. */
export const Locale = z
  .string()
  .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'expected a locale tag like en or pt-BR')
  .openapi({ example: 'en' });

export const IdParams = z.object({ id: z.string().min(1) });

/** The page size every listing accepts, and the one it uses without `limit`. */
export const PAGE_LIMIT = { min: 1, max: 500, default: 50 } as const;
const PAGE_LIMIT_RULE = `limit must be an integer between ${PAGE_LIMIT.min} and ${PAGE_LIMIT.max} (default ${PAGE_LIMIT.default})`;

/**
 * Page size: every failure (too big, too small, not an integer, not a number) says the allowed range, not
 * zod's bare "<=500"; the schema carries minimum, maximum and default into /openapi.json for Swagger UI.
 */
export const PageLimit = z.coerce
  .number({ error: PAGE_LIMIT_RULE })
  .int({ error: PAGE_LIMIT_RULE })
  .min(PAGE_LIMIT.min, { error: PAGE_LIMIT_RULE })
  .max(PAGE_LIMIT.max, { error: PAGE_LIMIT_RULE })
  .default(PAGE_LIMIT.default)
  .openapi({ description: `Items per page, ${PAGE_LIMIT.min}–${PAGE_LIMIT.max}; default ${PAGE_LIMIT.default}.` });

/** Paging of every listing: opaque cursor from the previous page; limit 1–500, default 50. */
export const pageQueryShape = {
  cursor: z.string().min(1).optional(),
  limit: PageLimit,
};
export const PageQuery = z.strictObject(pageQueryShape);

/** One page of `item`. */
export function pageOf<T extends z.ZodType>(item: T, name: string) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() }).openapi(name);
}

/** The body of every error response. */
export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'VALIDATION_FAILED' }),
      message: z.string(),
      details: z.unknown().openapi({ description: 'For validation errors: [{ path, message }] per failing field' }),
    }),
  })
  .openapi('Error');

/** Epoch milliseconds → ISO 8601 (UTC). */
export const toIso = (epochMs: number): string => new Date(epochMs).toISOString();
