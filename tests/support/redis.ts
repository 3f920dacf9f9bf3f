import Redis from 'ioredis';

export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Deletes every key under a test's prefix (SCAN, not KEYS: the Redis is shared with other runs). */
export async function deleteKeysWithPrefix(keyPrefix: string): Promise<void> {
  const raw = new Redis(TEST_REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await raw.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await raw.del(...keys);
    } while (cursor !== '0');
  } finally {
    await raw.quit();
  }
}
