import type { Admin } from 'kafkajs';
import { fetchGroupLags, topicRecordCount } from './lag';
import { createTopicNames } from './topic-names';

/** An admin that knows partition offsets per physical topic and commits per group; counts its calls. */
function fakeAdmin(ends: Record<string, { partition: number; low: string; high: string }[]>, commits: Record<string, Record<string, string[]>>) {
  const calls = { fetchTopicOffsets: [] as string[], fetchOffsets: 0 };
  const admin = {
    async fetchTopicOffsets(topic: string) {
      calls.fetchTopicOffsets.push(topic);
      return (ends[topic] ?? []).map((p) => ({ ...p, offset: p.high }));
    },
    async fetchOffsets({ groupId, topics }: { groupId: string; topics: string[] }) {
      calls.fetchOffsets += 1;
      return topics.map((topic) => ({ topic, partitions: (commits[groupId]?.[topic] ?? []).map((offset, partition) => ({ partition, offset })) }));
    },
  };
  return { admin: admin as unknown as Admin, calls };
}

describe('fetchGroupLags', () => {
  const names = createTopicNames('acme');
  const ends = {
    'acme.deliveries.bulk': [{ partition: 0, low: '0', high: '10' }, { partition: 1, low: '5', high: '8' }],
    'acme.deliveries.retry': [{ partition: 0, low: '0', high: '4' }],
  };

  it('sums each group\'s lag per topic over partitions; nothing committed counts from the log start', async () => {
    const { admin } = fakeAdmin(ends, { 'g-senders': { 'acme.deliveries.bulk': ['7', '-1'], 'acme.deliveries.retry': ['4'] } });
    expect(await fetchGroupLags(admin, [{ groupId: 'g-senders', topics: ['deliveries.bulk', 'deliveries.retry'] }], names)).toEqual([
      { group: 'g-senders', topic: 'deliveries.bulk', lag: 3 + 3 },
      { group: 'g-senders', topic: 'deliveries.retry', lag: 0 },
    ]);
  });

  it('asks each topic\'s end offsets once however many groups read it', async () => {
    const { admin, calls } = fakeAdmin(ends, {});
    const lags = await fetchGroupLags(admin, [
      { groupId: 'a', topics: ['deliveries.bulk'] }, { groupId: 'b', topics: ['deliveries.bulk', 'deliveries.retry'] },
    ], names);
    expect(lags).toEqual([
      { group: 'a', topic: 'deliveries.bulk', lag: 13 },
      { group: 'b', topic: 'deliveries.bulk', lag: 13 },
      { group: 'b', topic: 'deliveries.retry', lag: 4 },
    ]);
    expect(calls).toEqual({ fetchTopicOffsets: ['acme.deliveries.bulk', 'acme.deliveries.retry'], fetchOffsets: 2 });
  });
});

describe('topicRecordCount', () => {
  it('is end minus start over the partitions of the prefixed topic', async () => {
    const { admin } = fakeAdmin({ 'acme.deliveries.dead-letter': [{ partition: 0, low: '3', high: '10' }, { partition: 1, low: '0', high: '2' }] }, {});
    expect(await topicRecordCount(admin, 'deliveries.dead-letter', createTopicNames('acme'))).toBe(9);
  });
});
