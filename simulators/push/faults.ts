import { z } from 'zod';
import { VestnikError } from '../../platform/errors';
import {
  COMMON_NO_FAULTS, CommonFaults, commonFaultsPatchFields, latencyOf, mergeFaultsPatch, outageAt, outageSchema,
  pickStackedFault, quotaOrServerErrorStatus,
} from '../shared/faults';

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

/** Errors are answered in FCM's error shape; `errorStatus` is 429 (QUOTA_EXCEEDED) or a 5xx (500 INTERNAL, 503 UNAVAILABLE, ...). */
export interface PushFaults extends CommonFaults {
  outage: PushOutage | null;
}

export const NO_PUSH_FAULTS: Readonly<PushFaults> = Object.freeze({ ...COMMON_NO_FAULTS, errorStatus: 503, outage: null });

/** What PUT /_control/faults (and the start options) accept: any subset; an outage by end time or length. */
export const pushFaultsPatchSchema = z.strictObject({
  ...commonFaultsPatchFields,
  errorStatus: quotaOrServerErrorStatus.optional(),
  outage: outageSchema(['unavailable', 'drop'] as const),
});

export type PushFaultsPatch = z.input<typeof pushFaultsPatchSchema>;

/** Validates a patch (from JSON or options) and applies it; `now` resolves an outage's forMs. */
export function applyPushFaultsPatch(current: PushFaults, input: unknown, now: number): { faults: PushFaults; seed?: number } {
  const applied = mergeFaultsPatch(pushFaultsPatchSchema, current, input, now);
  const { faults } = applied;
  if (faults.errorRate + faults.timeoutRate > 1 + 1e-9) {
    throw new VestnikError('VALIDATION_FAILED', 'invalid faults: errorRate + timeoutRate is more than 1');
  }
  return applied;
}

export type DrawnPushFault = 'timeout' | 'error' | null;

/** Which fault (if any) a uniform draw in [0, 1) selects: timeouts first, then errors. */
export function pickPushFault(draw: number, faults: PushFaults): DrawnPushFault {
  return pickStackedFault(draw, [['timeout', faults.timeoutRate], ['error', faults.errorRate]]);
}

/** The outage in force at `now`, if any (an expired one counts as none). */
export function activePushOutage(faults: PushFaults, now: number): PushOutage | null {
  return outageAt(faults.outage, now);
}

/** The added latency for a request, from a uniform draw in [0, 1). */
export function pushLatencyFor(draw: number, faults: PushFaults): number {
  return latencyOf(draw, faults);
}
