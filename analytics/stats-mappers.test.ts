import { VestnikError } from '../platform/errors';
import {
  decodeCursor, emptyCounts, encodeCursor, groupStatusCounts, toDayCounts, toSourceMessage, toStatusCounts,
} from './stats-mappers';

describe('toStatusCounts', () => {
  it('fills every known status and totals the counts (UInt64 arrive as strings)', () => {
    const counts = toStatusCounts([{ status: 'sent', n: '3' }, { status: 'failed', n: 2 }]);
    expect(counts.total).toBe(5);
    expect(counts.byStatus).toEqual({ ...emptyCounts().byStatus, sent: 3, failed: 2 });
  });

  it('leaves out a status this version does not know, so total stays the sum of byStatus', () => {
    const counts = toStatusCounts([{ status: 'sent', n: '1' }, { status: 'teleported', n: '4' }]);
    expect(counts.total).toBe(1);
    expect(Object.keys(counts.byStatus)).not.toContain('teleported');
  });

  it('refuses a count that is not a non-negative safe integer', () => {
    expect(() => toStatusCounts([{ status: 'sent', n: 'x' }])).toThrow(RangeError);
    expect(() => toStatusCounts([{ status: 'sent', n: '18446744073709551615' }])).toThrow(RangeError);
  });
});

describe('groupStatusCounts', () => {
  const rows = [
    { sourceId: 'm1', status: 'sent', n: '2' },
    { sourceId: 'm2', status: 'queued', n: '1' },
    { sourceId: 'm1', status: 'delivered', n: '5' },
  ];

  it('groups by the key', () => {
    const grouped = groupStatusCounts(rows, 'sourceId');
    expect([...grouped.keys()]).toEqual(['m1', 'm2']);
    expect(grouped.get('m1')).toMatchObject({ total: 7, byStatus: { sent: 2, delivered: 5, queued: 0 } });
    expect(grouped.get('m2')?.total).toBe(1);
  });

  it('lists requested keys that have no rows with zero counts', () => {
    const grouped = groupStatusCounts(rows, 'sourceId', ['m3', 'm1']);
    expect(grouped.get('m3')).toEqual(emptyCounts());
    expect(grouped.get('m1')?.total).toBe(7);
  });
});

describe('toDayCounts', () => {
  it('makes one entry per day, in row order', () => {
    const days = toDayCounts([
      { day: '2024-03-01', status: 'sent', n: '2' },
      { day: '2024-03-01', status: 'failed', n: '1' },
      { day: '2024-03-02', status: 'sent', n: '4' },
    ]);
    expect(days.map((d) => [d.day, d.total, d.byStatus.sent])).toEqual([['2024-03-01', 3, 2], ['2024-03-02', 4, 4]]);
  });
});

describe('toSourceMessage', () => {
  const row = {
    deliveryId: 'd1', deliveryClientId: 'c1', deliveryChannel: 'sms', currentStatus: 'failed',
    attempts: 3, lastError: 'provider 500', firstAt: '1709287200000', lastAt: '1709287260000',
  };

  it('maps aliases to the API shape with numeric times', () => {
    expect(toSourceMessage(row)).toEqual({
      deliveryId: 'd1', clientId: 'c1', channel: 'sms', status: 'failed', attempts: 3,
      lastError: 'provider 500', firstAt: 1709287200000, lastAt: 1709287260000,
    });
  });

  it("turns the stored '' (no error) into null", () => {
    expect(toSourceMessage({ ...row, lastError: '' }).lastError).toBeNull();
  });
});

describe('page cursor', () => {
  it.each(['d-1', 'доставка/42', 'a+b=c', "'; DROP"])('round-trips %j', (id) => {
    const cursor = encodeCursor(id);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toBe(id);
  });

  it.each(['', 'not base64!', 'YQ==', 'YR'])('refuses %j with VALIDATION_FAILED', (cursor) => {
    const error = thrown(() => decodeCursor(cursor));
    expect(error).toBeInstanceOf(VestnikError);
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}
