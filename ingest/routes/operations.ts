import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Registry } from 'prom-client';
import { RouteTarget, mountRoute } from '../http/route';
import { generateDocument } from '../openapi/document';
import { z } from '../../domain/resources/zod';

/** GET /metrics (public): the Prometheus text exposition of the registry. */
export function mountMetricsRoute(target: RouteTarget, metrics: Registry): void {
  mountRoute(
    target,
    {
      method: 'get', path: '/metrics', summary: 'Prometheus metrics', tag: 'operations',
      responses: { 200: { description: 'Text exposition format', schema: z.string(), contentType: 'text/plain' } },
    },
    async (ctx) => {
      ctx.type = metrics.contentType;
      ctx.body = await metrics.metrics();
    },
  );
}

/** GET /openapi.json (public): generated once, on first request, after every route is registered. */
export function mountOpenApiRoute(target: RouteTarget, registry: OpenAPIRegistry, version: string): void {
  let document: Record<string, unknown> | undefined;
  mountRoute(
    target,
    {
      method: 'get', path: '/openapi.json', summary: 'This OpenAPI document', tag: 'docs',
      responses: { 200: { description: 'OpenAPI 3.0 document', schema: z.record(z.string(), z.unknown()) } },
    },
    async (ctx) => {
      document ??= generateDocument(registry, version);
      ctx.body = document;
    },
  );
}
