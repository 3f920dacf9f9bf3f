/** W3C trace context across Vestnik: the tracer provider, spans, and `traceparent` in Kafka and HTTP headers. */
export { startTracing, startSpan, inSpan, SpanKind, type Tracing, type TracingOptions, type SpanOptions } from './tracer';
export {
  TRACEPARENT, TRACESTATE, extractTrace, traceHeadersOf, formatTraceparent, parseTraceparent, onlyTraceHeaders,
  spanContextOf, type RecordHeaders,
} from './propagation';
export { activeTraceId, activeContext, withContext } from './active';
export { traceRuns, type TraceRun } from './runs';
