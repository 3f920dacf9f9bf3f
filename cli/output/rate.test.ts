import { createRateMeter, etaMs, formatCount, formatDuration, formatRate } from './rate';

describe('rate meter', () => {
  it('has no rate until two samples span some time', () => {
    const meter = createRateMeter();
    expect(meter.perSecond()).toBeNull();
    meter.add(1000, 5);
    expect(meter.perSecond()).toBeNull();
    meter.add(1000, 9);
    expect(meter.perSecond()).toBeNull();
  });

  it.each([
    ['steady', [[0, 0], [1000, 100], [2000, 200]], 100],
    ['over the window only: a slow start is forgotten', [[0, 0], [10_000, 10], [20_000, 1010], [25_000, 1510]], 100],
    ['a stop shows as a falling rate', [[0, 0], [5000, 500], [10_000, 500]], 50],
    ['never negative (a count that went back)', [[0, 10], [1000, 5]], 0],
  ] as const)('%s', (_name, samples, expected) => {
    const meter = createRateMeter(10_000);
    for (const [at, value] of samples) meter.add(at, value);
    expect(meter.perSecond()).toBeCloseTo(expected, 5);
  });
});

describe('eta', () => {
  it.each([
    [100, 50, 2000],
    [0, null, 0],
    [-3, 10, 0],
    [10, null, null],
    [10, 0, null],
  ])('%d left at %s/s → %s ms', (remaining, rate, expected) => {
    expect(etaMs(remaining, rate)).toBe(expected);
  });
});

describe('formatting', () => {
  it.each([
    [null, '--'], [Infinity, '--'], [0, '0s'], [400, '0s'], [42_000, '42s'], [59_600, '1m00s'], [185_000, '3m05s'], [7_620_000, '2h07m'],
  ])('duration %s → %s', (ms, text) => expect(formatDuration(ms)).toBe(text));

  it.each([[null, '--/s'], [0, '0.0/s'], [4.56, '4.6/s'], [12.4, '12/s'], [123_456.7, '123,457/s']])('rate %s → %s', (rate, text) => {
    expect(formatRate(rate)).toBe(text);
  });

  it.each([[0, '0'], [999, '999'], [1000, '1,000'], [1_234_567, '1,234,567']])('count %d → %s', (n, text) => expect(formatCount(n)).toBe(text));
});
