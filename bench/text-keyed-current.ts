/**
 * The first table of current statuses (migration 003, dropped since 005), kept beside the real one in
 * `npm run bench:stats` so that its ordering by the source's text is timed against the hashed key on the same
 * inserts (analytics/source-key.ts). Fed by a view of its own, created before the rows go in, so that both
 * tables hold parts of the same inserts.
 */
import type { ClickHouseClient } from '../analytics/clickhouse-client';
import { CURRENT_RANK, MESSAGE_KEY } from '../analytics/migrations';
import { finalInStreams } from '../analytics/final-streams';
import { statusTable } from '../analytics/schema';
import { sql, sqlIdentifier } from '../analytics/sql-escape';

const TABLE = 'delivery_current_by_text';

export function textKeyedTable(database: string) {
  return sqlIdentifier(`${database}.${TABLE}`);
}

/** The table and its view, as 003 made them. */
export async function createTextKeyedCurrent(client: ClickHouseClient, database: string): Promise<void> {
  await client.exec(sql`CREATE TABLE ${textKeyedTable(database)} (
    sourceType String, sourceId String, messageHigh UInt64, messageLow UInt64, clientId String, channel String,
    deliveryId String, status String, attempt UInt32, reason String, occurredAtMs UInt64, rank UInt64
  ) ENGINE = ReplacingMergeTree(rank) ORDER BY (sourceType, sourceId, messageHigh, messageLow)`);
  await client.exec(sql`CREATE MATERIALIZED VIEW ${sqlIdentifier(`${database}.${TABLE}_feed`)} TO ${textKeyedTable(database)}
    AS SELECT sourceType, sourceId, ${MESSAGE_KEY}, clientId, channel, deliveryId, status, attempt, reason, occurredAtMs, ${CURRENT_RANK} AS rank
    FROM ${statusTable(database)}`);
}

/** A mailing's counts as they were read from it: FINAL in `streams` streams, the source found by its text. */
export async function textKeyedCounts(client: ClickHouseClient, database: string, mailingId: string, streams: number): Promise<Map<string, number>> {
  const rows = await client.query<{ status: string; n: string }>(sql`
    SELECT currentStatus AS status, count() AS n
    FROM (${finalInStreams(textKeyedTable(database), sql`status AS currentStatus`, sql`sourceType = 'mailing' AND sourceId = ${mailingId}`, streams)})
    GROUP BY currentStatus`);
  return new Map(rows.map((row) => [row.status, Number(row.n)]));
}
