import { Pool } from 'undici';
import { callDeadline } from '../../platform/http/deadline';
import { ContextsByUser, readContextsAnswer, transportFailure } from './classify';

/**
 * The user-data service's HTTP client: a keep-alive undici pool and one deadline per request (queue
 * wait included). No retries here: a retriable failure goes back to the fan-out's batch consumer, which
 * pauses the partition with backoff and tries the whole batch again.
 *
 * Not senders/policy/provider-http's client: that one is built for a provider's small answers (64 KiB
 * cap, a bearer token, SendResult outcomes), while a page of 1000 digests is a few hundred KiB and the
 * outcome here is contexts or a VestnikError. Its deadline helper is shared.
 */
export interface UserDataClientOptions {
  /** The service's base URL: its origin, optionally with a path prefix. */
  url: string;
  /** Deadline of one request, from the call to the last byte of the answer. */
  timeoutMs: number;
  /** Requests in flight at once (pooled connections); more wait in the pool's queue. Default 8. */
  concurrency?: number;
}

/** Where contexts come from: the HTTP client, or a fake in tests. */
export interface ContextSource {
  /** The contexts the service has for these users (at most 1000 ids); users it does not know are absent. */
  fetchContexts(kind: string, userIds: readonly string[]): Promise<ContextsByUser>;
  close(): Promise<void>;
}

/** Answers larger than this are refused (a page of 1000 digests is well under 1 MiB). */
const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

export function createUserDataClient(options: UserDataClientOptions): ContextSource {
  const base = new URL(options.url);
  const prefix = base.pathname.replace(/\/+$/, '');
  const pool = new Pool(base.origin, {
    connections: options.concurrency ?? 8,
    pipelining: 1,
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 60_000,
    connect: { timeout: options.timeoutMs },
    maxResponseSize: MAX_RESPONSE_BYTES,
  });

  return {
    async fetchContexts(kind, userIds) {
      const deadline = callDeadline(options.timeoutMs);
      let status: number;
      let body: string;
      try {
        const response = await pool.request({
          method: 'POST', path: `${prefix}/v1/context/${encodeURIComponent(kind)}`,
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ userIds }), headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs, signal: deadline.signal,
        });
        status = response.statusCode;
        body = await response.body.text();
      } catch (error) {
        throw transportFailure(kind, error, deadline.timedOut() ? options.timeoutMs : null);
      } finally {
        deadline.release();
      }
      return readContextsAnswer(kind, status, body);
    },
    close: () => pool.close(),
  };
}
