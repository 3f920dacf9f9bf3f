/** The minutes the console overview charts, and its send rate: pure, so the route stays I/O only. */
import type { OverviewWindow } from '../analytics/ports';
import { MINUTE_MS } from '../analytics/overview-queries';

export { MINUTE_MS };
const MINUTES_OF_RANGE = { hour: 60, day: 1440 } as const;
/** The send rate is the mean over this many last minutes (the current one included). */
export const SEND_RATE_MINUTES = 5;

/** The window of a range ending with the current minute: 60 or 1440 whole minutes, the last one `now`'s. */
export function overviewWindow(range: keyof typeof MINUTES_OF_RANGE, now: number): OverviewWindow {
  const minutes = MINUTES_OF_RANGE[range];
  const currentMinute = Math.floor(now / MINUTE_MS) * MINUTE_MS;
  return { fromMs: currentMinute - (minutes - 1) * MINUTE_MS, minutes };
}

/** The window of an overview query: `from`–`to` (whole minutes, checked by the query schema), else the range ending now. */
export function overviewWindowOf(
  query: { range?: keyof typeof MINUTES_OF_RANGE | undefined; from?: string | undefined; to?: string | undefined }, now: number,
): { range: keyof typeof MINUTES_OF_RANGE | 'custom'; window: OverviewWindow } {
  if (query.from !== undefined && query.to !== undefined) {
    const fromMs = Date.parse(query.from);
    return { range: 'custom', window: { fromMs, minutes: (Date.parse(query.to) - fromMs) / MINUTE_MS } };
  }
  const range = query.range ?? 'hour';
  return { range, window: overviewWindow(range, now) };
}

/** Sends per minute over the last SEND_RATE_MINUTES buckets of a series (oldest first). */
export function sendRate(sentPerMinute: readonly number[]): number {
  const last = sentPerMinute.slice(-SEND_RATE_MINUTES);
  return last.reduce((sum, n) => sum + n, 0) / SEND_RATE_MINUTES;
}
