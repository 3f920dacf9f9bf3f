/** A range of instants the statistics are narrowed to, and its one SQL condition. */
import { SqlFragment, sql } from './sql-escape';

/** The instants [fromMs, toMs), epoch ms (a past day, for the daily report). */
export interface TimeRange {
  fromMs: number;
  toMs: number;
}

/**
 * Status changes in [fromMs, toMs). occurredAt (whole seconds, the partition key) narrows the parts read,
 * a second wider on each side; occurredAtMs decides exactly.
 */
export function inRange(range: TimeRange): SqlFragment {
  if (!Number.isSafeInteger(range.fromMs) || !Number.isSafeInteger(range.toMs) || range.toMs <= range.fromMs) {
    throw new RangeError(`not a time range: ${JSON.stringify(range)}`);
  }
  return sql`occurredAt >= ${new Date(range.fromMs - 1000)} AND occurredAt < ${new Date(range.toMs + 1000)}
    AND occurredAtMs >= ${range.fromMs} AND occurredAtMs < ${range.toMs}`;
}
