import { z } from 'zod';
import { VestnikError } from '../../platform/errors';
import { latencyOf, millis, outageAt, outageSchema, parseFaultsPatch, rate, resolveOutage } from '../shared/faults';

/**
 * The push simulator's switchable faults: added latency, a share of requests answered with an error
 * status (429 quota or 5xx), a share that never answers, and a time-bound outage. Rates are drawn from
 * a seeded PRNG so a run can be replayed.
 */
export type PushOutageMode =
  /** Every send is answered 503 UNAVAILABLE. */
  | 'unavailable'
  /** Every send has its connection dropped without an answer (the client sees a socket error). */
  | 'drop';

export interface PushOutage {
  mode: PushOutageMode;
  /** Epoch ms when the outage ends by itself. */
  until: number;
}

export interface PushFaults {
  latencyMs: number;
  /** Plus a uniform extra in [0, jitterMs). */
  jitterMs: number;
  /** Share answered with `errorStatus` in FCM's error shape. */
  errorRate: number;
  /** 429 (QUOTA_EXCEEDED) or a 5xx (500 INTERNAL, 503 UNAVAILABLE, ...). */
  errorStatus: number;
  /** Share held for `hangMs` without an answer, then dropped. */
  timeoutRate: number;
  hangMs: number;
  outage: PushOutage | null;
}

export const NO_PUSH_FAULTS: Readonly<PushFaults> = Object.freeze({
  latencyMs: 0,
  jitterMs: 0,
  errorRate: 0,
  errorStatus: 503,
  timeoutRate: 0,
  hangMs: 30_000,
  outage: null,
});

/** What PUT /_control/faults (and the start options) accept: any subset; an outage by end time or length. */
export const pushFaultsPatchSchema = z.strictObject({
  latencyMs: millis.optional(),
  jitterMs: millis.optional(),
  errorRate: rate.optional(),
  errorStatus: z.number().int().refine((s) => s === 429 || (s >= 500 && s <= 599), 'must be 429 or a 5xx').optional(),
  timeoutRate: rate.optional(),
  hangMs: millis.optional(),
  outage: outageSchema(['unavailable', 'drop'] as const),
  /** Re-seeds the fault draws. */
  seed: z.number().int().optional(),
});

export type PushFaultsPatch = z.input<typeof pushFaultsPatchSchema>;

/** Validates a patch (from JSON or options) and applies it; `now` resolves an outage's forMs. */
export function applyPushFaultsPatch(current: PushFaults, input: unknown, now: number): { faults: PushFaults; seed?: number } {
  const { outage, seed, ...settings } = parseFaultsPatch(pushFaultsPatchSchema, input);
  const faults: PushFaults = { ...current, ...settings };
  const resolved = resolveOutage(outage, now);
  if (resolved !== undefined) faults.outage = resolved;
  if (faults.errorRate + faults.timeoutRate > 1 + 1e-9) {
    throw new VestnikError('VALIDATION_FAILED', 'invalid faults: errorRate + timeoutRate is more than 1');
  }
  return seed === undefined ? { faults } : { faults, seed };
}

export type DrawnPushFault = 'timeout' | 'error' | null;

/** Which fault (if any) a uniform draw in [0, 1) selects: timeouts first, then errors. */
export function pickPushFault(draw: number, faults: PushFaults): DrawnPushFault {
  if (draw < faults.timeoutRate) return 'timeout';
  if (draw < faults.timeoutRate + faults.errorRate) return 'error';
  return null;
}

/** The outage in force at `now`, if any (an expired one counts as none). */
export function activePushOutage(faults: PushFaults, now: number): PushOutage | null {
  return outageAt(faults.outage, now);
}

/** The added latency for a request, from a uniform draw in [0, 1). */
export function pushLatencyFor(draw: number, faults: PushFaults): number {
  return latencyOf(draw, faults);
}
