/**
 * Writes status changes to ClickHouse: one INSERT per call. ClickHouse wants few large inserts, not many
 * small ones, so the analytics role puts insert-coalescer.ts in front of it (the partition batches of one
 * fetch share a call). A replayed batch is harmless: rows are keyed by the deterministic statusId and
 * every query counts them once.
 */
import type { Logger } from '../platform/logger';
import { silentLogger } from '../platform/logger';
import type { DeliveryStatus } from '../schemas/types';
import type { ClickHouseClient } from './clickhouse-client';
import { sqlIdentifier } from './sql-escape';
import { statusTableName, toDeliveryStatusRow } from './schema';

export interface StatusStore {
  /** Inserts the whole batch in one request; throws a VestnikError (see `retriable`) and writes nothing on failure. */
  insertBatch(statuses: readonly DeliveryStatus[]): Promise<void>;
}

export interface StatusStoreDeps {
  client: ClickHouseClient;
  database: string;
  logger?: Logger;
  /** Epoch milliseconds, for `insertedAt`; a seam for tests. */
  now?: () => number;
}

export function createStatusStore({ client, database, logger = silentLogger, now = Date.now }: StatusStoreDeps): StatusStore {
  const table = statusTableName(database);
  sqlIdentifier(table); // fail at construction, not at the first batch, on a bad database name
  const log = logger.child({ module: 'analytics.status-store' });

  return {
    async insertBatch(statuses) {
      if (statuses.length === 0) return;
      const insertedAt = now();
      const rows = statuses.map((status) => toDeliveryStatusRow(status, insertedAt));
      await client.insertJsonRows(table, rows);
      log.debug({ rows: rows.length }, 'status batch inserted');
    },
  };
}
