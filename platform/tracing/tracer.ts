import { randomBytes } from 'node:crypto';
import {
  SpanKind, SpanStatusCode, context, isSpanContextValid, trace, type Attributes, type Context, type Span,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler, BatchSpanProcessor, NodeTracerProvider, ParentBasedSampler, TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { Logger } from '../logger';

export { SpanKind };

export interface TracingOptions {
  /** OTEL_EXPORTER_OTLP_ENDPOINT: spans go to `<endpoint>/v1/traces` (OTLP/HTTP JSON); absent, nothing is exported. */
  otlpEndpoint?: string;
  serviceName: string;
  /** Share of new traces recorded and exported (OTEL_TRACES_SAMPLER_ARG); a remote parent's decision is kept. */
  sampleRatio: number;
  logger: Logger;
}

export interface Tracing {
  /** Whether spans are recorded and exported (an endpoint is configured). */
  exporting: boolean;
  /** Flushes the spans still buffered and stops exporting. */
  shutdown(): Promise<void>;
}

let active: { provider: NodeTracerProvider; users: number } | null = null;

/**
 * Sets up the process's tracer provider and the AsyncLocalStorage context manager (so the active trace
 * follows async calls: log lines and produced records read it).
 *
 * Without an endpoint the provider samples nothing: a span is then OpenTelemetry's non-recording span,
 * which still gets fresh ids (so `traceparent` travels and every stage's log lines carry the trace id)
 * but has no attributes, no timing and no processor: the cost is two random ids and one small object.
 * With an endpoint, spans are batched (BatchSpanProcessor: one HTTP request per 512 spans or 5 s, never
 * on the hot path) to `<endpoint>/v1/traces`.
 *
 * One provider per process: a second call while one is registered (several in-process test stacks)
 * shares it, and the provider is shut down when its last user is.
 */
export function startTracing(options: TracingOptions): Tracing {
  const logger = options.logger.child({ module: 'tracing' });
  if (active) {
    active.users += 1;
    logger.debug('tracing already set up in this process; sharing it');
    return release(active.provider, logger);
  }
  const endpoint = options.otlpEndpoint?.replace(/\/+$/, '');
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName }),
    sampler: endpoint
      ? new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(options.sampleRatio) })
      : new AlwaysOffSampler(),
    spanProcessors: endpoint ? [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint}/v1/traces` }))] : [],
  });
  // The W3C propagator is used as an instance (propagation.ts), so no global one is registered.
  provider.register({ propagator: null });
  active = { provider, users: 1 };
  logger.info({ exporting: Boolean(endpoint), sampleRatio: endpoint ? options.sampleRatio : 0 }, 'tracing set up');
  return { ...release(provider, logger), exporting: Boolean(endpoint) };
}

function release(provider: NodeTracerProvider, logger: Logger): Tracing {
  let released = false;
  return {
    exporting: false,
    async shutdown() {
      if (released || !active || active.provider !== provider) return;
      released = true;
      active.users -= 1;
      if (active.users > 0) return;
      active = null;
      // The context manager stays: it is process-wide and harmless; the next startTracing reuses it.
      trace.disable();
      await provider.shutdown().catch((error: unknown) => logger.warn({ err: error }, 'flushing spans failed'));
    },
  };
}

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
}

/**
 * Starts a span, child of the trace in `parent` (or a new trace), always with valid ids: with no
 * provider set up (unit tests, library callers) it makes a non-recording span with random ids itself.
 */
export function startSpan(name: string, parent: Context, options: SpanOptions = {}): Span {
  const span = trace.getTracer('vestnik').startSpan(name, options, parent);
  if (isSpanContextValid(span.spanContext())) return span;
  return trace.wrapSpanContext({ traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex'), traceFlags: 0 });
}

/** Runs `fn` inside a new span (see startSpan) and ends it; a thrown error marks the span failed and is rethrown. */
export async function inSpan<T>(name: string, parent: Context, options: SpanOptions, fn: (span: Span) => Promise<T>): Promise<T> {
  const span = startSpan(name, parent, options);
  try {
    return await context.with(trace.setSpan(parent, span), () => fn(span));
  } catch (error) {
    if (span.isRecording()) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    throw error;
  } finally {
    span.end();
  }
}
