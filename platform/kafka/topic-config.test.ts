import { ConfigSource, type ConfigEntries } from 'kafkajs';
import { alteredConfigEntries, desiredConfigEntries } from './topic-config';

const entry = (configName: string, configValue: string, configSource = ConfigSource.TOPIC_CONFIG): ConfigEntries => ({
  configName, configValue, configSource, isDefault: configSource === ConfigSource.DEFAULT_CONFIG,
  isSensitive: false, readOnly: false, configSynonyms: [],
});

describe('desiredConfigEntries', () => {
  it('sets cleanup.policy always and retention.ms only when given', () => {
    expect(desiredConfigEntries({ name: 'state.x', partitions: 1, cleanupPolicy: 'compact' })).toEqual([
      { name: 'cleanup.policy', value: 'compact' },
    ]);
    expect(desiredConfigEntries({ name: 'events.x', partitions: 3, cleanupPolicy: 'delete', retentionMs: 1000 })).toEqual([
      { name: 'cleanup.policy', value: 'delete' },
      { name: 'retention.ms', value: '1000' },
    ]);
  });

  it('sets min.insync.replicas when given (KAFKA_MIN_INSYNC_REPLICAS)', () => {
    expect(desiredConfigEntries({ name: 'deliveries.x', partitions: 6, cleanupPolicy: 'delete', replicationFactor: 3, minInsyncReplicas: 2 })).toEqual([
      { name: 'cleanup.policy', value: 'delete' },
      { name: 'min.insync.replicas', value: '2' },
    ]);
  });

  it('finds no drift where the broker default already is the wanted min.insync.replicas, and drift where it is not', () => {
    const spec = { name: 't', partitions: 1, cleanupPolicy: 'delete' as const, minInsyncReplicas: 1 };
    expect(alteredConfigEntries(spec, [entry('cleanup.policy', 'delete'), entry('min.insync.replicas', '1', ConfigSource.DEFAULT_CONFIG)])).toBeNull();
    expect(alteredConfigEntries({ ...spec, minInsyncReplicas: 2 }, [entry('cleanup.policy', 'delete'), entry('min.insync.replicas', '1', ConfigSource.DEFAULT_CONFIG)]))
      .toEqual([{ name: 'cleanup.policy', value: 'delete' }, { name: 'min.insync.replicas', value: '2' }]);
  });
});

describe('alteredConfigEntries', () => {
  const spec = { name: 't', partitions: 3, cleanupPolicy: 'delete' as const, retentionMs: 1000 };

  it('is null when the topic matches the spec', () => {
    expect(alteredConfigEntries(spec, [entry('cleanup.policy', 'delete'), entry('retention.ms', '1000')])).toBeNull();
  });

  it('returns the spec plus the operator topic-level configs when a config drifted', () => {
    const current = [
      entry('cleanup.policy', 'delete', ConfigSource.DEFAULT_CONFIG),
      entry('retention.ms', '604800000', ConfigSource.DEFAULT_CONFIG),
      entry('min.insync.replicas', '2'),
      entry('segment.bytes', '1073741824', ConfigSource.STATIC_BROKER_CONFIG),
    ];
    expect(alteredConfigEntries(spec, current)).toEqual([
      { name: 'min.insync.replicas', value: '2' },
      { name: 'cleanup.policy', value: 'delete' },
      { name: 'retention.ms', value: '1000' },
    ]);
  });

  it('notices a compacted topic that became a deleting one', () => {
    const compact = { name: 's', partitions: 1, cleanupPolicy: 'compact' as const };
    expect(alteredConfigEntries(compact, [entry('cleanup.policy', 'delete')])).toEqual([{ name: 'cleanup.policy', value: 'compact' }]);
  });
});
