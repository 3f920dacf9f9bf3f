import { IANAZone } from 'luxon';
import type { TimeWindow } from '../schemas/types';
import { VestnikError } from './errors';

/**
 * Local-time windows ("09:00"–"21:00" in the recipient's zone), pure functions of an instant.
 *
 * A window is the half-open range [from, to) of wall-clock time; from > to wraps past midnight
 * ("22:00"–"06:00"); from == to means the whole day. "Within" is decided by the wall clock alone, so
 * on a DST day a window can be entered by the clock jumping into it (spring forward) and left and
 * re-entered when the clock falls back: nextWindowOpening agrees with isWithinWindow in both cases.
 */

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
const CLOCK_TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** "HH:mm" → milliseconds after local midnight; anything else is a validation error. */
export function parseClockTime(value: string): number {
  const match = CLOCK_TIME.exec(value);
  if (!match) throw new VestnikError('VALIDATION_FAILED', `time of day must be "HH:mm", got ${JSON.stringify(value)}`);
  return (Number(match[1]) * 60 + Number(match[2])) * MINUTE_MS;
}

/** True when the wall clock of `timezone` at `now` lies inside the window. */
export function isWithinWindow(now: number, window: TimeWindow, timezone: string): boolean {
  const zone = zoneOf(timezone);
  return contains(boundsOf(window), wallClockMs(zone, now));
}

/**
 * The earliest instant >= now at which the window is open (now itself when it already is).
 * Exact across one UTC-offset change within the next day, which covers every DST rule in tzdb.
 */
export function nextWindowOpening(now: number, window: TimeWindow, timezone: string): number {
  const zone = zoneOf(timezone);
  const bounds = boundsOf(window);
  if (contains(bounds, wallClockMs(zone, now))) return now;
  // Between offset changes the wall clock runs with real time, so the next "from" is plain arithmetic.
  const crossing = now + untilWallClock(zone, now, bounds.fromMs);
  const transition = findOffsetChange(zone, now, now + DAY_MS);
  if (transition === null || crossing < transition) return crossing;
  // The clock jumped before reaching "from": the jump itself may land inside the window.
  if (contains(bounds, wallClockMs(zone, transition))) return transition;
  return transition + untilWallClock(zone, transition, bounds.fromMs);
}

export type SendTimeDecision = { kind: 'now' } | { kind: 'defer'; until: number } | { kind: 'expire' };

export interface SendTimeInput {
  now: number;
  notBefore: number | null;
  expiresAt: number | null;
  sendWindow: TimeWindow | null;
  timezone: string;
  /** The recipient's quiet hours: never send inside them. Equal bounds mean no quiet hours. */
  quietHours?: TimeWindow | null;
}

/**
 * When may this message go out: now, later (the first allowed instant), or never (it would be at or
 * past its expiry). Used by the fan-out to defer recipients outside their window and by senders so
 * nothing is sent after expiresAt or inside quiet hours.
 */
export function decideSendTime(input: SendTimeInput): SendTimeDecision {
  const { now, expiresAt } = input;
  if (expiresAt !== null && now >= expiresAt) return { kind: 'expire' };
  const at = earliestAllowed(Math.max(now, input.notBefore ?? now), input);
  if (expiresAt !== null && at >= expiresAt) return { kind: 'expire' };
  return at <= now ? { kind: 'now' } : { kind: 'defer', until: at };
}

/** Rounds of "advance into each window in turn" before giving up on finding their overlap. */
const MAX_ALIGN_ROUNDS = 4;

function earliestAllowed(start: number, input: SendTimeInput): number {
  const windows: TimeWindow[] = [];
  if (input.sendWindow) windows.push(input.sendWindow);
  if (input.quietHours && input.quietHours.from !== input.quietHours.to) {
    windows.push({ from: input.quietHours.to, to: input.quietHours.from });
  }
  let at = start;
  for (let round = 0; round < MAX_ALIGN_ROUNDS; round++) {
    let moved = false;
    for (const window of windows) {
      const next = nextWindowOpening(at, window, input.timezone);
      if (next !== at) {
        at = next;
        moved = true;
      }
    }
    if (!moved) return at;
  }
  // Windows that never overlap: defer to the last candidate; the caller decides again then and the
  // message eventually expires instead of spinning here.
  return at;
}

interface Bounds {
  fromMs: number;
  toMs: number;
}

function boundsOf(window: TimeWindow): Bounds {
  return { fromMs: parseClockTime(window.from), toMs: parseClockTime(window.to) };
}

function contains({ fromMs, toMs }: Bounds, wallMs: number): boolean {
  if (fromMs === toMs) return true;
  if (fromMs < toMs) return wallMs >= fromMs && wallMs < toMs;
  return wallMs >= fromMs || wallMs < toMs;
}

function zoneOf(timezone: string): IANAZone {
  const zone = IANAZone.create(timezone);
  if (!zone.isValid) throw new VestnikError('VALIDATION_FAILED', `unknown IANA time zone ${JSON.stringify(timezone)}`);
  return zone;
}

function offsetMs(zone: IANAZone, instant: number): number {
  return zone.offset(instant) * MINUTE_MS;
}

/** Milliseconds since local midnight at `instant`. */
function wallClockMs(zone: IANAZone, instant: number): number {
  return modulo(instant + offsetMs(zone, instant), DAY_MS);
}

/** Real time until the wall clock next shows `targetMs`, assuming the offset at `instant` holds. */
function untilWallClock(zone: IANAZone, instant: number, targetMs: number): number {
  return modulo(targetMs - wallClockMs(zone, instant), DAY_MS);
}

/** The first millisecond in (from, to] with a different UTC offset than `from`, or null if none. */
function findOffsetChange(zone: IANAZone, from: number, to: number): number | null {
  const before = zone.offset(from);
  if (zone.offset(to) === before) return null;
  let low = from;
  let high = to;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (zone.offset(middle) === before) low = middle;
    else high = middle;
  }
  return high;
}

function modulo(value: number, divisor: number): number {
  return ((value % divisor) + divisor) % divisor;
}
