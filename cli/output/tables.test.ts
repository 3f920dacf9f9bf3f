import { formatRetention, renderDeadLetterTable, renderLagTable, renderTopicsTable, truncate } from './tables';

describe('tables', () => {
  it('lag: a row per group and topic, numbers right-aligned, no colour outside a terminal', () => {
    const text = renderLagTable([
      { group: 'v-sender-sms-bulk', topic: 'deliveries.bulk', partitions: 6, lag: 12_345, uncommitted: 0, state: 'Stable', members: 1 },
      { group: 'v-analytics', topic: 'deliveries.status', partitions: 6, lag: 0, uncommitted: 2, state: 'Stable', members: 1 },
      { group: 'v-idle', topic: '-', partitions: 0, lag: null, uncommitted: 0, state: 'Empty', members: 0 },
    ]);
    expect(text).not.toContain('\x1b');
    const lines = text.split('\n');
    expect(lines[1]).toMatch(/^│ group +│ topic +│ partitions +│ lag +│ state +│ members │$/);
    expect(text).toMatch(/│ v-sender-sms-bulk │ deliveries\.bulk +│ +6 │ 12,345 │ Stable │ +1 │/);
    expect(text).toContain('6 (2 uncommitted)');
    expect(text).toMatch(/│ v-idle +│ - +│ - +│ - +│ Empty +│ +0 │/);
  });

  it('lag: says so when there are no groups', () => {
    expect(renderLagTable([])).toMatch(/^no consumer groups/);
  });

  it('colour (bold headers) only when asked', () => {
    const rows = [{ topic: 'state.clients', physical: 'p.state.clients', partitions: 3, records: 10, cleanupPolicy: 'compact', retention: 'compacted' }];
    expect(renderTopicsTable(rows, { color: true })).toContain('\x1b[1m');
    expect(renderTopicsTable(rows)).not.toContain('\x1b[');
  });

  it('topics: a missing topic is shown, not left out', () => {
    const text = renderTopicsTable([{ topic: 'deliveries.bulk', physical: 'p.deliveries.bulk', partitions: null, records: null, cleanupPolicy: 'delete', retention: '7d' }]);
    expect(text).toContain('p.deliveries.bulk (missing)');
  });

  it('dead letters: the reason cut to fit, times without milliseconds', () => {
    const text = renderDeadLetterTable([{
      id: '0-17', originalTopic: 'events.mailing-started', reasonCode: 'NOT_FOUND', reason: `mailing x${'y'.repeat(100)}`,
      failedAt: '2026-12-03T16:34:21.537Z', replayed: false,
    }]);
    expect(text).toContain('2026-12-03 16:34:21Z');
    expect(text).toContain('…');
    expect(text).toMatch(/│ no +│/);
    expect(renderDeadLetterTable([])).toBe('no dead letters');
  });

  it.each([[undefined, 'forever'], [-1, 'forever'], [7 * 86_400_000, '7d'], [12 * 3_600_000, '12h']])('retention %s → %s', (ms, text) => {
    expect(formatRetention(ms)).toBe(text);
  });

  it('truncates on one line', () => {
    expect(truncate('a\nb  c', 10)).toBe('a b c');
    expect(truncate('abcdef', 4)).toBe('abc…');
  });
});
