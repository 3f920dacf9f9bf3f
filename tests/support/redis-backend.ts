import { startRedisCluster, type RedisCluster } from '../../infra/local/redis-cluster';
import { silentLogger } from '../../platform/logger';
import { createRedis, keyServersOf, type Redis } from '../../platform/redis/client';
import { deleteKeysWithPrefix, TEST_REDIS_URL } from './redis';
import { uniqueName } from './unique';

/** Where a suite that runs on both keeps its Redis state: the run's shared server, or a Redis Cluster of its own. */
export type RedisBackendName = 'one Redis' | 'a Redis Cluster';

export interface RedisBackend {
  name: RedisBackendName;
  /** A Vestnik connection (platform/redis/client.ts) under `keyPrefix`. */
  connect(name: string, keyPrefix: string): Redis;
  /** Deletes every key under `keyPrefix`. */
  clear(keyPrefix: string): Promise<void>;
  /** Removes what it started (the Cluster's nodes and data). */
  stop(): Promise<void>;
}

/**
 * The shared Redis of the run, or a private Redis Cluster of three masters and three replicas
 * (infra/local/redis-cluster.ts, about 6 s to start), for suites that must hold on both (issue 16).
 */
export async function startRedisBackend(name: RedisBackendName): Promise<RedisBackend> {
  if (name === 'one Redis') {
    return {
      name,
      connect: (connection, keyPrefix) => createRedis({ url: TEST_REDIS_URL, keyPrefix, logger: silentLogger, name: connection }),
      clear: deleteKeysWithPrefix,
      stop: async () => undefined,
    };
  }
  const cluster: RedisCluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1 });
  const nodes = cluster.addresses.split(',');
  const admin = createRedis({ url: 'redis://127.0.0.1', clusterNodes: nodes, keyPrefix: '', logger: silentLogger, name: 'test-cluster-admin' });
  return {
    name,
    connect: (connection, keyPrefix) => createRedis({ url: 'redis://127.0.0.1', clusterNodes: nodes, keyPrefix, logger: silentLogger, name: connection }),
    async clear(keyPrefix) {
      // The Cluster is this suite's alone; each master is asked for its own keys.
      const masters = await keyServersOf(admin);
      await Promise.all(masters.map(async (node) => {
        const keys = await node.keys(`${keyPrefix}*`);
        await Promise.all(keys.map((key) => node.del(key)));
      }));
    },
    async stop() {
      await admin.quit();
      await cluster.remove();
    },
  };
}

/**
 * For a suite of Redis-only tests on `backendName`: a connection under a key prefix of its own, opened
 * before the suite, emptied after each test, and closed (with the backend) after the suite. Call it at
 * the top of a describe; read the connection inside the tests.
 */
export function useRedisBackend(backendName: RedisBackendName, name: string): () => Redis {
  const prefix = `vestnik-test-${uniqueName(name)}:`;
  let backend: RedisBackend | undefined;
  let redis: Redis | undefined;
  beforeAll(async () => {
    backend = await startRedisBackend(backendName);
    redis = backend.connect(`${name}-test`, prefix);
  });
  afterEach(async () => {
    await backend?.clear(prefix);
  });
  afterAll(async () => {
    await redis?.quit();
    await backend?.stop();
  });
  return () => {
    if (!redis) throw new Error('useRedisBackend: the connection is opened in beforeAll');
    return redis;
  };
}
