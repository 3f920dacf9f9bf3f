/** What every HTTP listing and error shares: paging query, page shape, path ids and the error body. */
import { z } from '../../domain/resources/zod';

export const IdParams = z.object({ id: z.string().min(1) });

/** Paging of every listing: opaque cursor from the previous page; limit 1–500, default 50. */
export const pageQueryShape = {
  cursor: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
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
