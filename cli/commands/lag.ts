/**
 * `vestnik lag`: every consumer group of this deployment (KAFKA_GROUP_PREFIX) with its committed lag per
 * topic, as the broker sees it (platform/kafka/lag.ts: records handled but not committed still count).
 */
import type { Admin } from 'kafkajs';
import { fetchConsumerLag } from '../../platform/kafka/lag';
import type { TopicNames } from '../../platform/kafka/topic-names';
import type { GroupTopicLag } from '../output/tables';

/** The groups named `<prefix>-…`; the dead-letter readers' throwaway groups are left out. */
export function isDeploymentGroup(groupId: string, groupPrefix: string): boolean {
  return groupId.startsWith(`${groupPrefix}-`) && !groupId.includes('-dead-letter-reader-');
}

/** Sums a group's partitions per topic. */
export function lagByTopic(
  group: string, state: string, members: number, partitions: readonly { topic: string; committed: string | null; lag: number }[],
): GroupTopicLag[] {
  const rows = new Map<string, GroupTopicLag>();
  for (const p of partitions) {
    const row = rows.get(p.topic) ?? { group, topic: p.topic, partitions: 0, lag: 0, uncommitted: 0, state, members };
    row.partitions += 1;
    row.lag = (row.lag ?? 0) + p.lag;
    if (p.committed === null) row.uncommitted += 1;
    rows.set(p.topic, row);
  }
  return [...rows.values()];
}

/** Every deployment group's lag per topic it has committed on; a group with no commit yet gets one row without a topic. */
export async function collectLag(admin: Admin, groupPrefix: string, names: TopicNames, filter?: string): Promise<GroupTopicLag[]> {
  const groups = (await admin.listGroups()).groups.map((g) => g.groupId)
    .filter((id) => isDeploymentGroup(id, groupPrefix) && (!filter || id.includes(filter)))
    .sort();
  if (groups.length === 0) return [];
  const described = new Map((await admin.describeGroups(groups)).groups.map((g) => [g.groupId, g]));
  const rows: GroupTopicLag[] = [];
  for (const group of groups) {
    const info = described.get(group);
    const [state, members] = [info?.state ?? 'Unknown', info?.members.length ?? 0];
    // Without topics, the broker answers every topic the group has committed on.
    const committed = await admin.fetchOffsets({ groupId: group });
    const topics = committed.map((entry) => entry.topic)
      .filter((physical) => names.prefix === '' || names.logical(physical) !== physical)
      .map((physical) => names.logical(physical));
    if (topics.length === 0) {
      rows.push({ group, topic: '-', partitions: 0, lag: null, uncommitted: 0, state, members });
      continue;
    }
    rows.push(...lagByTopic(group, state, members, await fetchConsumerLag(admin, group, topics, names)));
  }
  return rows;
}
