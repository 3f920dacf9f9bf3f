import type { Middleware } from 'koa';
import { Counter, Histogram, Registry } from 'prom-client';
import type { ApiState } from '../http/context';
import { onResponseDone } from '../http/response-done';
import { matchedRoute } from './request-log';

const LABELS = ['method', 'route', 'status'] as const;

/** Reuses a metric already on the registry, so two apps sharing one registry do not collide. */
function counter(registry: Registry): Counter<(typeof LABELS)[number]> {
  const name = 'vestnik_http_requests_total';
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Counter<(typeof LABELS)[number]>;
  return new Counter({ name, help: 'HTTP requests by route and status', labelNames: LABELS, registers: [registry] });
}

function histogram(registry: Registry): Histogram<(typeof LABELS)[number]> {
  const name = 'vestnik_http_request_duration_seconds';
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Histogram<(typeof LABELS)[number]>;
  return new Histogram({
    name,
    help: 'HTTP request duration by route and status',
    labelNames: LABELS,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
}

/**
 * Counts requests and their durations by route pattern (never the raw path: ids would explode the
 * label cardinality; unmatched requests share the label `unmatched`).
 */
export function httpMetrics(registry: Registry): Middleware<ApiState> {
  const requests = counter(registry);
  const durations = histogram(registry);
  return async (ctx, next) => {
    const stopTimer = durations.startTimer();
    onResponseDone(ctx, () => {
      const labels = { method: ctx.method, route: matchedRoute(ctx) ?? 'unmatched', status: String(ctx.status) };
      requests.inc(labels);
      stopTimer(labels);
    });
    await next();
  };
}
