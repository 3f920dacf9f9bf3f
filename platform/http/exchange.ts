/**
 * One HTTP request and its whole (small) answer over an undici dispatcher, within a deadline: the
 * providers' calls, once per message at a sender's rates.
 *
 * It goes through undici's handler API (`dispatch`) rather than `request()`: `request()` makes a
 * Readable stream for every answer, an async resource, and listens on an AbortSignal, a fifth to a third
 * of a call's client-side CPU on loopback (`npm run bench:hot-paths`: 52.9 against 42.4 µs per call, 99.0
 * against 64.2 on a slower run). The deadline is one of deadline.ts's queue, and it aborts the request
 * through the controller undici hands the handler, so no AbortController is made per call either.
 *
 * Whether a failed request had been written before it failed is request-sent.ts's judgement (undici's
 * handler API has no hook for it), by the error that ended it. A request whose deadline or caller ends
 * it before undici gave it a connection ends at once, never written: undici aborts it the moment a
 * connection would take it, before writing a byte.
 */
import type { Dispatcher } from 'undici';
import { startDeadline, type Deadline } from './deadline';
import { failedAfterRequestWritten, trackRequestsWritten } from './request-sent';

/** What became of the request: an answer (any status), or the error that ended it. */
export type Exchange =
  | { kind: 'answer'; status: number; body: string; retryAfter?: string | string[] }
  | {
    kind: 'failed';
    error: unknown;
    /** It may have reached the server: written before it failed, or an answer had begun. */
    written: boolean;
    /** Ended by the deadline. */
    timedOut: boolean;
    /** Ended by the caller's signal. */
    cancelled: boolean;
  };

/** The request: undici's dispatch options (method, path, headers, body, its own timeouts). */
export type ExchangeRequest = Dispatcher.DispatchOptions;

/**
 * Sends `request` on `dispatcher` and reads the whole answer. `timeoutMs` bounds it from now;
 * `callerSignal` ends it sooner. Never rejects: a failure is an Exchange of kind `failed`.
 */
export function exchange(dispatcher: Dispatcher, request: ExchangeRequest, timeoutMs: number, callerSignal?: AbortSignal): Promise<Exchange> {
  trackRequestsWritten();
  if (callerSignal?.aborted) {
    return Promise.resolve({ kind: 'failed', error: cancelReason(callerSignal), written: false, timedOut: false, cancelled: true });
  }
  return new Promise((resolve) => {
    dispatcher.dispatch(request, new ExchangeHandler(resolve, timeoutMs, callerSignal));
  });
}

/** Reads one answer into memory; ends the call at its deadline or on its caller's signal. */
class ExchangeHandler implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | null = null;
  /** Why the call was ended before undici gave it a connection: undici is told when it does. */
  private endedEarly: Error | null = null;
  private settled = false;
  private answered = false;
  private status = 0;
  private retryAfter: string | string[] | undefined;
  private readonly chunks: Buffer[] = [];
  private readonly deadline: Deadline;
  private cancelled = false;
  private readonly onCallerAbort: (() => void) | null;

  constructor(
    private readonly resolve: (exchange: Exchange) => void,
    timeoutMs: number,
    private readonly callerSignal: AbortSignal | undefined,
  ) {
    // A reason of this call's own each time: request-sent.ts judges "written" by the error's identity.
    this.deadline = startDeadline(timeoutMs, () => this.end(new DOMException('The operation was aborted due to timeout', 'TimeoutError')));
    if (callerSignal) {
      this.onCallerAbort = () => {
        this.cancelled = true;
        this.end(cancelReason(callerSignal));
      };
      callerSignal.addEventListener('abort', this.onCallerAbort, { once: true });
    } else {
      this.onCallerAbort = null;
    }
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    if (this.endedEarly) controller.abort(this.endedEarly);
    else this.controller = controller;
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    if (statusCode < 200) return; // informational: the answer is still to come
    this.answered = true;
    this.status = statusCode;
    this.retryAfter = headers['retry-after'];
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    const body = this.chunks.length === 1 ? this.chunks[0]!.toString('utf8') : Buffer.concat(this.chunks).toString('utf8');
    this.settle(this.retryAfter === undefined
      ? { kind: 'answer', status: this.status, body }
      : { kind: 'answer', status: this.status, body, retryAfter: this.retryAfter });
  }

  onResponseError(_controller: Dispatcher.DispatchController | null, error: Error): void {
    this.settle({
      kind: 'failed', error, written: this.answered || failedAfterRequestWritten(error), timedOut: this.deadline.timedOut(), cancelled: this.cancelled,
    });
  }

  /** The deadline or the caller ends the call: undici aborts it (and reports it), or it never starts. */
  private end(reason: Error): void {
    if (this.settled) return;
    if (this.controller) {
      this.controller.abort(reason);
      return;
    }
    this.endedEarly = reason;
    this.settle({ kind: 'failed', error: reason, written: false, timedOut: this.deadline.timedOut(), cancelled: this.cancelled });
  }

  private settle(exchange: Exchange): void {
    if (this.settled) return;
    this.settled = true;
    this.deadline.release();
    if (this.onCallerAbort) this.callerSignal!.removeEventListener('abort', this.onCallerAbort);
    this.resolve(exchange);
  }
}

/** A caller's abort, named as its reason is (a shutdown's AbortError, or a TimeoutError). */
function cancelReason(signal: AbortSignal): DOMException {
  return new DOMException('The call was cancelled', signal.reason instanceof DOMException ? signal.reason.name : 'AbortError');
}
