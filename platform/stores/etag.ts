/**
 * Strong entity tags of stored records, for optimistic concurrency (If-Match). The tag is a digest of
 * the record in a canonical JSON form (keys sorted at every level), so it depends only on what is
 * stored, not on the order fields were written in; any change of any field changes it.
 */
import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level (arrays keep their order). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) return inner;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(inner).sort()) sorted[key] = (inner as Record<string, unknown>)[key];
    return sorted;
  });
}

/** The strong ETag of a record, quoted as HTTP wants it: `"<22 base64url chars of SHA-256>"`. */
export function etagOf(value: unknown): string {
  return `"${createHash('sha256').update(canonicalJson(value)).digest('base64url').slice(0, 22)}"`;
}

/**
 * RFC 9110 If-Match with strong comparison: `*` matches any current record; otherwise one of the
 * listed tags must equal the current one. Weak tags (W/"…") never match, and nothing matches an
 * absent record.
 */
export function ifMatchSatisfied(ifMatch: string, current: string | null): boolean {
  if (current === null) return false;
  if (ifMatch.trim() === '*') return true;
  return ifMatch.split(',').map((tag) => tag.trim()).some((tag) => tag === current);
}
