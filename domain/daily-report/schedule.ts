/**
 * When the daily statistics email is due, and which instants its day covers: pure functions of an instant,
 * exact across DST changes (luxon reads tzdb).
 *
 * A report covers one local day D of the report's zone, [start of D, start of D+1), which is 23 or 25
 * hours long on a DST day (and starts at 01:00 where the clock jumps at midnight, as in America/Santiago).
 * D's report is due from "D+1 at HH:MM" on that zone's wall clock. When HH:MM does not exist that day
 * (spring forward) it is due when the clock jumps past it; when it happens twice (fall back) it is due at
 * the one instant luxon picks, so never twice.
 *
 * At any instant exactly one day is "the due one": the latest whose report time has passed. The scheduler
 * claims that day's report once; a scheduler that was down at 07:00 still sends it later that day (until
 * the next report time, when the next day becomes the due one and the missed one is skipped).
 */
import { DateTime } from 'luxon';
import { VestnikError } from '../../platform/errors';
import { parseClockTime } from '../../platform/time-window';
import { isKnownTimeZone } from '../../platform/time-zones';

/** When reports go out: "HH:MM" on the wall clock of an IANA zone. */
export interface ReportSchedule {
  at: string;
  timezone: string;
}

/** One local day as the report covers it: its date, and the instants [fromMs, toMs) in epoch ms. */
export interface ReportDay {
  /** The local date, yyyy-MM-dd. */
  day: string;
  fromMs: number;
  toMs: number;
}

/** A day whose report is due, and since when. */
export interface DueReport extends ReportDay {
  dueAt: number;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The instants of local day `day` (yyyy-MM-dd) in `timezone`: from its first to the next day's first instant. */
export function reportDayOf(day: string, timezone: string): ReportDay {
  const start = startOfDate(day, timezone);
  return { day, fromMs: start.toMillis(), toMs: startOfDate(start.plus({ days: 1 }).toISODate() as string, timezone).toMillis() };
}

/** When the report of `day` is due: the next day at `schedule.at` on the zone's wall clock. */
export function reportTimeOf(day: string, schedule: ReportSchedule): number {
  const minutes = parseClockTime(schedule.at) / 60_000;
  const next = startOfDate(day, schedule.timezone).plus({ days: 1 });
  // From the date, not from the day's first instant: where midnight does not exist the day starts at 01:00.
  return DateTime.fromObject(
    { year: next.year, month: next.month, day: next.day, hour: Math.floor(minutes / 60), minute: minutes % 60 },
    { zone: schedule.timezone },
  ).toMillis();
}

/** The day whose report is due at `now`: the latest day whose report time is at or before `now`. */
export function dueReport(now: number, schedule: ReportSchedule): DueReport {
  const today = DateTime.fromMillis(now, { zone: zoneOf(schedule.timezone) }).toISODate() as string;
  // Yesterday's report is due from today's HH:MM; before it, the day before yesterday's is still the due one.
  let day = shiftDate(today, -1, schedule.timezone);
  let dueAt = reportTimeOf(day, schedule);
  if (now < dueAt) {
    day = shiftDate(day, -1, schedule.timezone);
    dueAt = reportTimeOf(day, schedule);
  }
  return { ...reportDayOf(day, schedule.timezone), dueAt };
}

function startOfDate(day: string, timezone: string): DateTime {
  const match = ISO_DATE.exec(day);
  if (!match) throw new VestnikError('VALIDATION_FAILED', `expected a date yyyy-MM-dd, got ${JSON.stringify(day)}`);
  const start = DateTime.fromObject(
    { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) },
    { zone: zoneOf(timezone) },
  );
  if (!start.isValid || start.toISODate() !== day) throw new VestnikError('VALIDATION_FAILED', `not a date: ${JSON.stringify(day)}`);
  return start;
}

function shiftDate(day: string, days: number, timezone: string): string {
  return startOfDate(day, timezone).plus({ days }).toISODate() as string;
}

function zoneOf(timezone: string): string {
  if (!isKnownTimeZone(timezone)) throw new VestnikError('VALIDATION_FAILED', `unknown IANA time zone ${JSON.stringify(timezone)}`);
  return timezone;
}
