/**
 * Folding a finished mailing's rows in delivery_current: one merge of its partition (migrations.ts 006), after
 * which each of its messages is one row in one part and FINAL has nothing left to fold.
 *
 * Why: a large mailing's counts read with FINAL (stats-queries.ts), which merges the mailing's rows at every
 * read. Background merges join only small, recent parts, so a million-message mailing keeps its `queued` rows
 * (written by the fan-out) and its outcomes (written by the senders minutes later) in different parts, and every
 * read of its counts folds two million rows. Merged, the same counts read a million rows from one part: on a
 * scratch table of that shape, 183–215 ms before and 48–59 ms after (2026-12-06, README "Statistics at scale").
 *
 * What it costs: `OPTIMIZE … PARTITION … FINAL` rewrites the whole partition, the mailing's rows and those of
 * every other mailing in its bucket, about 1/MAILING_BUCKETS of the mailings' rows. So a mailing is folded only
 * when it is large (a small one's FINAL reads little anyway) and its rows are a fair share of the partition
 * (FoldPolicy): a large table is not rewritten for one modest mailing.
 *
 * Exactness does not depend on it: FINAL is exact before and after, and a late row (a re-send, a delivery report)
 * only adds a small part again. On a cluster each shard's local partition is merged, each holding its share.
 */
import type { ClickHouseClient } from './clickhouse-client';
import { mailingPartitionOf, qualified, tableNames } from './migrations';
import { sql } from './sql-escape';

/** When a fold pays for the rewrite of its partition. */
export interface FoldPolicy {
  /** Below this many messages a mailing's FINAL reads too little for the rewrite to pay. */
  minMessages: number;
  /**
   * The most rows its partition may hold per message of the mailing (a message has about two rows before the
   * fold): beyond that, the rewrite is mostly of other mailings' rows, which gain nothing from it.
   */
  maxPartitionRowsPerMessage: number;
}

export const DEFAULT_FOLD_POLICY: FoldPolicy = { minMessages: 50_000, maxPartitionRowsPerMessage: 8 };

/** Pure: why folding a mailing of `messages` messages, whose partition holds `partitionRows` rows, would not pay; null if it would. */
export function whyNotFold(input: { messages: number; partitionRows: number }, policy: FoldPolicy = DEFAULT_FOLD_POLICY): string | null {
  if (input.messages < policy.minMessages) return `${input.messages} messages, fewer than ${policy.minMessages}`;
  if (input.partitionRows > input.messages * policy.maxPartitionRowsPerMessage) {
    return `its partition holds ${input.partitionRows} rows, more than ${policy.maxPartitionRowsPerMessage} per message`;
  }
  return null;
}

export type FoldOutcome = { folded: true; partitionRows: number; ms: number } | { folded: false; partitionRows: number; reason: string };

/** A mailing's partition of delivery_current: its id, and its active parts and rows summed over the servers. */
export interface MailingPartition {
  partition: number;
  parts: number;
  rows: number;
}

export interface MailingFolder {
  /** Merges the mailing's partition when it pays (whyNotFold); `messages` is how many messages it has. */
  fold(mailingId: string, messages: number): Promise<FoldOutcome>;
  /** Where the mailing's rows are, and how many parts and rows its partition holds now. */
  partitionOf(mailingId: string): Promise<MailingPartition>;
}

export interface MailingFolderOptions {
  /** Asks which partition a mailing is in; on a single server, also where the partition is merged. */
  client: ClickHouseClient;
  database: string;
  /** A cluster's shards (cluster-schema.ts): each merges its local partition. */
  shards?: readonly ClickHouseClient[];
  policy?: FoldPolicy;
}

export function createMailingFolder({ client, database, shards, policy = DEFAULT_FOLD_POLICY }: MailingFolderOptions): MailingFolder {
  // Where delivery_current's rows live: the local tables of each shard, or the one server's table.
  const servers = shards && shards.length > 0
    ? shards.map((shard) => ({ client: shard, tables: tableNames(database, true) }))
    : [{ client, tables: tableNames(database) }];

  async function partitionOf(mailingId: string): Promise<MailingPartition> {
    const [id] = await client.query<{ partition: string | number }>(sql`SELECT ${mailingPartitionOf(mailingId)} AS partition`);
    const partition = Number(id?.partition);
    const perServer = await Promise.all(servers.map(async ({ client: server, tables }) => {
      const [row] = await server.query<{ parts: string | number; rows: string | number }>(sql`
        SELECT count() AS parts, sum(rows) AS rows FROM system.parts
        WHERE database = ${tables.database} AND table = ${tables.current} AND partition = ${String(partition)} AND active`);
      return { parts: Number(row?.parts ?? 0), rows: Number(row?.rows ?? 0) };
    }));
    return { partition, parts: perServer.reduce((n, s) => n + s.parts, 0), rows: perServer.reduce((n, s) => n + s.rows, 0) };
  }

  return {
    partitionOf,
    async fold(mailingId, messages) {
      const { partition, rows } = await partitionOf(mailingId);
      const reason = whyNotFold({ messages, partitionRows: rows }, policy);
      if (reason !== null) return { folded: false, partitionRows: rows, reason };
      const began = Date.now();
      // One shard after the other: the merge takes a core of each, and the shards may share a machine.
      for (const { client: server, tables } of servers) {
        await server.exec(sql`OPTIMIZE TABLE ${qualified(tables, tables.current)} PARTITION ${partition} FINAL`);
      }
      return { folded: true, partitionRows: rows, ms: Date.now() - began };
    },
  };
}
