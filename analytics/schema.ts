/**
 * Creating the analytics database and tables, and the one mapping from a DeliveryStatus record to
 * a row of `delivery_status`.
 */
import type { DeliveryStatus } from '../schemas/types';
import type { ClickHouseClient } from './clickhouse-client';
import { createDistributedTables, type ClickHouseCluster } from './cluster-schema';
import {
  COLUMN_MIGRATIONS, CURRENT_STATUS_TABLE, DELIVERY_STATUS_TABLE, FINAL_ROWS_TABLE, MIGRATIONS, STATUS_FEEDS, qualified, tableNames,
  type ColumnMigration, type StatusFeed, type TableNames,
} from './migrations';
import { SqlFragment, sql, sqlIdentifier } from './sql-escape';

export { CURRENT_STATUS_TABLE, DELIVERY_STATUS_TABLE };

/** A row of `delivery_status` as sent in JSONEachRow. */
export interface DeliveryStatusRow {
  statusId: string;
  deliveryId: string;
  sourceType: string;
  sourceId: string;
  clientId: string;
  channel: string;
  priority: string;
  status: string;
  attempt: number;
  reason: string;
  providerMessageId: string;
  /** Which provider took the call; '' for none. */
  provider: string;
  /** 'YYYY-MM-DD hh:mm:ss' in UTC: the text form both 18.16 and current servers parse for DateTime('UTC'). */
  occurredAt: string;
  occurredAtMs: number;
  insertedAt: string;
}

/**
 * Creates `database` and every table, if missing. Safe to call at every boot and concurrently. With a
 * cluster: each shard's local tables and the Distributed tables over them (cluster-schema.ts).
 */
export async function migrate(client: ClickHouseClient, database: string, cluster?: ClickHouseCluster): Promise<void> {
  if (!cluster) return migrateServer(client, tableNames(database));
  const local = tableNames(database, true);
  const distributed = tableNames(database);
  for (const shard of cluster.shards) await migrateServer(shard, local);
  // Every shard gets the Distributed tables too, so that any of them answers queries and takes inserts.
  // A column added to the local tables after the Distributed ones exist is added to them as well.
  for (const shard of cluster.shards) {
    await createDistributedTables(shard, cluster.name, local, distributed);
    for (const added of COLUMN_MIGRATIONS) await addColumn(shard, distributed, added);
    await dropRetired(shard, distributed);
  }
}

/** The migrations on one server, under `tables`' names. */
async function migrateServer(client: ClickHouseClient, tables: TableNames): Promise<void> {
  await client.exec(sql`CREATE DATABASE IF NOT EXISTS ${sqlIdentifier(tables.database)}`);
  for (const migration of MIGRATIONS) {
    for (const statement of migration.statements(tables)) await client.exec(statement);
  }
  for (const added of COLUMN_MIGRATIONS) await addColumn(client, tables, added);
  for (const feed of STATUS_FEEDS) await createFeed(client, tables, feed);
  await dropRetired(client, tables);
}

/** What earlier migrations made and later ones replaced; after the feeds, so the replacement has its rows first. */
async function dropRetired(client: ClickHouseClient, tables: TableNames): Promise<void> {
  for (const name of tables.retired) await client.exec(sql`DROP TABLE IF EXISTS ${qualified(tables, name)}`);
}

/** A view that keeps a table from delivery_status's inserts, and, by the boot that creates it, the rows from before it. */
async function createFeed(client: ClickHouseClient, tables: TableNames, feed: StatusFeed): Promise<void> {
  const present = await client.query<{ name: string }>(sql`SELECT name FROM system.tables WHERE database = ${tables.database} AND name = ${feed.name(tables)}`);
  if (present.length > 0) return;
  // View first, then the backfill: a row inserted in between reaches the table twice, which each feed's table
  // allows (delivery_current's FINAL folds equal ranks; delivery_final_rows may be above the exact count).
  await client.exec(feed.view(tables));
  await client.exec(feed.backfill(tables));
}

/**
 * Adds a migration's column to `tables`' table of its kind, unless it is there already. Two processes booting
 * at once may both find it missing; the one that loses the race is told the column exists (18.16 with code 44,
 * ILLEGAL_COLUMN; current releases with 15, DUPLICATE_COLUMN), so a failed ALTER asks the table again rather
 * than read the error.
 */
async function addColumn(client: ClickHouseClient, tables: TableNames, added: ColumnMigration): Promise<void> {
  const table = tables[added.table];
  const present = async () => (await client.query<{ name: string }>(
    sql`SELECT name FROM system.columns WHERE database = ${tables.database} AND table = ${table} AND name = ${added.column}`,
  )).length > 0;
  if (await present()) return;
  try {
    await client.exec(sql`ALTER TABLE ${qualified(tables, table)} ADD COLUMN ${sqlIdentifier(added.column)} ${added.definition}`);
  } catch (error) {
    if (!(await present())) throw error;
  }
}

/** `db.delivery_status`; the client validates it against the identifier whitelist when used. */
export function statusTableName(database: string): string {
  return `${database}.${DELIVERY_STATUS_TABLE}`;
}

/** `db.delivery_final_rows` as a quoted SQL identifier: each source's final rows (migrations.ts 004). */
export function finalRowsTable(database: string): SqlFragment {
  return sqlIdentifier(`${database}.${FINAL_ROWS_TABLE}`);
}

/** `db.delivery_current_v3` as a quoted SQL identifier: each message's current status (migrations.ts 006). */
export function currentStatusTable(database: string): SqlFragment {
  return sqlIdentifier(`${database}.${CURRENT_STATUS_TABLE}`);
}

/** The status table as a quoted SQL identifier (throws on a database name outside the whitelist). */
export function statusTable(database: string): SqlFragment {
  return sqlIdentifier(statusTableName(database));
}

/** Maps one status change to its row; `insertedAtMs` is when this process wrote it. */
export function toDeliveryStatusRow(status: DeliveryStatus, insertedAtMs: number): DeliveryStatusRow {
  return {
    statusId: status.statusId,
    deliveryId: status.deliveryId,
    sourceType: status.sourceType,
    sourceId: status.sourceId,
    clientId: status.clientId,
    channel: status.channel,
    priority: status.priority,
    status: status.status,
    attempt: status.attempt,
    reason: status.reason ?? '',
    providerMessageId: status.providerMessageId ?? '',
    provider: status.provider ?? '',
    occurredAt: formatDateTimeUtc(status.occurredAt),
    occurredAtMs: status.occurredAt,
    insertedAt: formatDateTimeUtc(insertedAtMs),
  };
}

/**
 * Seconds already formatted. An insert batch's rows fall in a handful of seconds (when each change
 * happened, when it was written), and formatting a Date was 6% of the analytics process's profile.
 * Emptied when full: it only ever needs the recent seconds.
 */
const formattedSeconds = new Map<number, string>();
const FORMATTED_SECONDS_KEPT = 256;

/** Epoch milliseconds → 'YYYY-MM-DD hh:mm:ss' (UTC, whole seconds). */
export function formatDateTimeUtc(epochMs: number): string {
  if (!Number.isFinite(epochMs) || epochMs < 0) throw new RangeError(`not a DateTime: ${epochMs}`);
  const second = Math.floor(epochMs / 1000);
  let text = formattedSeconds.get(second);
  if (text === undefined) {
    if (formattedSeconds.size >= FORMATTED_SECONDS_KEPT) formattedSeconds.clear();
    text = new Date(second * 1000).toISOString().slice(0, 19).replace('T', ' ');
    formattedSeconds.set(second, text);
  }
  return text;
}
