import {
  ROOT_CONTEXT, isSpanContextValid, trace, type Context, type SpanContext, type TextMapGetter, type TextMapSetter,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

/**
 * W3C trace context (`traceparent`, `tracestate`) in and out of header maps: Kafka record headers
 * (RecordHeaders) and HTTP request headers. The parsing and formatting are OpenTelemetry's own
 * propagator, used as an instance, so nothing here depends on a global being registered.
 */
export const TRACEPARENT = 'traceparent';
export const TRACESTATE = 'tracestate';

/** Header maps written by Vestnik: names to UTF-8 strings (the shape of Kafka RecordHeaders; kept here, below the Kafka layer). */
export type RecordHeaders = Record<string, string>;

const propagator = new W3CTraceContextPropagator();

/** Headers as Kafka gives them (strings) or as Node gives an HTTP request's (string | string[] | undefined). */
type HeaderCarrier = Readonly<Record<string, string | readonly string[] | undefined>>;

const getter: TextMapGetter<HeaderCarrier> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key];
    return typeof value === 'string' ? value : value?.[0];
  },
};

const setter: TextMapSetter<RecordHeaders> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

/**
 * The context of the trace the headers name, on top of `base`. An absent or invalid `traceparent`
 * (wrong version, all-zero ids, bad hex) is ignored: the result is `base` as it was, so the caller's
 * next span begins a new trace instead of joining a forged or broken one.
 */
export function extractTrace(headers: HeaderCarrier | undefined, base: Context = ROOT_CONTEXT): Context {
  if (!headers || headers[TRACEPARENT] === undefined) return base;
  return propagator.extract(base, headers, getter);
}

/** The span context a context carries, if any valid one. */
export function spanContextOf(ctx: Context): SpanContext | undefined {
  const spanContext = trace.getSpanContext(ctx);
  return spanContext && isSpanContextValid(spanContext) ? spanContext : undefined;
}

/**
 * Headers already made, per context. A context never changes (setting a value makes a new one), and a
 * bulk chunk's thousand provider calls run in one, so each is formatted once, not per call.
 */
const headersOfContext = new WeakMap<Context, RecordHeaders | undefined>();

/**
 * `traceparent` (and `tracestate` when there is one) of a context, or undefined when it carries no valid
 * trace. The object is shared by every caller with the same context: read it, never change it.
 */
export function traceHeadersOf(ctx: Context): RecordHeaders | undefined {
  if (headersOfContext.has(ctx)) return headersOfContext.get(ctx);
  let headers: RecordHeaders | undefined;
  if (spanContextOf(ctx)) {
    headers = {};
    propagator.inject(ctx, headers, setter);
  }
  headersOfContext.set(ctx, headers);
  return headers;
}

/** `00-<trace id>-<span id>-<flags>`: the header value of a span context. */
export function formatTraceparent(spanContext: SpanContext): string {
  const flags = (spanContext.traceFlags & 0xff).toString(16).padStart(2, '0');
  return `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`;
}

/** The span context a `traceparent` value names, or undefined when it is not a valid one. */
export function parseTraceparent(value: string): SpanContext | undefined {
  return spanContextOf(extractTrace({ [TRACEPARENT]: value }));
}

/**
 * Only the trace headers of a record's headers. Returns the same object when it holds nothing else
 * (the usual case: Vestnik writes no other record headers), so passing a command's trace on to its
 * status costs no allocation.
 */
export function onlyTraceHeaders(headers: RecordHeaders): RecordHeaders | undefined {
  const names = Object.keys(headers);
  if (names.length === 0) return undefined;
  if (names.every((name) => name === TRACEPARENT || name === TRACESTATE)) return headers;
  if (headers[TRACEPARENT] === undefined) return undefined;
  const picked: RecordHeaders = { [TRACEPARENT]: headers[TRACEPARENT] };
  if (headers[TRACESTATE] !== undefined) picked[TRACESTATE] = headers[TRACESTATE];
  return picked;
}
