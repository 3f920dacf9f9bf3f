import type { Middleware } from 'koa';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_HTTP_ROUTE } from '@opentelemetry/semantic-conventions';
import { withContext } from '../../platform/tracing/active';
import { extractTrace, formatTraceparent, TRACEPARENT } from '../../platform/tracing/propagation';
import { SpanKind, startSpan } from '../../platform/tracing/tracer';
import type { ApiState } from '../http/context';
import { onResponseDone } from '../http/response-done';
import { matchedRoute } from './request-log';

/**
 * Where a trace begins: the caller's W3C `traceparent` is continued (an absent or malformed one is
 * ignored and a new trace begun), a server span covers the request, and the response's `traceparent`
 * names that span, so a caller without tracing of its own can still find its request in the logs.
 * Everything after this middleware runs inside the span: the access-log line and every other line carry
 * its trace id, and the events the request publishes carry it in their Kafka headers (the producer reads
 * the active trace).
 */
export function traceContext(): Middleware<ApiState> {
  return async (ctx, next) => {
    const parent = extractTrace(ctx.req.headers);
    const span = startSpan(`${ctx.method}`, parent, { kind: SpanKind.SERVER, attributes: { [ATTR_HTTP_REQUEST_METHOD]: ctx.method } });
    ctx.set(TRACEPARENT, formatTraceparent(span.spanContext()));
    onResponseDone(ctx, () => {
      // The route pattern, never the raw path (ids, link codes); known only once the router has run.
      const route = matchedRoute(ctx);
      if (span.isRecording()) {
        if (route) span.updateName(`${ctx.method} ${route}`).setAttribute(ATTR_HTTP_ROUTE, route);
        span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, ctx.status);
        if (ctx.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    });
    await withContext(trace.setSpan(parent, span), next);
  };
}
