/**
 * Where ClickHouse's CPU goes during the bulk window (issue 15: 131 CPU-s in the 1M run, not broken down).
 *
 * Every query's own CPU is in `system.query_log` (infra/clickhouse/users.xml turns `log_queries` on):
 * the user and system time of its threads. An INSERT's includes its materialized views (delivery_current
 * is filled in the insert's thread). Queries are grouped by their text with literals blanked, so the
 * scheduler's check of a hundred mailings is one group. What the queries do not account for is background
 * work, merges above all (they are not queries), so it is the process's CPU less the queries'.
 */
import type { ClickHouseClient } from '../analytics/clickhouse-client';
import { sql } from '../analytics/sql-escape';

/** One group of queries of the same shape. */
export interface QueryShapeCpu {
  /** The query's first characters without its database, with numbers and quoted strings blanked. */
  shape: string;
  queries: number;
  cpuSeconds: number;
}

export interface ClickHouseCpu {
  /** The groups, most CPU first; the small ones folded into one `other queries` row. */
  shapes: QueryShapeCpu[];
  queriesCpuSeconds: number;
}

const SHAPES_SHOWN = 6;

/**
 * Queries that started in [fromMs, toMs] (to the second), on the servers `clients` talk to (every shard of a
 * cluster: each logs its own part of a distributed query), by shape.
 */
export async function clickHouseCpuByQuery(clients: readonly ClickHouseClient[], database: string, fromMs: number, toMs: number): Promise<ClickHouseCpu> {
  const byShape = new Map<string, QueryShapeCpu>();
  for (const client of clients) {
    for (const row of await queryShapes(client, database, fromMs, toMs)) {
      const seen = byShape.get(row.shape) ?? { shape: row.shape, queries: 0, cpuSeconds: 0 };
      byShape.set(row.shape, { shape: row.shape, queries: seen.queries + row.queries, cpuSeconds: seen.cpuSeconds + row.cpuSeconds });
    }
  }
  const all = [...byShape.values()].sort((a, b) => b.cpuSeconds - a.cpuSeconds);
  const shown = all.slice(0, SHAPES_SHOWN);
  const rest = all.slice(SHAPES_SHOWN);
  if (rest.length > 0) {
    shown.push({ shape: `other queries (${rest.length} shapes)`, queries: rest.reduce((n, r) => n + r.queries, 0), cpuSeconds: rest.reduce((sum, r) => sum + r.cpuSeconds, 0) });
  }
  return { shapes: shown, queriesCpuSeconds: all.reduce((sum, r) => sum + r.cpuSeconds, 0) };
}

/** The queries' shapes, less the bench's own reading of the log (its flush and its query of it). */
async function queryShapes(client: ClickHouseClient, database: string, fromMs: number, toMs: number): Promise<QueryShapeCpu[]> {
  await client.exec(sql`SYSTEM FLUSH LOGS`);
  // The run's database name goes (quoted in our SQL, bare in what a Distributed table sends a shard), then
  // literals: what is left names the query.
  const rows = await client.query<{ shape: string; queries: string | number; cpuSeconds: number }>(sql`
    SELECT substring(replaceRegexpAll(replaceRegexpAll(replaceAll(replaceAll(query, ${`\`${database}\`.`}, ''), ${`${database}.`}, ''), '\\'[^\\']*\\'', '?'), '[0-9]+', 'N'), 1, 64) AS shape,
      count() AS queries,
      sum(arraySum(arrayMap((name, value) -> if(name = 'UserTimeMicroseconds' OR name = 'SystemTimeMicroseconds', value, 0), ProfileEvents.Names, ProfileEvents.Values))) / 1e6 AS cpuSeconds
    FROM system.query_log
    WHERE type = 2 AND query_start_time >= toDateTime(${Math.floor(fromMs / 1000)}) AND query_start_time <= toDateTime(${Math.ceil(toMs / 1000)})
      AND query NOT LIKE '%system.query_log%' AND query NOT LIKE 'SYSTEM FLUSH LOGS%'
    GROUP BY shape ORDER BY cpuSeconds DESC`);
  return rows.map((row) => ({ shape: row.shape.replace(/\s+/g, ' ').trim(), queries: Number(row.queries), cpuSeconds: Number(row.cpuSeconds) }));
}
