/**
 * Issue 16, Redis Cluster: the stores whose keys already fit a Cluster run their contracts on one
 * (infra/local/redis-cluster.ts, three masters and three replicas) through Vestnik's own client in cluster
 * mode (platform/redis/client.ts), with its key prefix and error classification. Each keeps its state in
 * one key per operation, so no command crosses a slot. The rest of Vestnik's Redis use is not there yet
 * (README, "Scaling out").
 */
import { setTimeout as delay } from 'node:timers/promises';
import { createRedisConsoleSessionStore } from '../../ingest/console/session-store';
import { createRedisIdempotencyStore } from '../../ingest/middleware/idempotency-store';
import { silentLogger } from '../../platform/logger';
import { createRedis, type Redis } from '../../platform/redis/client';
import { startRedisCluster, type RedisCluster } from '../../infra/local/redis-cluster';
import { describeConsoleSessionStoreContract } from '../contracts/console-session-store';
import { describeIdempotencyStoreContract } from '../contracts/idempotency-store';
import { killAllChildren } from '../support/processes';

jest.setTimeout(120_000);

let cluster: RedisCluster;
let redis: Redis;
let run = 0;

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1 });
  redis = createRedis({
    url: 'redis://127.0.0.1', clusterNodes: cluster.addresses.split(','), keyPrefix: 'vestnik:', logger: silentLogger, name: 'cluster-stores',
  });
});

afterAll(async () => {
  await redis?.quit();
  await cluster?.remove();
  await killAllChildren();
});

it("is a Cluster client: it reaches every master, and a refused cross-slot MULTI fails as an answer, not as Redis being down", async () => {
  // Keys of many slots, through the prefix: each master holds some of them.
  await Promise.all(Array.from({ length: 60 }, (_, i) => redis.set(`spread:${i}`, 'x')));
  const masters = 'nodes' in redis ? redis.nodes('master') : [];
  expect(masters).toHaveLength(3);
  const perMaster = await Promise.all(masters.map((node) => node.keys('*spread:*')));
  expect(perMaster.map((keys) => keys.length > 0)).toEqual([true, true, true]);
  expect(perMaster.flat().filter((key) => !/^vestnik:spread:\d+$/.test(key))).toEqual([]); // prefixed once
  const refused = await redis.multi().set('a', '1').set('b', '2').exec().catch((error: unknown) => error);
  expect(refused).toBeInstanceOf(Error);
  expect((refused as { code?: string }).code).not.toBe('REDIS_UNAVAILABLE');
});

describeIdempotencyStoreContract('Redis Cluster', () => {
  run += 1;
  return createRedisIdempotencyStore(redis);
}, () => `cluster${run}`);

describeConsoleSessionStoreContract('Redis Cluster', () => {
  run += 1;
  return createRedisConsoleSessionStore(redis);
}, () => `cluster${run}`, (ms) => delay(ms));
