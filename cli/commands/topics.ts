/**
 * `vestnik topics`: the deployment's topics (TOPIC_SPECS) as the broker holds them under KAFKA_TOPIC_PREFIX:
 * partitions, records between log start and end, and the policy `vestnik setup` gives them. A topic that
 * setup has not created is listed as missing rather than left out.
 */
import type { Admin } from 'kafkajs';
import type { TopicNames } from '../../platform/kafka/topic-names';
import { TOPIC_SPECS, type TopicSpec } from '../../platform/topics';
import { formatRetention, type TopicRow } from '../output/tables';

export async function collectTopics(admin: Admin, names: TopicNames, specs: readonly TopicSpec[] = TOPIC_SPECS): Promise<TopicRow[]> {
  const existing = new Set(await admin.listTopics());
  const rows: TopicRow[] = [];
  for (const spec of specs) {
    const physical = names.physical(spec.name);
    const base = { topic: spec.name, physical, cleanupPolicy: spec.cleanupPolicy, retention: spec.cleanupPolicy === 'compact' ? 'compacted' : formatRetention(spec.retentionMs) };
    if (!existing.has(physical)) {
      rows.push({ ...base, partitions: null, records: null });
      continue;
    }
    const offsets = await admin.fetchTopicOffsets(physical);
    const records = offsets.reduce((sum, p) => sum + Number(BigInt(p.high) - BigInt(p.low)), 0);
    rows.push({ ...base, partitions: offsets.length, records });
  }
  return rows;
}
