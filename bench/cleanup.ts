import Redis from 'ioredis';
import type { Kafka } from 'kafkajs';

/** Deletes every key under the run's prefix (SCAN, not KEYS: the Redis is shared with other runs). */
export async function deleteKeysWithPrefix(redisUrl: string, keyPrefix: string): Promise<number> {
  const raw = new Redis(redisUrl);
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await raw.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await raw.del(...keys);
    } while (cursor !== '0');
  } finally {
    await raw.quit();
  }
  return deleted;
}

/** Deletes the run's consumer groups (`<prefix>-*`) and the given topics. */
export async function deleteKafkaLeftovers(kafka: Kafka, groupPrefix: string, topics: readonly string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { groups } = await admin.listGroups();
    const ours = groups.map((g) => g.groupId).filter((id) => id.startsWith(groupPrefix));
    if (ours.length > 0) await admin.deleteGroups(ours).catch(() => undefined);
    if (topics.length > 0) await admin.deleteTopics({ topics: [...topics] });
  } finally {
    await admin.disconnect();
  }
}
