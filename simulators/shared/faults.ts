import { z } from 'zod';
import { VestnikError } from '../../platform/errors';

/** The pieces every provider simulator's faults share: rates, durations, outage windows, latency draws. */

export const rate = z.number().min(0).max(1);
export const millis = z.number().int().min(0).max(3_600_000);

/** An outage given by end time or by length (exactly one), or null to end it; the modes are the simulator's own. */
export function outageSchema<M extends readonly [string, ...string[]]>(modes: M) {
  return z
    .strictObject({
      mode: z.enum(modes),
      until: z.number().int().min(0).optional(),
      forMs: z.number().int().min(1).max(86_400_000).optional(),
    })
    .refine((o) => (o.until === undefined) !== (o.forMs === undefined), 'give exactly one of until or forMs')
    .nullable()
    .optional();
}

/** Parses a faults patch (from JSON or options); a bad one is VALIDATION_FAILED naming each problem. */
export function parseFaultsPatch<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`);
    throw new VestnikError('VALIDATION_FAILED', `invalid faults: ${problems.join('; ')}`, { details: problems });
  }
  return parsed.data;
}

/** The outage a patch asks for, resolved to an end time; undefined leaves the current one as it is. */
export function resolveOutage<M extends string>(
  patch: { mode: M; until?: number; forMs?: number } | null | undefined,
  now: number,
): { mode: M; until: number } | null | undefined {
  if (patch === null || patch === undefined) return patch;
  return { mode: patch.mode, until: patch.until ?? now + (patch.forMs ?? 0) };
}

/** The outage in force at `now`, if any (an expired one counts as none). */
export function outageAt<O extends { until: number }>(outage: O | null, now: number): O | null {
  return outage !== null && now < outage.until ? outage : null;
}

/** The added latency for a request, from a uniform draw in [0, 1). */
export function latencyOf(draw: number, faults: { latencyMs: number; jitterMs: number }): number {
  return faults.latencyMs + Math.floor(draw * faults.jitterMs);
}
