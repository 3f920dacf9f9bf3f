import { ConfigResourceTypes, type Admin } from 'kafkajs';
import { ensureTopics } from '../../platform/kafka';
import { createKafkaTestContext } from '../support/kafka';
import { uniqueName } from '../support/unique';

jest.setTimeout(60_000);

const kt = createKafkaTestContext();
let admin: Admin;

beforeAll(async () => {
  admin = kt.kafka.admin();
  await admin.connect();
  kt.onCleanup(() => admin.disconnect());
});
afterAll(() => kt.cleanup());

async function configsOf(topic: string): Promise<Record<string, string>> {
  const { resources } = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }] });
  return Object.fromEntries((resources[0]?.configEntries ?? []).map((e) => [e.configName, e.configValue]));
}

describe('ensureTopics on the real broker', () => {
  it('creates missing topics with their partitions and configs, with leaders, and is idempotent', async () => {
    const state = uniqueName('state.ensure');
    const stream = uniqueName('events.ensure');
    kt.onCleanup(() => admin.deleteTopics({ topics: [state, stream] }));
    const specs = [
      { name: state, partitions: 1, cleanupPolicy: 'compact' as const },
      { name: stream, partitions: 3, cleanupPolicy: 'delete' as const, retentionMs: 3_600_000 },
    ];

    expect(await ensureTopics(kt.kafka, specs)).toEqual({ created: [state, stream], altered: [], unchanged: [] });
    const { topics } = await admin.fetchTopicMetadata({ topics: [state, stream] });
    expect(topics.find((t) => t.name === stream)?.partitions.every((p) => p.leader >= 0)).toBe(true);
    expect(topics.find((t) => t.name === stream)?.partitions).toHaveLength(3);
    expect(await configsOf(state)).toMatchObject({ 'cleanup.policy': 'compact' });
    expect(await configsOf(stream)).toMatchObject({ 'cleanup.policy': 'delete', 'retention.ms': '3600000' });

    expect(await ensureTopics(kt.kafka, specs)).toEqual({ created: [], altered: [], unchanged: [state, stream] });
  });

  it('alters drifted configs back to the spec and keeps other topic-level configs', async () => {
    const topic = await kt.createTopic('drift', { partitions: 2 });
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [
        { name: 'cleanup.policy', value: 'compact' },
        { name: 'max.message.bytes', value: '500000' },
      ] }],
    });

    const result = await ensureTopics(kt.kafka, [{ name: topic, partitions: 2, cleanupPolicy: 'delete', retentionMs: 60_000 }]);
    expect(result).toEqual({ created: [], altered: [topic], unchanged: [] });
    expect(await configsOf(topic)).toMatchObject({ 'cleanup.policy': 'delete', 'retention.ms': '60000', 'max.message.bytes': '500000' });
  });

  it('sets min.insync.replicas on the topics it creates and on those it finds, and says why a replication factor cannot be had', async () => {
    const created = uniqueName('deliveries.insync');
    const found = await kt.createTopic('insync-found', { partitions: 1 });
    kt.onCleanup(() => admin.deleteTopics({ topics: [created] }));
    // On one broker both are 1; the setting is what matters: the same call on a cluster gives 3 and 2.
    const specs = [created, found].map((name) => ({ name, partitions: 2, cleanupPolicy: 'delete' as const, replicationFactor: 1, minInsyncReplicas: 1 }));
    await ensureTopics(kt.kafka, specs);
    expect(await configsOf(created)).toMatchObject({ 'min.insync.replicas': '1' });
    // A topic that had the broker's default is altered only when the wanted value differs: here it does not.
    expect(await configsOf(found)).toMatchObject({ 'min.insync.replicas': '1' });
    // A replication factor above the brokers there are fails the set-up, saying so, instead of creating less.
    const tooMany = uniqueName('deliveries.rf3');
    await expect(ensureTopics(kt.kafka, [{ name: tooMany, partitions: 1, cleanupPolicy: 'delete', replicationFactor: 3, minInsyncReplicas: 2 }]))
      .rejects.toThrow(/replication factor|INVALID_REPLICATION_FACTOR|larger than available brokers/i);
  });

  it('leaves the partition count of an existing topic alone', async () => {
    const topic = await kt.createTopic('partitions', { partitions: 2 });
    await ensureTopics(kt.kafka, [{ name: topic, partitions: 4, cleanupPolicy: 'delete' }]);
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(topics[0]?.partitions).toHaveLength(2);
  });
});
