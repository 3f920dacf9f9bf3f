/**
 * Pinning where a group starts on partitions it never committed. A consumer that starts "at the end"
 * (fromBeginning false) and has no committed offset on a partition reads from the latest offset it
 * finds at each (re)start. If it crashes while handling the first records ever seen there, before the
 * first commit, the restarted member again starts at the latest offset — after those records: they
 * are never handled (a mailing-started event killed mid fan-out was lost this way). So on joining the
 * group the member commits the current end of every assigned partition that has no committed offset:
 * the start is pinned, and a crash replays from it. (Records produced in the milliseconds between the
 * join and that commit on such a partition are still handled, only not replayed after a crash there.)
 */
import type { Admin } from 'kafkajs';

export interface PartitionOffset {
  topic: string;
  partition: number;
  offset: string;
}

/** The assigned partitions without a committed offset, at their current end offset. */
export function partitionsToPin(
  assignment: Readonly<Record<string, readonly number[]>>,
  committed: readonly { topic: string; partitions: readonly { partition: number; offset: string }[] }[],
  ends: readonly { topic: string; partitions: readonly { partition: number; offset: string }[] }[],
): PartitionOffset[] {
  const hasCommit = new Set(committed.flatMap(({ topic, partitions }) =>
    partitions.filter((p) => BigInt(p.offset) >= 0n).map((p) => `${topic}|${p.partition}`)));
  const endOf = new Map<string, string>(ends.flatMap(({ topic, partitions }) => partitions.map((p): [string, string] => [`${topic}|${p.partition}`, p.offset])));
  const pins: PartitionOffset[] = [];
  for (const [topic, partitions] of Object.entries(assignment)) {
    for (const partition of partitions) {
      const key = `${topic}|${partition}`;
      const end = endOf.get(key);
      if (!hasCommit.has(key) && end !== undefined) pins.push({ topic, partition, offset: end });
    }
  }
  return pins;
}

/** Reads the group's commits and the topics' ends for an assignment, and returns what to pin. */
export async function findPartitionsToPin(admin: Admin, groupId: string, assignment: Readonly<Record<string, readonly number[]>>): Promise<PartitionOffset[]> {
  const topics = Object.keys(assignment).filter((topic) => (assignment[topic]?.length ?? 0) > 0);
  if (topics.length === 0) return [];
  const committed = await admin.fetchOffsets({ groupId, topics });
  const ends = await Promise.all(topics.map(async (topic) => ({
    topic, partitions: (await admin.fetchTopicOffsets(topic)).map((p) => ({ partition: p.partition, offset: p.high })),
  })));
  return partitionsToPin(assignment, committed, ends);
}
