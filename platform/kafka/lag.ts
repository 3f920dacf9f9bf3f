import type { Admin } from 'kafkajs';
import { UNPREFIXED_TOPICS, type TopicNames } from './topic-names';

type TopicOffsets = (physical: string) => ReturnType<Admin['fetchTopicOffsets']>;

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
  /** A topic's partition offsets by physical name; several groups' lags share one answer per topic. */
  topicOffsets: TopicOffsets = (physical) => admin.fetchTopicOffsets(physical),
): Promise<PartitionLag[]> {
  const committedByTopic = await admin.fetchOffsets({ groupId, topics: topics.map((topic) => names.physical(topic)) });
  const lags: PartitionLag[] = [];
  for (const topic of topics) {
    const physical = names.physical(topic);
    const ends = await topicOffsets(physical);
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

/** A consumer group and the topics it reads (logical names). */
export interface GroupTopics {
  groupId: string;
  topics: readonly string[];
}

/**
 * The committed lag of several groups, summed over partitions per group and topic, by fetchConsumerLag's
 * rule. Admin calls stay bounded: one offsets fetch per group, and each topic's end offsets fetched once
 * for all the groups that read it, never one call per partition.
 */
export async function fetchGroupLags(
  admin: Admin, groups: readonly GroupTopics[], names: TopicNames = UNPREFIXED_TOPICS,
): Promise<{ group: string; topic: string; lag: number }[]> {
  const ends = new Map<string, ReturnType<Admin['fetchTopicOffsets']>>();
  const topicOffsets: TopicOffsets = (physical) => {
    let answer = ends.get(physical);
    if (!answer) ends.set(physical, (answer = admin.fetchTopicOffsets(physical)));
    return answer;
  };
  const totals: { group: string; topic: string; lag: number }[] = [];
  for (const { groupId, topics } of groups) {
    const byTopic = new Map<string, number>(topics.map((topic) => [topic, 0]));
    for (const partition of await fetchConsumerLag(admin, groupId, topics, names, topicOffsets)) {
      byTopic.set(partition.topic, (byTopic.get(partition.topic) ?? 0) + partition.lag);
    }
    for (const [topic, lag] of byTopic) totals.push({ group: groupId, topic, lag });
  }
  return totals;
}

/** How many records a topic holds now: end minus start offsets, summed over its partitions. */
export async function topicRecordCount(admin: Admin, topic: string, names: TopicNames = UNPREFIXED_TOPICS): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(names.physical(topic));
  return offsets.reduce((sum, p) => sum + Number(BigInt(p.high) - BigInt(p.low)), 0);
}

/**
 * The committed lag of a group on every topic of this deployment it has committed offsets for (the
 * metrics' sampler knows groups, not their topics). Topics outside the client's prefix are left out.
 */
export async function fetchGroupLag(admin: Admin, groupId: string, names: TopicNames = UNPREFIXED_TOPICS): Promise<PartitionLag[]> {
  const committed = await admin.fetchOffsets({ groupId });
  const ours = committed
    .map((entry) => entry.topic)
    .filter((physical) => names.prefix === '' || names.logical(physical) !== physical)
    .map((physical) => names.logical(physical));
  if (ours.length === 0) return [];
  return fetchConsumerLag(admin, groupId, ours, names);
}
