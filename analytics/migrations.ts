/**
 * The ClickHouse schema of the analytics stage, as an ordered list of migrations. Every statement
 * must be idempotent (IF NOT EXISTS …): `migrate` runs them all at every boot, and two processes
 * may run them at once. SQL stays in the subset 18.16 shares with current releases: the old-style
 * `ENGINE = X() PARTITION BY … ORDER BY …` syntax, DateTime('UTC') (not DateTime64), no TTL, no
 * LowCardinality/Nullable (their semantics differ across those versions).
 */
import { FINAL_STATUSES, type DeliveryStatusName } from '../schemas/types';
import { SOURCE_KEY_COLUMNS } from './source-key';
import { SqlFragment, sql, sqlArray, sqlIdentifier, sqlList } from './sql-escape';

export const DELIVERY_STATUS_TABLE = 'delivery_status';
/**
 * Each message's current status, kept at insert time (006 below). A table's sorting and partition keys cannot
 * change in place: `_v2` was ordered by numbers where the first was ordered by the source's text, and `_v3` is
 * partitioned by mailing buckets (CURRENT_PARTITION), so that a finished mailing's rows can be folded alone.
 */
export const CURRENT_STATUS_TABLE = 'delivery_current_v3';
/** The materialized view that feeds it from every insert into delivery_status. */
export const CURRENT_STATUS_VIEW = 'delivery_current_v3_feed';
/**
 * The earlier tables of current statuses and their views (003, ordered by the source's text; 005, not
 * partitioned), dropped by schema.ts once 006's view exists and has backfilled its table from delivery_status.
 */
const RETIRED_CURRENT = ['delivery_current_feed', 'delivery_current', 'delivery_current_v2_feed', 'delivery_current_v2'];
/**
 * How many buckets a mailing's rows fall in: one each, `sourceHigh % MAILING_BUCKETS`. Folding a mailing
 * (fold-mailing.ts) rewrites its whole bucket, about 1/16 of the mailings' rows; more buckets would make that
 * cheaper and an insert of several mailings' statuses split into more parts.
 */
export const MAILING_BUCKETS = 16;
/**
 * delivery_current's partition of a row: its mailing's bucket, or one more for every other source (express
 * notifications, episodes, welcomes, activity, test sends), whose many small sources would otherwise split
 * each insert into a part per bucket; none of them is folded.
 */
const CURRENT_PARTITION = sql`if(sourceType = 'mailing', sourceHigh % ${MAILING_BUCKETS}, ${MAILING_BUCKETS})`;

/** The partition of a mailing's rows in delivery_current, as SQL (the same hash as the rows' sourceHigh, source-key.ts). */
export function mailingPartitionOf(mailingId: string): SqlFragment {
  return sql`cityHash64('mailing', ${mailingId}) % ${MAILING_BUCKETS}`;
}
/** How many final rows each source has, kept at insert time (004 below). */
export const FINAL_ROWS_TABLE = 'delivery_final_rows';
/** The materialized view that feeds it. */
export const FINAL_ROWS_VIEW = 'delivery_final_rows_feed';
/** On a cluster, a shard's own tables under the Distributed ones of the names above (cluster-schema.ts). */
const SHARD_LOCAL_SUFFIX = '_local';

/**
 * The tables the migrations create on one server: on a single server the tables queries use, on a
 * cluster each shard's local tables (the Distributed tables over them are cluster-schema.ts's).
 */
export interface TableNames {
  database: string;
  status: string;
  current: string;
  currentFeed: string;
  finalRows: string;
  finalRowsFeed: string;
  /** Tables and views of earlier migrations, dropped: the view first, so nothing writes to a dropped table. */
  retired: readonly string[];
}

export function tableNames(database: string, shardLocal = false): TableNames {
  const suffix = shardLocal ? SHARD_LOCAL_SUFFIX : '';
  return {
    database, status: DELIVERY_STATUS_TABLE + suffix, current: CURRENT_STATUS_TABLE + suffix, currentFeed: CURRENT_STATUS_VIEW + suffix,
    finalRows: FINAL_ROWS_TABLE + suffix, finalRowsFeed: FINAL_ROWS_VIEW + suffix,
    retired: RETIRED_CURRENT.map((name) => name + suffix),
  };
}

/** `db.table` as a quoted identifier. */
export function qualified(tables: TableNames, table: string): SqlFragment {
  return sqlIdentifier(`${tables.database}.${table}`);
}

