/**
 * Optimistic concurrency over HTTP for stored records: the ETag a read or write answers with, and the
 * If-Match a write may send (RFC 9110). A missing If-Match is allowed (the write is unconditional, as
 * before); a present one that does not match the stored record is a 412, decided by the store under its
 * per-record lock (platform/stores), so the check and the write are one step.
 */
import { z } from '../../domain/resources/zod';
import type { ApiContext } from './context';

/** The If-Match header of the request, if any (passed to the store as is). */
export function ifMatchOf(ctx: ApiContext): string | undefined {
  const value = ctx.get('If-Match');
  return value === '' ? undefined : value;
}

/** Sets the ETag response header (nothing when the record is absent). */
export function setEtag(ctx: ApiContext, etag: string | null): void {
  if (etag) ctx.set('ETag', etag);
}

/** The documented If-Match header of conditional writes. */
export const IfMatchHeaders = z.object({
  'if-match': z.string().optional().openapi({
    description: 'The ETag of the record as last read. When it no longer matches: 412 PRECONDITION_FAILED. Without it the write is unconditional.',
    example: '"3q2-7wEjRz6h1bTn0xV5pA"',
  }),
});
