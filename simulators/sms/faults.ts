import { z } from 'zod';
import { VestnikError } from '../../platform/errors';

/**
 * The SMS simulator's switchable faults. Rates are shares of requests, drawn from a seeded PRNG so a
 * run can be replayed; an outage is a time-bound window in which the provider is down.
 */
export type OutageMode =
  /** The listening socket is really closed: clients get ECONNREFUSED. */
  | 'refuse'
  /** The server answers every send with 503. */
  | 'unavailable';

export interface Outage {
  mode: OutageMode;
  /** Epoch ms when the outage ends by itself. */
  until: number;
}

export interface SmsFaults {
  /** Added to every send before it is answered. */
  latencyMs: number;
  /** Plus a uniform extra in [0, jitterMs). */
  jitterMs: number;
  /** Share answered with `errorStatus`. */
  errorRate: number;
  errorStatus: number;
  /** Share that never answers: held for `hangMs`, then the connection is dropped. */
  timeoutRate: number;
  hangMs: number;
  /** Share answered 200 with a body that is not JSON. */
  garbageRate: number;
  /** Share answered 200 with {"code":1,"message":"FAIL"}. */
  bodyErrorRate: number;
  outage: Outage | null;
}

export const NO_FAULTS: Readonly<SmsFaults> = Object.freeze({
  latencyMs: 0,
  jitterMs: 0,
  errorRate: 0,
  errorStatus: 500,
  timeoutRate: 0,
  hangMs: 30_000,
  garbageRate: 0,
  bodyErrorRate: 0,
  outage: null,
});

const rate = z.number().min(0).max(1);
const millis = z.number().int().min(0).max(3_600_000);

/** What PUT /_control/faults (and the start options) accept: any subset; an outage by end time or length. */
export const faultsPatchSchema = z.strictObject({
  latencyMs: millis.optional(),
  jitterMs: millis.optional(),
  errorRate: rate.optional(),
  errorStatus: z.number().int().min(500).max(599).optional(),
  timeoutRate: rate.optional(),
  hangMs: millis.optional(),
  garbageRate: rate.optional(),
  bodyErrorRate: rate.optional(),
  outage: z
    .strictObject({
      mode: z.enum(['refuse', 'unavailable']),
      until: z.number().int().min(0).optional(),
      forMs: z.number().int().min(1).max(86_400_000).optional(),
    })
    .refine((o) => (o.until === undefined) !== (o.forMs === undefined), 'give exactly one of until or forMs')
    .nullable()
    .optional(),
  /** Re-seeds the fault draws. */
  seed: z.number().int().optional(),
});

export type FaultsPatch = z.input<typeof faultsPatchSchema>;

/** Validates a patch (from JSON or options) and applies it; `now` resolves an outage's forMs. */
export function applyFaultsPatch(current: SmsFaults, input: unknown, now: number): { faults: SmsFaults; seed?: number } {
  const parsed = faultsPatchSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`);
    throw new VestnikError('VALIDATION_FAILED', `invalid faults: ${problems.join('; ')}`, { details: problems });
  }
  const { outage, seed, ...settings } = parsed.data;
  const faults: SmsFaults = { ...current, ...settings };
  if (outage === null) faults.outage = null;
  else if (outage) faults.outage = { mode: outage.mode, until: outage.until ?? now + (outage.forMs ?? 0) };
  const share = faults.errorRate + faults.timeoutRate + faults.garbageRate + faults.bodyErrorRate;
  if (share > 1 + 1e-9) {
    throw new VestnikError('VALIDATION_FAILED', `invalid faults: rates add up to ${share}, more than 1`);
  }
  return seed === undefined ? { faults } : { faults, seed };
}

export type DrawnFault = 'timeout' | 'error' | 'garbage' | 'body-error' | null;

/** Which fault (if any) a uniform draw in [0, 1) selects: the rates are stacked in a fixed order. */
export function pickFault(draw: number, faults: SmsFaults): DrawnFault {
  let edge = faults.timeoutRate;
  if (draw < edge) return 'timeout';
  edge += faults.errorRate;
  if (draw < edge) return 'error';
  edge += faults.garbageRate;
  if (draw < edge) return 'garbage';
  edge += faults.bodyErrorRate;
  if (draw < edge) return 'body-error';
  return null;
}

/** The outage in force at `now`, if any (an expired one counts as none). */
export function activeOutage(faults: SmsFaults, now: number): Outage | null {
  return faults.outage !== null && now < faults.outage.until ? faults.outage : null;
}

/** The added latency for a request, from a uniform draw in [0, 1). */
export function latencyFor(draw: number, faults: SmsFaults): number {
  return faults.latencyMs + Math.floor(draw * faults.jitterMs);
}
