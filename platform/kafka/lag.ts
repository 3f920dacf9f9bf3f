import type { Admin } from 'kafkajs';
import { UNPREFIXED_TOPICS, type TopicNames } from './topic-names';

export interface PartitionLag {
  topic: string;
  partition: number;
  /** Next offset the group will read; null when the group has committed nothing yet. */
  committed: string | null;
  /** The log end offset (high watermark). */
  end: string;
  /** Records between the committed position (or the log start) and the end. */
  lag: number;
}

/**
 * The committed lag of a consumer group: what is left to read, per partition, as the broker sees it.
 * Records handled but not yet committed still count, which is the honest number after a crash.
 * Topics are given and reported by their logical names.
 */
export async function fetchConsumerLag(
  admin: Admin, groupId: string, topics: readonly string[], names: TopicNames = UNPREFIXED_TOPICS,
): Promise<PartitionLag[]> {
  const committedByTopic = await admin.fetchOffsets({ groupId, topics: topics.map((topic) => names.physical(topic)) });
  const lags: PartitionLag[] = [];
  for (const topic of topics) {
    const physical = names.physical(topic);
    const ends = await admin.fetchTopicOffsets(physical);
    const committed = committedByTopic.find((entry) => entry.topic === physical)?.partitions ?? [];
    for (const end of ends) {
      const raw = committed.find((entry) => entry.partition === end.partition)?.offset;
      const position = raw !== undefined && BigInt(raw) >= 0n ? raw : null;
      const from = BigInt(position ?? end.low);
      lags.push({
        topic,
        partition: end.partition,
        committed: position,
        end: end.high,
        lag: Number(BigInt(end.high) - from),
      });
    }
  }
  return lags.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}
