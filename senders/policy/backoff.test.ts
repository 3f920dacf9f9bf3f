import fc from 'fast-check';
import { nextRetryDelay, retryDelayCap } from './backoff';

const options = { baseMs: 1000, maxMs: 60_000 };

describe('retryDelayCap', () => {
  it.each([
    [1, 1000],
    [2, 2000],
    [3, 4000],
    [6, 32_000],
    [7, 60_000],
    [1000, 60_000],
    [0, 1000],
    [-3, 1000],
  ])('attempt %d → %d ms', (attempt, cap) => expect(retryDelayCap(attempt, options)).toBe(cap));

  it('never decreases and never exceeds maxMs', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 0, max: 1_000_000 }),
        (attempt, baseMs, extra) => {
          const bounds = { baseMs, maxMs: baseMs + extra };
          const cap = retryDelayCap(attempt, bounds);
          expect(cap).toBeLessThanOrEqual(bounds.maxMs);
          expect(retryDelayCap(attempt + 1, bounds)).toBeGreaterThanOrEqual(cap);
        }),
    );
  });

  it.each([
    [{ baseMs: 0, maxMs: 10 }],
    [{ baseMs: 100, maxMs: 10 }],
    [{ baseMs: Number.NaN, maxMs: 10 }],
  ])('rejects %j', (bad) => expect(() => retryDelayCap(1, bad)).toThrow(RangeError));
});

describe('nextRetryDelay', () => {
  it('is the injected draw scaled to the cap (full jitter)', () => {
    expect(nextRetryDelay(3, { ...options, random: () => 0 })).toBe(0);
    expect(nextRetryDelay(3, { ...options, random: () => 0.5 })).toBe(2000);
    expect(nextRetryDelay(3, { ...options, random: () => 0.999999 })).toBe(3999);
    expect(nextRetryDelay(50, { ...options, random: () => 0.25 })).toBe(15_000);
  });

  it('stays a whole number in [0, cap) for any draw', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, draw) => {
        const delay = nextRetryDelay(attempt, { ...options, random: () => draw });
        expect(Number.isInteger(delay)).toBe(true);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(retryDelayCap(attempt, options));
      }),
    );
  });

  it.each([1, -0.1, Number.NaN])('rejects a random() returning %d', (draw) => {
    expect(() => nextRetryDelay(1, { ...options, random: () => draw })).toThrow(RangeError);
  });
});
