/**
 * The state of delivery_current_v2 when the bench times a mailing's statistics: its counts read the table with
 * FINAL, whose cost is mostly the parts it folds (README, "Statistics at scale": the same 2M rows in 147 ms from
 * 20 unmerged parts, 39 ms from merged ones), so the figure is printed with it.
 */
import type { ClickHouseClient } from '../analytics/clickhouse-client';
import { CURRENT_STATUS_TABLE } from '../analytics/schema';
import { sql } from '../analytics/sql-escape';

export interface CurrentTableState {
  /** Active parts, and merges running on the table, summed over the servers. */
  parts: number;
  merges: number;
}

/** On a cluster the local tables carry a suffix; a `LIKE` on the name counts both forms. */
const TABLE_LIKE = `${CURRENT_STATUS_TABLE}%`;

export async function currentTableState(clients: readonly ClickHouseClient[], database: string): Promise<CurrentTableState> {
  let parts = 0;
  let merges = 0;
  for (const client of clients) {
    const [row] = await client.query<{ parts: string; merges: string }>(sql`
      SELECT
        (SELECT count() FROM system.parts WHERE database = ${database} AND table LIKE ${TABLE_LIKE} AND active) AS parts,
        (SELECT count() FROM system.merges WHERE database = ${database} AND table LIKE ${TABLE_LIKE}) AS merges`);
    parts += Number(row?.parts ?? 0);
    merges += Number(row?.merges ?? 0);
  }
  return { parts, merges };
}
