import { overviewWindow, overviewWindowOf, sendRate } from './overview-window';
import { spread } from '../analytics/overview-queries';

const T = Date.UTC(2030, 0, 1, 12, 30, 0);

describe('overview window', () => {
  it('ends with the minute of now, whole minutes back', () => {
    expect(overviewWindow('hour', T + 42_123)).toEqual({ fromMs: T - 59 * 60_000, minutes: 60 });
    expect(overviewWindow('day', T)).toEqual({ fromMs: T - 1439 * 60_000, minutes: 1440 });
  });

  it('takes from–to as a custom window, else the range (hour by default) ending now', () => {
    expect(overviewWindowOf({ from: '2030-01-01T00:00:00Z', to: '2030-01-01T02:00:00Z' }, T)).toEqual({
      range: 'custom', window: { fromMs: Date.UTC(2030, 0, 1), minutes: 120 },
    });
    expect(overviewWindowOf({}, T)).toEqual({ range: 'hour', window: overviewWindow('hour', T) });
    expect(overviewWindowOf({ range: 'day' }, T)).toEqual({ range: 'day', window: overviewWindow('day', T) });
  });

  it('the send rate is the mean of the last five minutes', () => {
    expect(sendRate([100, 1, 2, 3, 4, 5])).toBe(3);
    expect(sendRate([5])).toBe(1);
  });
});

describe('spread (rows per minute into zero-filled series)', () => {
  const window = { fromMs: T, minutes: 3 };
  const minute = (i: number) => String(T / 60_000 + i); // UInt64 arrives as a string

  it('puts each row in its minute and key, zeros elsewhere, and ignores keys and minutes outside', () => {
    const rows = [
      { minute: minute(0), status: 'sent', n: '2' }, { minute: minute(2), status: 'sent', n: 5 },
      { minute: minute(1), status: 'failed', n: '1' }, { minute: minute(3), status: 'sent', n: '9' },
      { minute: minute(-1), status: 'sent', n: '9' }, { minute: minute(1), status: 'delivered', n: '9' },
    ];
    expect(spread(['sent', 'failed', 'queued'], rows, (r) => r.status, window)).toEqual({
      sent: [2, 0, 5], failed: [0, 1, 0], queued: [0, 0, 0],
    });
  });
});
