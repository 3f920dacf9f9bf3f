/**
 * The user-data service's contract, as this simulator serves it (and processors/context-providers
 * calls it):
 *
 *   POST /v1/context/{kind}            content-type: application/json
 *   body   { "userIds": ["u-1", "u-2", ...] }          1 to 1000 distinct-or-not strings (≤ 128 chars)
 *   200    { "contexts": { "u-1": { ... }, ... } }     one object per user the service knows; a user it
 *                                                      does not know is simply absent from `contexts`
 *   400    { "error": { "code": "INVALID_REQUEST", "message" } }   body is not the shape above
 *   404    { "error": { "code": "UNKNOWN_KIND", "message" } }      no such kind
 *   405    wrong method; 413 body over 1 MiB; 5xx / no answer / a 200 that is not JSON: the service's
 *   trouble (the simulator's faults), which a caller must treat as "try again later".
 *
 * Kinds served: `monthly-digest` (see monthly-digest.ts). Pure checks here, so they are unit-tested
 * without a socket.
 */

/** The most user ids one request may carry. */
export const MAX_USER_IDS_PER_REQUEST = 1000;
export const MAX_USER_ID_LENGTH = 128;

const CONTEXT_PATH = /^\/v1\/context\/([^/]+)$/;

/** The kind of a context path, or null for any other path. */
export function matchContextPath(pathname: string): string | null {
  const raw = CONTEXT_PATH.exec(pathname)?.[1];
  if (raw === undefined) return null;
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

export type ContextRequestValidation = { ok: true; userIds: string[] } | { ok: false; message: string };

/** Validates a raw request body against the contract. */
export function validateContextRequest(rawBody: string): ContextRequestValidation {
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody);
  } catch {
    return { ok: false, message: 'body is not JSON' };
  }
  const userIds = typeof parsed === 'object' && parsed !== null ? (parsed as { userIds?: unknown }).userIds : undefined;
  if (!Array.isArray(userIds)) return { ok: false, message: 'userIds must be an array' };
  if (userIds.length === 0 || userIds.length > MAX_USER_IDS_PER_REQUEST) {
    return { ok: false, message: `userIds must hold 1 to ${MAX_USER_IDS_PER_REQUEST} ids` };
  }
  if (!userIds.every((id): id is string => typeof id === 'string' && id.length > 0 && id.length <= MAX_USER_ID_LENGTH)) {
    return { ok: false, message: `every user id must be a string of 1 to ${MAX_USER_ID_LENGTH} characters` };
  }
  return { ok: true, userIds };
}

/** The service's error body. */
export function contextError(code: 'INVALID_REQUEST' | 'UNKNOWN_KIND' | 'UNAVAILABLE' | 'INTERNAL' | 'NOT_FOUND' | 'METHOD_NOT_ALLOWED', message: string) {
  return { error: { code, message } };
}
