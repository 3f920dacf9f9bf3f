/**
 * `vestnik rebuild-view`: the directory view in Redis is derived from the compacted state topics, so
 * it is rebuilt by clearing it and replaying them. This command does the clearing and the rewind; the
 * processors role's state-view consumer does the replay when it next starts.
 */
import type { Kafka } from 'kafkajs';
import { topicNamesOf } from '../../platform/kafka';
import { keyServersOf, type Redis } from '../../platform/redis/client';
import { VIEW_KEY_PATTERNS } from '../../platform/redis/keys';
import { DEFAULT_STATE_TOPICS, DEFAULT_STATE_VIEW_GROUP, type StateTopics } from '../../processors/state-view/consumer';
import type { Runtime } from '../runtime';

/** Clears the Redis directory view and rewinds its group; the processors role must be stopped. */
export async function rebuildDirectoryView(runtime: Runtime): Promise<void> {
  const deleted = await rebuildView({ kafka: runtime.kafka(), redis: runtime.redis(), groupId: runtime.groupId('state-view') });
  runtime.logger.info({ deleted }, 'directory view cleared; it is rebuilt when the processors role starts');
}

export interface RebuildViewOptions {
  kafka: Kafka;
  redis: Redis;
  groupId?: string;
  topics?: StateTopics;
}

/**
 * Clears the directory view and rewinds the view group to the earliest offsets, so its next start
 * replays the state topics into an empty view. The group's consumers must be stopped (Kafka refuses
 * to reset the offsets of an active group). Returns how many keys were deleted.
 */
export async function rebuildView(options: RebuildViewOptions): Promise<number> {
  const deleted = await deleteViewKeys(options.redis);
  const admin = options.kafka.admin();
  await admin.connect();
  try {
    const groupId = options.groupId ?? DEFAULT_STATE_VIEW_GROUP;
    const names = topicNamesOf(options.kafka);
    for (const topic of Object.values(options.topics ?? DEFAULT_STATE_TOPICS)) {
      await admin.resetOffsets({ groupId, topic: names.physical(topic), earliest: true });
    }
  } finally {
    await admin.disconnect();
  }
  return deleted;
}

/**
 * SCAN does not apply ioredis' keyPrefix to MATCH, and returns prefixed keys that DEL would prefix again.
 * A Redis Cluster is scanned master by master (SCAN sees one node's keys), and its keys are deleted one DEL
 * each (auto-pipelined), since one DEL cannot span slots.
 */
async function deleteViewKeys(redis: Redis): Promise<number> {
  const prefix = keyPrefixOf(redis);
  const globPrefix = prefix.replace(/[*?[\]\\]/g, '\\$&');
  const servers = await keyServersOf(redis);
  let deleted = 0;
  for (const server of servers) {
    for (const pattern of VIEW_KEY_PATTERNS) {
      let cursor = '0';
      do {
        const [next, keys] = await server.scan(cursor, 'MATCH', `${globPrefix}${pattern}`, 'COUNT', 500);
        cursor = next;
        const names = keys.map((key) => key.slice(prefix.length));
        if (names.length === 0) continue;
        deleted += redis.isCluster ? (await Promise.all(names.map((name) => redis.del(name)))).reduce((a, b) => a + b, 0) : await redis.del(...names);
      } while (cursor !== '0');
    }
  }
  return deleted;
}

/** A Cluster client keeps its nodes' options (the key prefix among them) apart from its own. */
function keyPrefixOf(redis: Redis): string {
  return ('redisOptions' in redis.options ? redis.options.redisOptions?.keyPrefix : redis.options.keyPrefix) ?? '';
}
