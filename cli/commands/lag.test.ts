import { isDeploymentGroup, lagByTopic } from './lag';

describe('lag rows', () => {
  it.each([
    ['acme-sender-sms-bulk', true],
    ['acme-api-dead-letter-reader-5f0c', false],
    ['acme2-analytics', false],
    ['other-analytics', false],
  ])('%s belongs to the deployment: %s', (group, expected) => {
    expect(isDeploymentGroup(group, 'acme')).toBe(expected);
  });

  it('sums partitions per topic and counts the uncommitted ones', () => {
    expect(lagByTopic('g', 'Stable', 2, [
      { topic: 'deliveries.bulk', committed: '10', lag: 5 },
      { topic: 'deliveries.bulk', committed: null, lag: 7 },
      { topic: 'deliveries.retry', committed: '3', lag: 0 },
    ])).toEqual([
      { group: 'g', topic: 'deliveries.bulk', partitions: 2, lag: 12, uncommitted: 1, state: 'Stable', members: 2 },
      { group: 'g', topic: 'deliveries.retry', partitions: 1, lag: 0, uncommitted: 0, state: 'Stable', members: 2 },
    ]);
  });
});
