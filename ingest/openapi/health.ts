/** Schemas of GET /healthz (liveness) and GET /readyz (the dependencies). */
import { z } from '../../domain/resources/zod';

export const HealthSchema = z
  .object({
    status: z.enum(['ok', 'down']),
    checks: z.record(z.string(), z.enum(['up', 'down'])),
    reasons: z.record(z.string(), z.string()).optional().openapi({ description: 'Why each failing check is down: only for an admin API key' }),
  })
  .openapi('Health', { example: { status: 'ok', checks: { kafka: 'up', redis: 'up', clickhouse: 'up' } } });
export type HealthView = z.output<typeof HealthSchema>;

export const LivenessSchema = z.object({ status: z.literal('ok') }).openapi('Liveness');
