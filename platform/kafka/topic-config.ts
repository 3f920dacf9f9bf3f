import { ConfigSource, type ConfigEntries, type IResourceConfigEntry } from 'kafkajs';

/** A topic to ensure: TopicSpec from platform/topics.ts, or a test topic with any name. */
export interface KafkaTopicSpec {
  name: string;
  partitions: number;
  cleanupPolicy: 'compact' | 'delete';
  retentionMs?: number;
  /** 1 on a single local broker; production clusters pass 3 (KAFKA_REPLICATION_FACTOR). */
  replicationFactor?: number;
  /** Copies a record needs before acks=all answers (KAFKA_MIN_INSYNC_REPLICAS); absent: the broker's default. */
  minInsyncReplicas?: number;
}

/** The topic-level configs Vestnik owns; everything else is left to broker defaults or operators. */
export function desiredConfigEntries(spec: KafkaTopicSpec): IResourceConfigEntry[] {
  const entries: IResourceConfigEntry[] = [{ name: 'cleanup.policy', value: spec.cleanupPolicy }];
  if (spec.retentionMs !== undefined) entries.push({ name: 'retention.ms', value: String(spec.retentionMs) });
  if (spec.minInsyncReplicas !== undefined) entries.push({ name: 'min.insync.replicas', value: String(spec.minInsyncReplicas) });
  return entries;
}

/**
 * The full entry list to send with AlterConfigs when the topic's configs drifted from the spec, or null
 * when they match. AlterConfigs (the only config API kafkajs has) REPLACES every dynamic config of the
 * topic, so the entries an operator set at topic level are carried over unchanged beside ours.
 */
export function alteredConfigEntries(
  spec: KafkaTopicSpec,
  current: readonly ConfigEntries[],
): IResourceConfigEntry[] | null {
  const desired = desiredConfigEntries(spec);
  const currentValue = new Map(current.map((entry) => [entry.configName, entry.configValue]));
  const drifted = desired.some((entry) => currentValue.get(entry.name) !== entry.value);
  if (!drifted) return null;
  const ours = new Set(desired.map((entry) => entry.name));
  const keptFromOperators = current
    .filter((entry) => entry.configSource === ConfigSource.TOPIC_CONFIG && !ours.has(entry.configName))
    .filter((entry) => !entry.isSensitive && !entry.readOnly)
    .map((entry) => ({ name: entry.configName, value: entry.configValue }));
  return [...keptFromOperators, ...desired];
}
