/**
 * The analytics tables on a ClickHouse cluster (CLICKHOUSE_CLUSTER): each shard keeps its rows in local
 * tables (`delivery_status_local`, `delivery_current_local`, `delivery_final_rows_local`, and the views
 * between them, created by the same migrations as on a single server), and a Distributed table of the usual
 * name over them on every shard. The application reads and inserts through the usual names only, so no query
 * knows whether it runs on one server or many.
 *
 * Rows are sharded by message (source, client, channel): every change of a delivery, and every re-send of
 * it, lives on one shard. That is what keeps the statistics exact across shards: a message's current status
 * (delivery_current FINAL, or argMax over its changes) is decided on the one shard that has all of its rows,
 * and the shards' partial counts are simply added. A subquery over a Distributed table is read on each shard
 * from its local table (the client's `distributed_product_mode = local`), which is exact for the same reason.
 *
 * Without a keeper (ZooKeeper or ClickHouse Keeper) there is no `ON CLUSTER` DDL and no replication: the
 * migrations run on each shard through CLICKHOUSE_SHARD_URLS, and a shard is one server. With a keeper,
 * the local tables would be ReplicatedMergeTree; this schema does not create those.
 */
import type { ClickHouseClient } from './clickhouse-client';
import { qualified, type TableNames } from './migrations';
import { sql } from './sql-escape';

export interface ClickHouseCluster {
  /** The cluster's name in the servers' `remote_servers` configuration. */
  name: string;
  /** One client per shard (its one replica), where the local tables are created and mutated. */
  shards: readonly ClickHouseClient[];
}

/** A message's shard: the same hash for its status changes and its current row, so both land together. */
const SHARDING_KEY = sql`cityHash64(sourceType, sourceId, clientId, channel)`;
/**
 * delivery_final_rows has no client column, and nothing inserts into it through the Distributed table (each
 * shard's view writes its local one), so any key does; its queries sum the shards' parts.
 */
const COUNTS_SHARDING_KEY = sql`rand()`;

/** The Distributed tables over the shard's local ones, named as the single-server tables are. */
export async function createDistributedTables(shard: ClickHouseClient, cluster: string, local: TableNames, distributed: TableNames): Promise<void> {
  const tables = [
    [distributed.status, local.status, SHARDING_KEY], [distributed.current, local.current, SHARDING_KEY],
    [distributed.finalRows, local.finalRows, COUNTS_SHARDING_KEY],
  ] as const;
  for (const [name, localName, shardingKey] of tables) {
    await shard.exec(sql`CREATE TABLE IF NOT EXISTS ${qualified(distributed, name)} AS ${qualified(local, localName)}
      ENGINE = Distributed(${cluster}, ${local.database}, ${localName}, ${shardingKey})`);
  }
}
