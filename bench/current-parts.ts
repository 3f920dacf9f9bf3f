/**
 * The state of delivery_current when the bench times a mailing's statistics: its counts read the mailing's rows
 * with FINAL, whose cost is mostly the parts it folds (README, "Statistics at scale"), so the figure is printed
 * with it. A finished mailing large enough is folded by the scheduler (analytics/fold-mailing.ts) into one part
 * of its partition; the bench waits for that, as a person opening a finished mailing meets it folded, and says
 * how long it waited, or why the mailing is not folded.
 */
import type { ClickHouseClient } from '../analytics/clickhouse-client';
import { createMailingFolder, whyNotFold, type FoldPolicy } from '../analytics/fold-mailing';
import { CURRENT_STATUS_TABLE } from '../analytics/schema';
import { sql } from '../analytics/sql-escape';
import { sleep } from './stats';

export interface CurrentTableState {
  /** Active parts of the mailing's partition, and of the whole table, and merges running on it, over the servers. */
  partitionParts: number;
  parts: number;
  merges: number;
  /** How long the bench waited for the fold; null with `unfolded` when it is not folded. */
  waitedMs: number | null;
  /** Why the mailing is not folded (the policy, or no fold in time). */
  unfolded: string | null;
}

/** On a cluster the local tables carry a suffix; a `LIKE` on the name counts both forms. */
const TABLE_LIKE = `${CURRENT_STATUS_TABLE}%`;
const FOLD_WAIT_MS = 120_000;

/** The whole table's active parts and running merges, summed over the servers. */
async function tableState(clients: readonly ClickHouseClient[], database: string) {
  let [parts, merges] = [0, 0];
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

/**
 * Waits until the mailing's partition is one part on each server (its fold done) when the scheduler's fold
 * policy (the deployment's) folds a mailing of `messages` messages, then reads the table's state; at once when
 * the policy does not fold it.
 */
export async function currentTableState(
  clients: readonly ClickHouseClient[], database: string, mailing: { id: string; messages: number }, policy: FoldPolicy,
): Promise<CurrentTableState> {
  const [first] = clients;
  if (!first) throw new Error('bench: no ClickHouse to read delivery_current from');
  // The scheduler's own reading of the partition (several clients: a cluster's shards).
  const folder = createMailingFolder({ client: first, database, shards: clients.length > 1 ? clients : undefined });
  const began = Date.now();
  for (;;) {
    const partition = await folder.partitionOf(mailing.id);
    const state = { partitionParts: partition.parts, ...(await tableState(clients, database)) };
    // The same judgement as the scheduler's, on the rows it found when it folded: before, or with the same rows.
    const notFolded = whyNotFold({ messages: mailing.messages, partitionRows: partition.rows }, policy);
    if (notFolded !== null) return { ...state, waitedMs: null, unfolded: notFolded };
    if (state.partitionParts <= clients.length) return { ...state, waitedMs: Date.now() - began, unfolded: null };
    if (Date.now() - began > FOLD_WAIT_MS) return { ...state, waitedMs: null, unfolded: `not folded within ${FOLD_WAIT_MS / 1000} s` };
    await sleep(100);
  }
}
