/**
 * Erasing one person's rows from the analytics store. The personal data of `delivery_status` is the
 * client id (every row of a person carries it; the other columns describe the delivery: channel,
 * status, attempt, a reason that never holds an address or text, the provider's message id). So
 * erasure deletes the person's rows rather than blanking columns: a row without its client is worth
 * nothing to the statistics of a person who asked to be forgotten, and the mailing counts of the
 * others are unaffected.
 *
 * `ALTER TABLE … DELETE WHERE` is a mutation (18.16 and current releases): the server records it
 * durably in the table's mutation log and rewrites the affected parts in the background, so rows vanish
 * seconds later, also after a server restart. It applies to the parts that exist when it is issued: a
 * status that arrives afterwards (a delivery still in flight) is a new row (see the notes on residue).
 */
import type { ClickHouseClient } from './clickhouse-client';
import type { ClickHouseCluster } from './cluster-schema';
import { qualified, tableNames } from './migrations';
import { statusTable } from './schema';
import { sql } from './sql-escape';

export interface AnalyticsErasure {
  /** Queues the deletion of every row of `clientId`; true when there was something to delete. */
  eraseClient(clientId: string): Promise<boolean>;
  /** How many rows of `clientId` the table still shows (0 once the mutation is done). */
  rowsOf(clientId: string): Promise<number>;
}

/**
 * On a cluster (`cluster` set) the mutations run on each shard's local tables: a Distributed table takes no
 * ALTER … DELETE, and the person's rows may be on any shard (they are sharded by message, not by client).
 */
export function createAnalyticsErasure(deps: { client: ClickHouseClient; database: string; cluster?: ClickHouseCluster | null }): AnalyticsErasure {
  const table = () => statusTable(deps.database);
  const rowsOf = async (clientId: string): Promise<number> => {
    const [row] = await deps.client.query<{ rows: string }>(sql`SELECT count() AS rows FROM ${table()} WHERE clientId = ${clientId}`);
    return Number(row?.rows ?? 0);
  };
  return {
    rowsOf,
    async eraseClient(clientId) {
      // A mutation rewrites parts: skip it when the person has no rows (a DELETE retried, a client never sent to).
      if ((await rowsOf(clientId)) === 0) return false;
      const tables = tableNames(deps.database, Boolean(deps.cluster));
      for (const server of deps.cluster?.shards ?? [deps.client]) {
        await server.exec(sql`ALTER TABLE ${qualified(tables, tables.status)} DELETE WHERE clientId = ${clientId}`);
        // The person's current statuses too (migrations.ts 006): the same client id, the same mutation.
        await server.exec(sql`ALTER TABLE ${qualified(tables, tables.current)} DELETE WHERE clientId = ${clientId}`);
      }
      return true;
    },
  };
}
