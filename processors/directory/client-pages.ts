import type { Redis } from '../../platform/redis/client';
import { KEYS } from '../../platform/redis/keys';
import type { Client } from '../../schemas/types';

/**
 * The client docs of one page of ids in ONE MGET. An id whose doc is gone (the client was deleted
 * between the index read and this one) is left out rather than failing the page.
 */
export async function loadClients(redis: Pick<Redis, 'mget'>, ids: readonly string[]): Promise<Client[]> {
  if (ids.length === 0) return [];
  const docs = await redis.mget(...ids.map(KEYS.client));
  return docs.flatMap((doc) => (doc ? [JSON.parse(doc) as Client] : []));
}

/**
 * The members of a lexicographic index zset (score 0, member = id), one page at a time: each page
 * starts just after the last id of the one before (ZRANGEBYLEX "(last" + LIMIT), so memory holds
 * one page however large the set, and members added or removed meanwhile never shift the cursor.
 * Takes only the Redis calls it uses, so it is unit-tested with a fake.
 */
export async function* indexPages(redis: Pick<Redis, 'zrangebylex'>, key: string, pageSize: number): AsyncGenerator<string[]> {
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new RangeError(`page size must be a positive integer, got ${pageSize}`);
  let after = '';
  for (;;) {
    const ids = await redis.zrangebylex(key, after ? `(${after}` : '-', '+', 'LIMIT', 0, pageSize);
    if (ids.length === 0) return;
    yield ids;
    if (ids.length < pageSize) return;
    after = ids[ids.length - 1] as string;
  }
}
