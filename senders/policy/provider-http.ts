import { Pool } from 'undici';
import { deadlineSignals } from '../../platform/http/deadline';
import { classifyError, retriable, type SendResult } from './send-result';

/** Answers bigger than this are not a provider's small JSON; refusing them protects memory. */
const MAX_RESPONSE_BYTES = 64 * 1024;

export interface ProviderHttpOptions {
  /** The provider's base URL: its origin, optionally with a path prefix. */
  url: string;
  /** Bearer token sent with every request. */
  token: string;
  /** Most requests in flight at once (= pooled keep-alive connections); more wait in the pool's queue. */
  concurrency: number;
  timeoutMs: number;
}

/** A provider's answer, or the SendResult its failure to answer came to. */
export type ProviderAnswer = { kind: 'answer'; status: number; body: string; retryAfter?: string | string[] } | { kind: 'failed'; result: SendResult };

/**
 * A provider's HTTP client: one keep-alive undici pool whose connection count is the concurrency bound.
 * No retries here: the sender decides what a retriable result means, so one call is one request.
 */
export function createProviderHttp(options: ProviderHttpOptions) {
  const base = new URL(options.url);
  const pool = new Pool(base.origin, {
    connections: options.concurrency,
    pipelining: 1,
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 60_000,
    connect: { timeout: options.timeoutMs },
    maxResponseSize: MAX_RESPONSE_BYTES,
  });
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${options.token}` };

  return {
    /** The URL's path without a trailing slash, to put before the provider's own paths. */
    pathPrefix: base.pathname.replace(/\/+$/, ''),
    /**
     * POSTs a JSON body. `deadline` is what bounds the whole call, queue wait included: undici's own
     * header/body timers are coarse (~0.5–1 s late) and start only once a connection is free.
     */
    async post(path: string, body: string, signal: AbortSignal, deadline: AbortSignal): Promise<ProviderAnswer> {
      try {
        const response = await pool.request({
          method: 'POST', path, headers, body, headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs, signal,
        });
        const text = await response.body.text();
        return { kind: 'answer', status: response.statusCode, body: text, retryAfter: response.headers['retry-after'] };
      } catch (error) {
        if (deadline.aborted) return { kind: 'failed', result: retriable('PROVIDER_UNAVAILABLE', `no answer within ${options.timeoutMs} ms`) };
        return { kind: 'failed', result: classifyError(error) };
      }
    },
    /** Waits for requests in flight, then closes the connections. */
    close: () => pool.close(),
  };
}