/**
 * The order in which a message's status changes supersede each other, as one UInt64 (ReplacingMergeTree
 * keeps the row with the largest): a status other than `queued` above any `queued` (a fan-out page
 * repeated after a crash re-emits `queued` with a later clock), then the time in ms, then the lifecycle's
 * precedence when two changes share a millisecond, then the attempt. Bits: 62 not-queued, 12–61 the ms
 * (good until the year 37,000), 8–11 the precedence, 0–7 the attempt (capped at 255). The same order as
 * stats-queries.ts LATEST, less its last tie-break (statusId), which two rows of equal rank cannot need:
 * equal status and attempt in the same ms are the same change.
 */
export const STATUS_PRECEDENCE = [
  'queued', 'waiting', 'retrying', 'sent', 'delivered', 'fallback', 'suppressed', 'expired', 'failed',
] as const satisfies readonly DeliveryStatusName[];

const precedence = sqlArray(STATUS_PRECEDENCE);
export const CURRENT_RANK = sql`bitOr(bitShiftLeft(toUInt64(status != 'queued'), 62), bitOr(bitShiftLeft(occurredAtMs, 12), bitOr(bitShiftLeft(toUInt64(indexOf(${precedence}, status)), 8), toUInt64(least(attempt, 255)))))`;
/**
 * A delivery_current row's status, read back from its rank's precedence bits: FINAL reads the rank anyway (it is
 * the version), so counts that take the status from it never read the status column (about a seventh less time
 * at a million fresh rows, scratch tables, 2026-12-06). Every status has a precedence (stats-queries.test.ts).
 */
export const STATUS_OF_RANK = sql`arrayElement(${precedence}, toUInt8(bitAnd(bitShiftRight(rank, 8), 15)))`;

/**
 * A message's key in delivery_current: 128 bits of two hashes of its client and channel. Sorting by them
 * instead of the client id's text makes FINAL read and compare two numbers per row (130 ms against 250 at a
 * million rows unmerged, 69 against 105 merged); two messages of one source share a key with a
 * probability of about n² / 2¹²⁹ (1.5 × 10⁻²⁵ at ten million), as unlikely as two equal random UUIDs.
 */
export const MESSAGE_KEY = sql`cityHash64(clientId, channel) AS messageHigh, sipHash64(clientId, channel) AS messageLow`;

/** The columns delivery_current takes from a delivery_status row, named, in the order of its definition. */
const CURRENT_COLUMN_NAMES = sql`typeHash, sourceHigh, sourceLow, sourceType, sourceId, messageHigh, messageLow, clientId, channel, deliveryId, status, attempt, reason, occurredAtMs, rank`;
const CURRENT_COLUMNS = sql`${SOURCE_KEY_COLUMNS}, sourceType, sourceId, ${MESSAGE_KEY}, clientId, channel, deliveryId, status, attempt, reason, occurredAtMs, ${CURRENT_RANK} AS rank`;

export interface Migration {
  id: string;
  statements(tables: TableNames): SqlFragment[];
}

/**
 * A column added to an existing table. 18.16 has no `ADD COLUMN IF NOT EXISTS`, so schema.ts adds it
 * only when system.columns lacks it, and after a failed ALTER looks again (a process that raced it added it).
 */
