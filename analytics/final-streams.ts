/**
 * `delivery_current` read with FINAL in several streams at once.
 *
 * ClickHouse 18.16 merges a FINAL read in one stream, on one core, however many the server has: a mailing's
 * counts at a million fresh rows spent their time folding parts on one core while the other idled (current
 * releases split FINAL by themselves: max_final_threads). Rows of one message share their key (migrations.ts
 * MESSAGE_KEY), so splitting the key's first half, `messageHigh` (a cityHash64, spread evenly), into ranges
 * gives reads that never share a message: each folds its messages whole, and the union of their rows is
 * FINAL's answer. ClickHouse runs the branches of a UNION ALL in parallel, and the table is ordered by source
 * and then `messageHigh`, so each branch reads only its range's granules. Measured at a million messages on 2
 * cores (`npm run bench:stats` prints it beside one stream): see the README's "Statistics at scale".
 */
import type { ClickHouseClient } from './clickhouse-client';
import { type SqlFragment, sql, sqlJoin } from './sql-escape';

/** More streams than this only add branches: the server's threads, not the branches, bound the work. */
export const MAX_FINAL_STREAMS = 16;

const KEY_SPACE = 2n ** 64n;

/** A range of `messageHigh`: from inclusive, to exclusive; null: to the end of the UInt64 space. */
export interface KeyRange {
  from: bigint;
  to: bigint | null;
}

/** `streams` ranges of equal width that cover every UInt64 once, in order (one unbounded range for 1). */
export function keyRanges(streams: number): KeyRange[] {
  if (!Number.isInteger(streams) || streams < 1 || streams > MAX_FINAL_STREAMS) {
    throw new RangeError(`streams must be an integer from 1 to ${MAX_FINAL_STREAMS}, got ${streams}`);
  }
  const bound = (i: number) => (KEY_SPACE * BigInt(i)) / BigInt(streams);
  return Array.from({ length: streams }, (_, i) => ({ from: bound(i), to: i === streams - 1 ? null : bound(i + 1) }));
}

/**
 * `SELECT columns FROM table FINAL WHERE where`, as a UNION ALL of one read per key range (just that read
 * for one stream). For use as a subquery: its rows are the single read's rows, in no particular order.
 */
export function finalInStreams(table: SqlFragment, columns: SqlFragment, where: SqlFragment, streams: number): SqlFragment {
  const reads = keyRanges(streams).map(({ from, to }) => {
    const range = [from > 0n ? sql` AND messageHigh >= ${from}` : sql``, to === null ? sql`` : sql` AND messageHigh < ${to}`];
    return sql`SELECT ${columns} FROM ${table} FINAL WHERE (${where})${range[0]!}${range[1]!}`;
  });
  return sqlJoin(reads, ' UNION ALL ');
}

/**
 * How many streams a server's `max_threads` setting asks for: its number (current releases write it as
 * `auto(8)`), within 1 … MAX_FINAL_STREAMS; 1 when it says none.
 */
export function streamsForMaxThreads(value: string): number {
  const threads = Number(/\d+/.exec(value)?.[0] ?? 1);
  return Math.min(MAX_FINAL_STREAMS, Math.max(1, threads));
}

/** How many streams the server's `max_threads` asks for (streamsForMaxThreads), asked of it once per call. */
export async function askStreams(client: ClickHouseClient): Promise<number> {
  const rows = await client.query<{ value: string }>(sql`SELECT value FROM system.settings WHERE name = 'max_threads'`);
  return streamsForMaxThreads(rows[0]?.value ?? '1');
}
