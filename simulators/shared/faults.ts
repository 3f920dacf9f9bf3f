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

/** What every faults patch may carry besides the simulator's own settings. */
interface PatchCommon<M extends string> {
  outage?: { mode: M; until?: number; forMs?: number } | null;
  seed?: number;
}

/**
 * Validates a patch against the simulator's schema and merges it into `current`: only the given fields
 * change, an outage by length is resolved against `now`, null ends it. The seed comes back apart, and
 * only when given, so a caller re-seeds its draws only then.
 */
export function mergeFaultsPatch<F extends { outage: { mode: string; until: number } | null }>(
  schema: z.ZodType<Partial<Omit<F, 'outage'>> & PatchCommon<NonNullable<F['outage']>['mode']>>,
  current: F,
  input: unknown,
  now: number,
): { faults: F; seed?: number } {
  const { outage, seed, ...settings } = parseFaultsPatch(schema, input);
  const faults: F = { ...current, ...settings };
  const resolved = resolveOutage(outage, now);
  if (resolved !== undefined) faults.outage = resolved as F['outage'];
  return seed === undefined ? { faults } : { faults, seed };
}

/**
 * Which fault (if any) a uniform draw in [0, 1) selects, the rates stacked in the given order: the draw
 * falls in the first fault's share, the next one's after it, and so on; past them all, none.
 */
export function pickStackedFault<K extends string>(draw: number, stack: ReadonlyArray<readonly [K, number]>): K | null {
  let edge = 0;
  for (const [fault, share] of stack) {
    edge += share;
    if (draw < edge) return fault;
  }
  return null;
}

/** The settings every provider simulator's faults have; each adds its own shares and outage modes. */
export interface CommonFaults {
  /** Added to every request before it is answered. */
  latencyMs: number;
  /** Plus a uniform extra in [0, jitterMs). */
  jitterMs: number;
  /** Share answered with `errorStatus`. */
  errorRate: number;
  errorStatus: number;
  /** Share that never answers: held for `hangMs`, then the connection is dropped. */
  timeoutRate: number;
  hangMs: number;
}

/** No added latency, no drawn faults (the error status stays each simulator's own). */
export const COMMON_NO_FAULTS: Readonly<Omit<CommonFaults, 'errorStatus'>> = Object.freeze({
  latencyMs: 0,
  jitterMs: 0,
  errorRate: 0,
  timeoutRate: 0,
  hangMs: 30_000,
});

/** The patch fields for CommonFaults (but errorStatus, whose range is each provider's), and the re-seed. */
export const commonFaultsPatchFields = {
  latencyMs: millis.optional(),
  jitterMs: millis.optional(),
  errorRate: rate.optional(),
  timeoutRate: rate.optional(),
  hangMs: millis.optional(),
  /** Re-seeds the fault draws. */
  seed: z.number().int().optional(),
};

/** An error status an HTTP API answers when over quota or failing: 429 or a 5xx. */
export const quotaOrServerErrorStatus = z.number().int().refine((s) => s === 429 || (s >= 500 && s <= 599), 'must be 429 or a 5xx');
