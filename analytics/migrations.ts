/**
 * The ClickHouse schema of the analytics stage, as an ordered list of migrations. Every statement
 * must be idempotent (IF NOT EXISTS …): `migrate` runs them all at every boot, and two processes
 * may run them at once. SQL stays in the subset 18.16 shares with current releases: the old-style
 * `ENGINE = X() PARTITION BY … ORDER BY …` syntax, DateTime('UTC') (not DateTime64), no TTL, no
 * LowCardinality/Nullable (their semantics differ across those versions).
 */
import { SqlFragment, sql, sqlIdentifier } from './sql-escape';

export const DELIVERY_STATUS_TABLE = 'delivery_status';

export interface Migration {
  id: string;
  statements(database: string): SqlFragment[];
}

/**
 * A column added to an existing table. 18.16 has no `ADD COLUMN IF NOT EXISTS`, so schema.ts adds it
 * only when system.columns lacks it, and takes "already exists" from a process that raced it as done.
 */
export interface ColumnMigration {
  id: string;
  table: string;
  column: string;
  /** The type and default, e.g. sql`String DEFAULT ''`. */
  definition: SqlFragment;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    id: '001-delivery-status',
    statements: (database) => [
      // One row per status change. statusId is deterministic (delivery × status × attempt), so a
      // replayed Kafka batch writes rows identical to the first ones: ReplacingMergeTree folds them
      // in the background (same sorting key, same partition because occurredAt is the same), and
      // every query is written to be exact before that happens (see stats-sql.ts).
      // reason/providerMessageId: '' stands for "none" (Avro null), see schema.ts.
      sql`CREATE TABLE IF NOT EXISTS ${sqlIdentifier(`${database}.${DELIVERY_STATUS_TABLE}`)} (
        statusId String,
        deliveryId String,
        sourceType String,
        sourceId String,
        clientId String,
        channel String,
        priority String,
        status String,
        attempt UInt32,
        reason String,
        providerMessageId String,
        occurredAt DateTime('UTC'),
        occurredAtMs UInt64,
        insertedAt DateTime('UTC')
      ) ENGINE = ReplacingMergeTree()
      PARTITION BY toYYYYMM(occurredAt)
      ORDER BY (sourceType, sourceId, deliveryId, statusId)`,
    ],
  },
];

/** Columns added after the tables were first created, in order; each is also in the row (schema.ts). */
export const COLUMN_MIGRATIONS: readonly ColumnMigration[] = [
  // Which of a channel's providers took the call (a primary and a secondary SMS API); '' for none.
  { id: '002-delivery-status-provider', table: DELIVERY_STATUS_TABLE, column: 'provider', definition: sql`String DEFAULT ''` },
];
