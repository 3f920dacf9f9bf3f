/** What every HTTP listing and error shares: paging query, page shape, path ids and the error body. */
import { z } from '../../domain/resources/zod';

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
