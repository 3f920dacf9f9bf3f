import { Pool } from 'undici';
import { startDeadline } from '../../platform/http/deadline';
import { exchange } from '../../platform/http/exchange';
import { activeContext } from '../../platform/tracing/active';
import { traceHeadersOf } from '../../platform/tracing/propagation';
import { createAdaptiveConcurrency, type ProviderConcurrency } from './adaptive-concurrency';
import { ambiguous, classifyError, retriable, type SendResult } from './send-result';

/** Answers bigger than this are not a provider's small JSON; refusing them protects memory. */
const MAX_RESPONSE_BYTES = 64 * 1024;

export interface ProviderHttpOptions {
  /** The provider's base URL: its origin, optionally with a path prefix. */
  url: string;
  /** Bearer token sent with every post(); send() takes its own headers. */
  token?: string;
  /**
   * The most requests in flight at once (= pooled keep-alive connections). Within it the number is found
   * while sending (adaptive-concurrency.ts); requests over it wait here, in arrival order, not sent.
   */
  concurrency: number;
  timeoutMs: number;
}

/** One request to the provider: the path after its origin, and every header (send() adds none but the trace). */
export interface ProviderRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** A provider's answer, or the SendResult its failure to answer came to. */
export type ProviderAnswer = { kind: 'answer'; status: number; body: string; retryAfter?: string | string[] } | { kind: 'failed'; result: SendResult };

/** Answers that say the provider is taking too much: they lower the concurrency limit as a timeout does. */
const OVERLOAD_STATUSES = new Set([429, 503]);

/**
 * A provider's HTTP client: one keep-alive undici pool whose connection count is the concurrency bound,
 * and before it an adaptive limit on the requests in flight (a provider that takes fewer at once than the
 * bound queues the rest until they time out, after they were sent). No retries here: the sender decides
 * what a retriable result means, so one call is one request.
 *
 * A failure tells whether the request may have reached the provider: one that failed after it was
 * written (no answer in time, the connection closed under it, an answer cut off) is `ambiguous`; one
 * that never left (refused, never connected, still queued for a connection at the deadline) is a plain
 * retriable result. platform/http/exchange.ts makes the request and says how "written" is known.
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
  const jsonHeaders: Record<string, string> = options.token === undefined
    ? { 'content-type': 'application/json' }
    : { 'content-type': 'application/json', authorization: `Bearer ${options.token}` };
  // A request that takes a quarter of its deadline waits in the provider's queue: cut before they time out.
  const slots = createAdaptiveConcurrency({ max: options.concurrency, slowRttMs: options.timeoutMs / 4 });

  /** The request once sent, and whether the caller's signal ended it. */
  async function request(call: ProviderRequest, callerSignal: AbortSignal | undefined): Promise<{ answer: ProviderAnswer; cancelled: boolean }> {
    const { method, path, headers, body } = call;
    // The delivery's trace (senders/core/command-traces.ts) goes to the provider as W3C `traceparent`.
    const trace = traceHeadersOf(activeContext());
    const done = await exchange(pool, {
      method, path, headers: trace ? { ...headers, ...trace } : headers, body, headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs,
    }, options.timeoutMs, callerSignal);
    if (done.kind === 'answer') return { answer: done, cancelled: false };
    const { written, timedOut, cancelled } = done;
    if (timedOut) {
      return { cancelled, answer: { kind: 'failed', result: written
        ? ambiguous('PROVIDER_UNAVAILABLE', `no answer within ${options.timeoutMs} ms after the request was sent`)
        : retriable('PROVIDER_UNAVAILABLE', `not sent within ${options.timeoutMs} ms (no connection free or made)`) } };
    }
    const result = classifyError(done.error);
    const failed = written && result.kind === 'retriable' ? ambiguous(result.code, `${result.reason} after the request was sent`) : result;
    return { cancelled, answer: { kind: 'failed', result: failed } };
  }

  /**
   * One request within the concurrency limit. Waiting for a slot and the request each have the call's
   * timeout: a request's time starts when it is sent, so one that waited long is not sent with too little
   * time left to be answered (it would time out after it was written: ambiguous). A whole call so ends
   * within twice the timeout, well inside a sender's claim lease. No slot in time: "not sent".
   */
  async function send(call: ProviderRequest, callerSignal?: AbortSignal): Promise<ProviderAnswer> {
    let slot = slots.tryAcquire();
    if (!slot) {
      if (callerSignal?.aborted) return { kind: 'failed', result: retriable('PROVIDER_UNAVAILABLE', 'not sent: the call was cancelled') };
      const wait = slots.waitForSlot();
      const deadline = startDeadline(options.timeoutMs, wait.leave);
      callerSignal?.addEventListener('abort', wait.leave, { once: true });
      slot = await wait.slot;
      deadline.release();
      callerSignal?.removeEventListener('abort', wait.leave);
      if (!slot) {
        return { kind: 'failed', result: deadline.timedOut()
          ? retriable('PROVIDER_UNAVAILABLE', `not sent within ${options.timeoutMs} ms (waiting for the provider's concurrency limit, ${slots.limit()})`)
          : retriable('PROVIDER_UNAVAILABLE', 'not sent: the call was cancelled') };
      }
    }
    const { answer, cancelled } = await request(call, callerSignal);
    // Cancelled by the caller before it was written: no word from the provider. (Not written by the
    // deadline is a drop: with a slot there is a connection to use or make, so the provider did not take
    // the connection in time, as a full listen backlog does. Written and unanswered is a drop too.)
    if (answer.kind === 'failed' && answer.result.kind === 'retriable' && !answer.result.ambiguous && cancelled) slot.withdraw();
    else slot.release({ dropped: answer.kind === 'failed' ? answer.result.kind !== 'permanent' : OVERLOAD_STATUSES.has(answer.status) });
    return answer;
  }

  return {
    /** The URL's path without a trailing slash, to put before the provider's own paths. */
    pathPrefix: base.pathname.replace(/\/+$/, ''),
    /**
     * POSTs a JSON body. The call's own deadlines bound it (send()); `callerSignal` cancels it sooner.
     * (undici's own header/body timers are coarse, ~0.5–1 s late, and start only once a connection is free.)
     */
    post(path: string, body: string, callerSignal?: AbortSignal): Promise<ProviderAnswer> {
      return send({ method: 'POST', path, headers: jsonHeaders, body }, callerSignal);
    },
    /** Any request (a provider defined in configuration builds its own method, headers and body). */
    send,
    /** The requests allowed in flight now, and its changes (the metric `vestnik_provider_concurrency_limit`). */
    concurrency: slots as ProviderConcurrency,
    /** Waits for requests in flight, then closes the connections. */
    close: () => pool.close(),
  };
}
