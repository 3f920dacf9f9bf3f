import { z } from 'zod';
import { VestnikError } from '../../platform/errors';
import type { Capacity } from './capacity';
import {
  COMMON_NO_FAULTS, CommonFaults, commonFaultsPatchFields, latencyOf, mergeFaultsPatch, outageAt, outageSchema,
  pickStackedFault, rate,
} from '../shared/faults';

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

/** `errorStatus` is a 5xx. */
export interface SmsFaults extends CommonFaults {
  /** Share answered 200 with a body that is not JSON. */
  garbageRate: number;
  /** Share answered 200 with {"code":1,"message":"FAIL"}. */
  bodyErrorRate: number;
  outage: Outage | null;
  /** Phones (digits) whose every send is refused with HTTP 400: a permanent failure, for tests of re-sends. */
  rejectPhones: string[];
  /** A provider that takes only so many requests at once (capacity.ts); null: as many as arrive. */
  capacity: Capacity | null;
}

export const NO_FAULTS: Readonly<SmsFaults> = Object.freeze({
  ...COMMON_NO_FAULTS,
  errorStatus: 500,
  garbageRate: 0,
  bodyErrorRate: 0,
  outage: null,
  rejectPhones: [],
  capacity: null,
});

/** What PUT /_control/faults (and the start options) accept: any subset; an outage by end time or length. */
export const faultsPatchSchema = z.strictObject({
  ...commonFaultsPatchFields,
  errorStatus: z.number().int().min(500).max(599).optional(),
  garbageRate: rate.optional(),
  bodyErrorRate: rate.optional(),
  outage: outageSchema(['refuse', 'unavailable'] as const),
  rejectPhones: z.array(z.string().regex(/^\d{1,15}$/)).max(10_000).optional(),
  capacity: z.strictObject({
    workers: z.number().int().min(1).max(10_000),
    queue: z.number().int().min(0).max(100_000),
    serviceMs: z.number().int().min(0).max(60_000),
  }).nullable().optional(),
});

export type FaultsPatch = z.input<typeof faultsPatchSchema>;

/** Validates a patch (from JSON or options) and applies it; `now` resolves an outage's forMs. */
export function applyFaultsPatch(current: SmsFaults, input: unknown, now: number): { faults: SmsFaults; seed?: number } {
  const applied = mergeFaultsPatch(faultsPatchSchema, current, input, now);
  const { faults } = applied;
  const share = faults.errorRate + faults.timeoutRate + faults.garbageRate + faults.bodyErrorRate;
  if (share > 1 + 1e-9) {
    throw new VestnikError('VALIDATION_FAILED', `invalid faults: rates add up to ${share}, more than 1`);
  }
  return applied;
}

export type DrawnFault = 'timeout' | 'error' | 'garbage' | 'body-error' | null;

/** Which fault (if any) a uniform draw in [0, 1) selects: the rates are stacked in a fixed order. */
export function pickFault(draw: number, faults: SmsFaults): DrawnFault {
  return pickStackedFault(draw, [
    ['timeout', faults.timeoutRate], ['error', faults.errorRate],
    ['garbage', faults.garbageRate], ['body-error', faults.bodyErrorRate],
  ]);
}

/** The outage in force at `now`, if any (an expired one counts as none). */
export function activeOutage(faults: SmsFaults, now: number): Outage | null {
  return outageAt(faults.outage, now);
}

/** The added latency for a request, from a uniform draw in [0, 1). */
export function latencyFor(draw: number, faults: SmsFaults): number {
  return latencyOf(draw, faults);
}
