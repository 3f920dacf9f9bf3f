/**
 * A Redis Cluster on loopback (issue 16): `masters` redis-servers holding the 16,384 slots between them,
 * each with `replicasPerMaster` replicas that take over when it dies. Same binary and durability as
 * private-services.ts's redis (an append-only file fsynced before each reply), in cluster mode.
 *
 * Each node gets two free ports, its client port and its cluster bus port (`cluster-port`, Redis 7), so the
 * bus is not left to "client port + 10,000", which may be taken or past 65,535. `cluster-node-timeout` is
 * 5 s: a master that stops answering is failed over in seconds, not the default 15, while a master that
 * only stalls on an fsync under a loaded 2-core machine (seen at 2 s, in the middle of a mailing) is not.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';
import { createChild, runCommand, type ManagedChild } from './child-processes';
import { dataDir, freePort, removable } from './private-services';

export interface RedisClusterNode {
  process: ManagedChild;
  /** host:port of its client port. */
  address: string;
}

export interface RedisCluster {
  nodes: RedisClusterNode[];
  /** Every node's host:port, for REDIS_CLUSTER_NODES (a client finds the rest from any of them). */
  addresses: string;
  /** The nodes serving slots now, as the cluster itself says (it changes after a fail-over). */
  masters(): Promise<RedisClusterNode[]>;
  /** Resolves once every slot is served, every node agrees the cluster is ok and every replica's link to its master is up. */
  healthy(timeoutMs?: number): Promise<void>;
  remove(): Promise<void>;
}

export const REDIS_CLUSTER_NODE_TIMEOUT_MS = 5_000;

export async function startRedisCluster(options: { masters?: number; replicasPerMaster?: number } = {}): Promise<RedisCluster> {
  const masters = options.masters ?? 3;
  const replicasPerMaster = options.replicasPerMaster ?? 1;
  const count = masters * (1 + replicasPerMaster);
  const ports: { client: number; bus: number }[] = [];
  for (let i = 0; i < count; i++) ports.push({ client: await freePort(), bus: await freePort() });
  const dirs = ports.map(() => dataDir('redis-cluster'));
  const started = await Promise.allSettled(ports.map(async (port, i): Promise<RedisClusterNode> => {
    const process = createChild({
      name: `redis-cluster-${port.client}`,
      command: 'redis-server',
      args: ['--bind', '127.0.0.1', '--port', String(port.client), '--cluster-enabled', 'yes', '--cluster-port', String(port.bus),
        '--cluster-config-file', join(dirs[i]!, 'nodes.conf'), '--cluster-node-timeout', String(REDIS_CLUSTER_NODE_TIMEOUT_MS),
        '--dir', dirs[i]!, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--daemonize', 'no', '--logfile', ''],
      readyLine: /Ready to accept connections/,
      readyTimeoutMs: 30_000,
    });
    await process.start();
    return { process, address: `127.0.0.1:${port.client}` };
  }));
  const removeAll = () => Promise.all(started.map(async (result, i) => {
    if (result.status === 'fulfilled') await removable(result.value.process, dirs[i]!)();
    else rmSync(dirs[i]!, { recursive: true, force: true });
  }));
  const failed = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) {
    // The nodes that did start would outlive the failed test and keep its jest from exiting (a CI run's did not exit after one node failed).
    await removeAll();
    throw failed.reason;
  }
  const nodes = started.map((result) => (result as PromiseFulfilledResult<RedisClusterNode>).value);

  const cluster: RedisCluster = {
    nodes,
    addresses: nodes.map((node) => node.address).join(','),
    async masters() {
      const running = nodes.filter((node) => node.process.running);
      const roles = await Promise.all(running.map(async (node) => ({ node, role: (await replication(node).catch(() => null))?.role })));
      return roles.filter(({ role }) => role === 'master').map(({ node }) => node);
    },
    async healthy(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const running = nodes.filter((node) => node.process.running);
        const states = await Promise.all(running.map(async (node) => ({
          ...await clusterInfo(node).catch(() => null), ...await replication(node).catch(() => null),
        })));
        const ok = (info: Record<string, string>) => info.cluster_state === 'ok' && info.cluster_slots_ok === '16384'
          && (info.role === 'master' || info.master_link_status === 'up');
        if (states.every(ok)) return;
        if (Date.now() >= deadline) throw new Error(`the Redis Cluster is not ok after ${timeoutMs} ms: ${JSON.stringify(states)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async remove() {
      await removeAll();
    },
  };
  try {
    // redis-cli assigns the slots evenly to the first `masters` nodes and a replica to each.
    await runCommand('redis-cli', ['--cluster', 'create', ...nodes.map((node) => node.address),
      '--cluster-replicas', String(replicasPerMaster), '--cluster-yes']);
    await cluster.healthy();
  } catch (error) {
    await removeAll();
    throw error;
  }
  return cluster;
}

/** One short-lived connection per question: a node may be dead or restarting between two of them. */
async function ask<T>(node: RedisClusterNode, question: (redis: Redis) => Promise<T>): Promise<T> {
  const [host, port] = node.address.split(':');
  const redis = new Redis({ host, port: Number(port), lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1_000 });
  try {
    await redis.connect();
    return await question(redis);
  } finally {
    redis.disconnect();
  }
}

async function clusterInfo(node: RedisClusterNode): Promise<Record<string, string>> {
  return parseInfo(await ask(node, (redis) => redis.cluster('INFO') as Promise<string>));
}

async function replication(node: RedisClusterNode): Promise<Record<string, string>> {
  return parseInfo(await ask(node, (redis) => redis.info('replication')));
}

function parseInfo(text: string): Record<string, string> {
  return Object.fromEntries(text.split(/\r?\n/).filter((line) => line.includes(':')).map((line) => {
    const at = line.indexOf(':');
    return [line.slice(0, at), line.slice(at + 1).trim()];
  }));
}
