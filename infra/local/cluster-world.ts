/**
 * The cluster world (issue 16), all on loopback: a Kafka cluster of three KRaft nodes (each a broker and a
 * controller, topics with three copies and two in sync for a write), a Redis Cluster of three masters and
 * three replicas (redis-cluster.ts) and a ClickHouse cluster of two shards.
 * The cluster tests run Vestnik's roles on it, kill a node of it and start it again; `npm run cluster:up`
 * starts it for anyone who wants to try Vestnik on it (cluster-up.ts).
 *
 * Every node is a private service (private-services.ts): the same binaries and configuration as infra/,
 * on free ports, with data in a temporary folder removed by `remove()`, and dying with the process that
 * started it.
 */
import { join } from 'node:path';
import type { ManagedChild } from './child-processes';
import { startRedisCluster, type RedisCluster } from './redis-cluster';
import {
  brokerProperties, dataDir, freePort, newKafkaClusterId, removable, startKafkaNode, startPrivateClickHouse, type PrivateService,
} from './private-services';

export interface KafkaClusterNode {
  /** The broker's node id (1, 2, 3): what topic metadata names as a partition's leader. */
  nodeId: number;
  process: ManagedChild;
  /** host:port of its client listener. */
  url: string;
}

export interface KafkaCluster {
  nodes: KafkaClusterNode[];
  /** Every broker, for KAFKA_BROKERS. */
  brokers: string;
  remove(): Promise<void>;
}

/** Three copies, two of them in sync for a write: one node may be lost without losing a write or refusing one. */
const KAFKA_CLUSTER_PROPERTIES = {
  'offsets.topic.replication.factor': 3,
  'transaction.state.log.replication.factor': 3,
  'transaction.state.log.min.isr': 2,
  'default.replication.factor': 3,
  'min.insync.replicas': 2,
};

/**
 * `size` KRaft nodes formatted with one cluster id, each a broker and a voter of the controller quorum.
 * Started together: a node's start waits for a quorum of controllers, which one node alone never has.
 */
export async function startKafkaCluster(size = 3): Promise<KafkaCluster> {
  const ports = [];
  for (let i = 0; i < size; i++) ports.push({ client: await freePort(), controller: await freePort() });
  const voters = ports.map((port, i) => `${i + 1}@127.0.0.1:${port.controller}`).join(',');
  const clusterId = newKafkaClusterId();
  const dirs = ports.map((_, i) => dataDir(`kafka${i + 1}`));
  const nodes = await Promise.all(ports.map(async (port, i): Promise<KafkaClusterNode> => {
    // Later keys win: these override the single-node lines of infra/kafka/broker.properties.
    const overrides = { 'node.id': i + 1, 'controller.quorum.voters': voters, ...KAFKA_CLUSTER_PROPERTIES };
    const properties = brokerProperties(port.client, port.controller, join(dirs[i]!, 'data'))
      + Object.entries(overrides).map(([key, value]) => `\n${key}=${value}`).join('') + '\n';
    const process = await startKafkaNode({ name: `kafka-node${i + 1}-${port.client}`, dir: dirs[i]!, properties, clusterId });
    return { nodeId: i + 1, process, url: `127.0.0.1:${port.client}` };
  }));
  return {
    nodes,
    brokers: nodes.map((node) => node.url).join(','),
    async remove() {
      await Promise.all(nodes.map((node, i) => removable(node.process, dirs[i]!)()));
    },
  };
}

export interface ClickHouseShards {
  /** The name the shards know the cluster by (their `remote_servers`), for CLICKHOUSE_CLUSTER. */
  cluster: string;
  shards: PrivateService[];
  remove(): Promise<void>;
}

/** `count` clickhouse-servers, each one shard of a cluster named `cluster` (one replica per shard, no keeper). */
export async function startClickHouseShards(count = 2, cluster = 'vestnik'): Promise<ClickHouseShards> {
  const ports = [];
  for (let i = 0; i < count; i++) ports.push({ http: await freePort(), tcp: await freePort() });
  const shardsXml = ports.map((port) => `<shard><replica><host>127.0.0.1</host><port>${port.tcp}</port></replica></shard>`).join('');
  const remoteServers = `<remote_servers><${cluster}>${shardsXml}</${cluster}></remote_servers>`;
  const shards = await Promise.all(ports.map((port) => startPrivateClickHouse({ ports: port, extraConfig: remoteServers })));
  return { cluster, shards, remove: async () => void (await Promise.all(shards.map((shard) => shard.remove()))) };
}

export interface ClusterWorld {
  kafka: KafkaCluster;
  clickhouse: ClickHouseShards;
  redis: RedisCluster;
  /** What Vestnik's processes need to run on it (added to the rest of their configuration). */
  env: Record<string, string>;
  remove(): Promise<void>;
}

export async function startClusterWorld(): Promise<ClusterWorld> {
  const [kafka, clickhouse, redis] = await Promise.all([startKafkaCluster(3), startClickHouseShards(2), startRedisCluster({ masters: 3, replicasPerMaster: 1 })]);
  const env = {
    KAFKA_BROKERS: kafka.brokers,
    REDIS_CLUSTER_NODES: redis.addresses,
    KAFKA_REPLICATION_FACTOR: '3',
    KAFKA_MIN_INSYNC_REPLICAS: '2',
    CLICKHOUSE_URL: clickhouse.shards[0]!.url,
    CLICKHOUSE_CLUSTER: clickhouse.cluster,
    CLICKHOUSE_SHARD_URLS: clickhouse.shards.map((shard) => shard.url).join(','),
  };
  return { kafka, clickhouse, redis, env, remove: async () => void (await Promise.all([kafka.remove(), clickhouse.remove(), redis.remove()])) };
}
