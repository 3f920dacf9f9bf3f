import { z } from 'zod';
import { VestnikError } from '../../platform/errors';
import {
  COMMON_NO_FAULTS, CommonFaults, commonFaultsPatchFields, latencyOf, mergeFaultsPatch, outageAt, outageSchema,
  pickStackedFault, quotaOrServerErrorStatus, rate,
} from '../shared/faults';

/**
 * The user-data simulator's switchable faults: added latency, a share of requests answered with an
 * error status (429 or 5xx), a share that never answers, a share answered 200 with a body that is not
 * JSON, and a time-bound outage. Rates are drawn from a seeded PRNG so a run can be replayed.
 */
export type UserDataOutageMode =
  /** Every request is answered 503. */
  | 'unavailable'
  /** Every request has its connection dropped without an answer (the client sees a socket error). */
  | 'drop';

export interface UserDataOutage {
  mode: UserDataOutageMode;
  /** Epoch ms when the outage ends by itself. */
  until: number;
}

/** `errorStatus` is 429 or a 5xx. */
export interface UserDataFaults extends CommonFaults {
  /** Share answered 200 with a truncated (not JSON) body. */
  malformedRate: number;
  outage: UserDataOutage | null;
}

export const NO_USER_DATA_FAULTS: Readonly<UserDataFaults> = Object.freeze({
  ...COMMON_NO_FAULTS, errorStatus: 503, malformedRate: 0, outage: null,
});

/** What PUT /_control/faults (and the start options) accept: any subset; an outage by end time or length. */
export const userDataFaultsPatchSchema = z.strictObject({
  ...commonFaultsPatchFields,
  errorStatus: quotaOrServerErrorStatus.optional(),
  malformedRate: rate.optional(),
  outage: outageSchema(['unavailable', 'drop'] as const),
});

export type UserDataFaultsPatch = z.input<typeof userDataFaultsPatchSchema>;

/** Validates a patch (from JSON or options) and applies it; `now` resolves an outage's forMs. */
export function applyUserDataFaultsPatch(current: UserDataFaults, input: unknown, now: number): { faults: UserDataFaults; seed?: number } {
  const applied = mergeFaultsPatch(userDataFaultsPatchSchema, current, input, now);
  const { faults } = applied;
  if (faults.errorRate + faults.timeoutRate + faults.malformedRate > 1 + 1e-9) {
    throw new VestnikError('VALIDATION_FAILED', 'invalid faults: errorRate + timeoutRate + malformedRate is more than 1');
  }
  return applied;
}

export type DrawnUserDataFault = 'timeout' | 'error' | 'malformed' | null;

/** Which fault (if any) a uniform draw in [0, 1) selects: timeouts, then errors, then malformed bodies. */
export function pickUserDataFault(draw: number, faults: UserDataFaults): DrawnUserDataFault {
  return pickStackedFault(draw, [
    ['timeout', faults.timeoutRate], ['error', faults.errorRate], ['malformed', faults.malformedRate],
  ]);
}

/** The outage in force at `now`, if any (an expired one counts as none). */
export function activeUserDataOutage(faults: UserDataFaults, now: number): UserDataOutage | null {
  return outageAt(faults.outage, now);
}

/** The added latency for a request, from a uniform draw in [0, 1). */
export function userDataLatencyFor(draw: number, faults: UserDataFaults): number {
  return latencyOf(draw, faults);
}
