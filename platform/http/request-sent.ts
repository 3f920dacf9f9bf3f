/**
 * Whether a failed undici request had been written to its connection before it failed: the line between
 * "never reached the server" (refused, connect timeout, still queued for a connection: safe to send again)
 * and "may have reached it" (written, then no answer: the server may have acted on it).
 *
 * undici has no per-request hook for this in its current handler API, so it is read from undici's own
 * diagnostics channels, its documented instrumentation point: `undici:request:bodySent` marks a request
 * whose headers and whole body were handed to the socket, and `undici:request:error` gives the error that
 * ended the request; an error that ended a marked request is remembered. The error object is the one
 * undici hands the request's handler (exchange.ts), so the caller asks about that.
 *
 * "Written" means handed to the socket, not acknowledged by the peer: a reset just after the write may
 * still mean the server never read it, but that cannot be told apart from "read, acted on, then reset",
 * so it counts as written. The error must be one request's own: a caller that aborts several requests
 * with one shared reason gets each a reason of its own (exchange.ts does), or a written one would mark
 * them all.
 */
import { subscribe } from 'node:diagnostics_channel';

/** undici's Request objects whose body was written; weak, so a finished request is not kept. */
const written = new WeakSet<object>();
/** Errors that ended a written request. */
const failedAfterWrite = new WeakSet<object>();
let tracking = false;

/** Starts following undici's channels (once per process; every later call is a no-op). */
export function trackRequestsWritten(): void {
  if (tracking) return;
  tracking = true;
  subscribe('undici:request:bodySent', (message) => {
    const { request } = message as { request?: unknown };
    if (isObject(request)) written.add(request);
  });
  subscribe('undici:request:error', (message) => {
    const { request, error } = message as { request?: unknown; error?: unknown };
    if (isObject(request) && isObject(error) && written.has(request)) failedAfterWrite.add(error);
  });
}

/** True when `error` ended a request that had been written; needs trackRequestsWritten() first. */
export function failedAfterRequestWritten(error: unknown): boolean {
  return isObject(error) && failedAfterWrite.has(error);
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}
