/**
 * The probe port of a process without the API (`METRICS_PORT`), for an orchestrator and Prometheus:
 * - GET /healthz: liveness, 200 while the process answers (no dependency is asked, so an outage of
 *   Redis or Kafka never gets a worker restarted for nothing);
 * - GET /readyz: 200 when every part this process started is ready (each consumer has joined its group)
 *   and every dependency answers; 503 otherwise, with up/down per part and dependency, never error text;
 * - GET /metrics: the process's Prometheus metrics, when `METRICS_ENABLED`.
 * Plain node:http: three read-only routes need no framework. Each client address gets a budget of
 * requests per minute, in memory (probes come every few seconds; a flood is refused with 429).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { HealthCheck } from '../ingest/ports';
import { healthOf } from '../ingest/routes/health';
import type { Logger } from '../platform/logger';

/** A part of the process that can say whether it is ready (a consumer: joined its group). */
export interface ReadinessPart {
  name: string;
  ready(): boolean;
}

export interface ProbeServerOptions {
  host: string;
  port: number;
  parts: () => readonly ReadinessPart[];
  checks: readonly HealthCheck[];
  /** Per dependency check; slower counts as down. */
  checkTimeoutMs?: number;
  /** Served at /metrics; null when METRICS_ENABLED=false (the route then answers 404). */
  metrics: Registry | null;
  /** Requests per minute per client address. */
  perMinute?: number;
  logger: Logger;
}

export interface ProbeServer {
  url: string;
  close(): Promise<void>;
}

/** The readiness view: every part and every dependency, up or down. */
export async function readinessOf(parts: readonly ReadinessPart[], checks: readonly HealthCheck[], timeoutMs: number) {
  const dependencies = await healthOf(checks, timeoutMs);
  const partStates = Object.fromEntries(parts.map((part) => [part.name, part.ready() ? 'up' : 'down'] as const));
  const ready = dependencies.status === 'ok' && Object.values(partStates).every((state) => state === 'up');
  return { status: ready ? 'ok' : 'down', parts: partStates, checks: dependencies.checks } as const;
}

/** Starts listening; resolves once the port is bound. */
export async function startProbeServer(options: ProbeServerOptions): Promise<ProbeServer> {
  const limiter = new RateLimiterMemory({ points: options.perMinute ?? 600, duration: 60 });
  const send = (res: ServerResponse, status: number, body: string, type = 'application/json') => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    res.end(body);
  };
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      await limiter.consume(req.socket.remoteAddress ?? 'unknown');
    } catch (refusal) {
      const seconds = refusal instanceof RateLimiterRes ? Math.max(1, Math.ceil(refusal.msBeforeNext / 1000)) : 60;
      res.setHeader('retry-after', String(seconds));
      return send(res, 429, JSON.stringify({ error: { code: 'RATE_LIMITED', message: 'too many requests' } }));
    }
    const path = new URL(req.url ?? '/', 'http://probe.invalid').pathname;
    if (req.method !== 'GET') return send(res, 405, JSON.stringify({ error: { code: 'METHOD_NOT_ALLOWED', message: 'GET only' } }));
    if (path === '/healthz') return send(res, 200, JSON.stringify({ status: 'ok' }));
    if (path === '/readyz') {
      const view = await readinessOf(options.parts(), options.checks, options.checkTimeoutMs ?? 2_000);
      return send(res, view.status === 'ok' ? 200 : 503, JSON.stringify(view));
    }
    if (path === '/metrics' && options.metrics) return send(res, 200, await options.metrics.metrics(), options.metrics.contentType);
    return send(res, 404, JSON.stringify({ error: { code: 'NOT_FOUND', message: 'no such probe' } }));
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      options.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'probe request failed');
      if (!res.headersSent) send(res, 500, JSON.stringify({ error: { code: 'INTERNAL', message: 'probe failed' } }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
