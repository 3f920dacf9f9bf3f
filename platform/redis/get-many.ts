import type { Redis } from './client';

type ManyRedis = Pick<Redis, 'get' | 'mget'> & { readonly isCluster?: boolean };

/**
 * The values of many keys, in order, in one round trip per server. On one Redis that is one MGET. A Redis
 * Cluster refuses an MGET over keys of several slots (CROSSSLOT), and keys named by ids fall in every slot,
 * so there each key is its own GET: the client's auto-pipelining (platform/redis/client.ts) writes each
 * node's GETs together, one round trip per node, the nodes in parallel.
 */
export async function getMany(redis: ManyRedis, keys: readonly string[]): Promise<(string | null)[]> {
  if (keys.length === 0) return [];
  if (redis.isCluster) return Promise.all(keys.map((key) => redis.get(key)));
  return redis.mget(...keys);
}
