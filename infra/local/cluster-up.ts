#!/usr/bin/env node
/**
 * `npm run cluster:up`: starts the cluster world (cluster-world.ts), creates Vestnik's topics and tables on
 * it (`vestnik setup`), prints the environment that points Vestnik at it, and keeps it running until
 * Ctrl-C, when every node stops and its data is removed.
 */
import { startClusterWorld } from './cluster-world';
import { killAllChildren, runCommand, REPO_ROOT } from './child-processes';
import { join } from 'node:path';

async function main(): Promise<void> {
  const began = Date.now();
  console.log('starting 3 Kafka nodes (KRaft), a Redis Cluster (3 masters, 3 replicas) and 2 ClickHouse shards on loopback…');
  const world = await startClusterWorld();
  const stop = async () => {
    console.log('\nstopping the cluster world and removing its data…');
    await world.remove();
    await killAllChildren();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  console.log(`up in ${((Date.now() - began) / 1000).toFixed(1)} s; creating the topics and tables (vestnik setup)…`);
  await runCommand(process.execPath, [join(REPO_ROOT, 'dist/cli/vestnik.js'), 'setup'], { env: { ...world.env, LOG_LEVEL: 'warn' } });
  console.log('\nThe cluster world is running. Point Vestnik at it with:\n');
  for (const [name, value] of Object.entries(world.env)) console.log(`export ${name}=${value}`);
  console.log(`\nKafka nodes: ${world.kafka.nodes.map((node) => `${node.nodeId} at ${node.url} (pid ${node.process.pid})`).join(', ')}`);
  console.log(`Redis Cluster nodes: ${world.redis.nodes.map((node) => `${node.address} (pid ${node.process.pid})`).join(', ')}`);
  console.log(`ClickHouse shards: ${world.clickhouse.shards.map((shard) => `${shard.url} (pid ${shard.process.pid})`).join(', ')}`);
  console.log('\nCtrl-C stops it and removes its data.');
}

main().catch(async (error) => {
  console.error(`cluster world failed: ${error instanceof Error ? error.message : String(error)}`);
  await killAllChildren();
  process.exit(1);
});