export interface ColumnMigration {
  id: string;
  table: 'status' | 'current';
  column: string;
  /** The type and default, e.g. sql`String DEFAULT ''`. */
  definition: SqlFragment;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    id: '001-delivery-status',
    statements: (tables) => [
      // One row per status change. statusId is deterministic (delivery × status × attempt), so a
      // replayed Kafka batch writes rows identical to the first ones: ReplacingMergeTree folds them
      // in the background (same sorting key, same partition because occurredAt is the same), and
      // every query is written to be exact before that happens (see stats-sql.ts).
      // reason/providerMessageId: '' stands for "none" (Avro null), see schema.ts.
      sql`CREATE TABLE IF NOT EXISTS ${qualified(tables, tables.status)} (
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
  {
    id: '004-delivery-final-rows',
    statements: (tables) => [
      // How many final rows each source has, summed at insert time by the view below: the scheduler asks it of
      // every running mailing and notification every few seconds to rule out the unfinished ones. Reading it
      // touches a few rows per source, where counting the rows themselves read every final row of the source
      // (13.3 CPU-s of ClickHouse in a 1M bench, the largest query). Like that count it is never below the
      // exact number of final messages, and may be above it: a replayed row, a re-send's, or a row erased later
      // still counts. That is all the lifecycle needs of it (mailing-lifecycle.ts). No personal data: no
      // client column, so erasure (erase.ts) has nothing to delete here.
      sql`CREATE TABLE IF NOT EXISTS ${qualified(tables, tables.finalRows)} (
        sourceType String,
        sourceId String,
        finalRows UInt64
      ) ENGINE = SummingMergeTree()
      ORDER BY (sourceType, sourceId)`,
    ],
  },
  {
    id: '006-delivery-current-v3',
    statements: (tables) => [
      // One row per message (a source's delivery to one client on one channel; a re-send is a new delivery
      // id of the same message) with its current status, so a source's counts read one row per message
      // instead of every change. Rows are written at insert time by the view below; until a merge has
      // folded a message's rows, queries read it with FINAL, which keeps the largest rank: exact at once,
      // and a replayed batch's rows have the rank they had. Ordered by source first (its key, source-key.ts):
      // a source's counts read that source's rows only, however large the table; within it by the message's
      // key (MESSAGE_KEY). Partitioned by mailing buckets (CURRENT_PARTITION): background merges join only small
      // recent parts, so a large mailing's `queued` rows and its outcomes stay in different parts, and FINAL folds
      // them at every read; once it is finished, fold-mailing.ts merges its partition, where merging the whole
      // table (005, unpartitioned) would have cost in proportion to everything ever sent.
      sql`CREATE TABLE IF NOT EXISTS ${qualified(tables, tables.current)} (
        typeHash UInt64,
        sourceHigh UInt64,
        sourceLow UInt64,
        sourceType String,
        sourceId String,
        messageHigh UInt64,
        messageLow UInt64,
        clientId String,
        channel String,
        deliveryId String,
        status String,
        attempt UInt32,
        reason String,
        occurredAtMs UInt64,
        rank UInt64
      ) ENGINE = ReplacingMergeTree(rank)
      PARTITION BY ${CURRENT_PARTITION}
      ORDER BY (typeHash, sourceHigh, sourceLow, messageHigh, messageLow)`,
    ],
  },
];

/**
 * A materialized view that keeps a table from every insert into delivery_status, created after its table
 * (schema.ts), and the backfill from the rows written before it existed, run once: by the boot that created
 * the view.
 */
export interface StatusFeed {
  /** The view's name in `tables`. */
  name(tables: TableNames): string;
  view(tables: TableNames): SqlFragment;
  backfill(tables: TableNames): SqlFragment;
}

/** delivery_current's feed. Two boots racing both backfill, and FINAL folds their rows, which have equal ranks. */
export const CURRENT_STATUS_FEED: StatusFeed = {
  name: (tables) => tables.currentFeed,
  view: (tables) => sql`CREATE MATERIALIZED VIEW IF NOT EXISTS ${qualified(tables, tables.currentFeed)}
    TO ${qualified(tables, tables.current)}
    AS SELECT ${CURRENT_COLUMNS} FROM ${qualified(tables, tables.status)}`,
  backfill: (tables) => sql`INSERT INTO ${qualified(tables, tables.current)} (${CURRENT_COLUMN_NAMES})
    SELECT ${CURRENT_COLUMNS} FROM ${qualified(tables, tables.status)}`,
};

/**
 * delivery_final_rows's feed: per inserted block, the final rows of each source. Two boots racing both
 * backfill, which counts those rows twice: above the exact number, which the table may be (004 above).
 * The final statuses are the ones of the view's creation; a status made final later needs a new view.
 */
const FINAL_ROWS = (tables: TableNames) => sql`SELECT sourceType, sourceId, count() AS finalRows
    FROM ${qualified(tables, tables.status)} WHERE status IN ${sqlList([...FINAL_STATUSES])}
    GROUP BY sourceType, sourceId`;

export const FINAL_ROWS_FEED: StatusFeed = {
  name: (tables) => tables.finalRowsFeed,
  view: (tables) => sql`CREATE MATERIALIZED VIEW IF NOT EXISTS ${qualified(tables, tables.finalRowsFeed)}
    TO ${qualified(tables, tables.finalRows)}
    AS ${FINAL_ROWS(tables)}`,
  backfill: (tables) => sql`INSERT INTO ${qualified(tables, tables.finalRows)} (sourceType, sourceId, finalRows) ${FINAL_ROWS(tables)}`,
};

/** Every feed, in the order schema.ts creates them. */
export const STATUS_FEEDS: readonly StatusFeed[] = [CURRENT_STATUS_FEED, FINAL_ROWS_FEED];

/** Columns added after the tables were first created, in order; each is also in the row (schema.ts). */
export const COLUMN_MIGRATIONS: readonly ColumnMigration[] = [
  // Which of a channel's providers took the call (a primary and a secondary SMS API); '' for none.
  { id: '002-delivery-status-provider', table: 'status', column: 'provider', definition: sql`String DEFAULT ''` },
];
