/**
 * A provider's Retry-After header in milliseconds, when it gives seconds (the form providers use); undefined
 * for an HTTP date or anything else, so the retry falls back to its own backoff.
 */
export function retryAfterMs(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value.trim()) * 1000;
}
