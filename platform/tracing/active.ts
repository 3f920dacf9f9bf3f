import { context } from '@opentelemetry/api';
import { spanContextOf } from './propagation';

/**
 * The trace id of the active context (AsyncLocalStorage, set up by startTracing), or undefined outside
 * any trace. Only the OpenTelemetry API: the logger imports this, and must not load the SDK with it.
 */
export function activeTraceId(): string | undefined {
  return spanContextOf(context.active())?.traceId;
}

/** The active context: what a produced record's or an outgoing request's `traceparent` is taken from. */
export function activeContext() {
  return context.active();
}

/** Runs `fn` with `ctx` as the active context (its trace then reaches log lines, records and requests). */
export function withContext<T>(ctx: Parameters<typeof context.with>[0], fn: () => T): T {
  return context.with(ctx, fn);
}
