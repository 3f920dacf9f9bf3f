import fc from 'fast-check';
import type { TimeWindow } from '../schemas/types';
import { VestnikError } from './errors';
import { decideSendTime, isWithinWindow, nextWindowOpening, parseClockTime } from './time-window';

// Instants are written as ISO strings with their explicit offset, so the expectations do not lean on
// the library under test to compute them.
const at = (iso: string): number => {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad test instant ${iso}`);
  return ms;
};
const w = (from: string, to: string): TimeWindow => ({ from, to });

describe('parseClockTime', () => {
  it.each([
    ['00:00', 0],
    ['09:30', 9.5 * 3_600_000],
    ['23:59', (23 * 60 + 59) * 60_000],
  ])('%s → %d ms', (text, ms) => expect(parseClockTime(text)).toBe(ms));

  it.each(['9:00', '24:00', '12:60', '', '12:00:00', 'noon'])('rejects %j', (text) => {
    expect(() => parseClockTime(text)).toThrow(VestnikError);
  });
});

describe('isWithinWindow', () => {
  it.each([
    ['Moscow, just before opening', '2024-06-01T08:59:59+03:00', w('09:00', '21:00'), 'Europe/Moscow', false],
    ['Moscow, at opening', '2024-06-01T09:00:00+03:00', w('09:00', '21:00'), 'Europe/Moscow', true],
    ['Moscow, last second', '2024-06-01T20:59:59+03:00', w('09:00', '21:00'), 'Europe/Moscow', true],
    ['Moscow, at closing (end excluded)', '2024-06-01T21:00:00+03:00', w('09:00', '21:00'), 'Europe/Moscow', false],
    ['Kolkata +05:30 at opening', '2024-01-15T03:30:00Z', w('09:00', '21:00'), 'Asia/Kolkata', true],
    ['Kolkata +05:30 a second early', '2024-01-15T03:29:59Z', w('09:00', '21:00'), 'Asia/Kolkata', false],
    ['wrapping window, late evening', '2024-06-01T23:00:00+03:00', w('22:00', '06:00'), 'Europe/Moscow', true],
    ['wrapping window, early morning', '2024-06-01T05:59:00+03:00', w('22:00', '06:00'), 'Europe/Moscow', true],
    ['wrapping window, at its end', '2024-06-01T06:00:00+03:00', w('22:00', '06:00'), 'Europe/Moscow', false],
    ['wrapping window, midday', '2024-06-01T12:00:00+03:00', w('22:00', '06:00'), 'Europe/Moscow', false],
    ['equal bounds mean the whole day', '2024-06-01T03:17:00+03:00', w('10:00', '10:00'), 'Europe/Moscow', true],
    ['New York, before the spring jump', '2024-03-10T01:59:59-05:00', w('02:30', '06:00'), 'America/New_York', false],
    ['New York, right after the spring jump', '2024-03-10T03:00:00-04:00', w('02:30', '06:00'), 'America/New_York', true],
    ['New York, first 01:30 of the fall day', '2024-11-03T01:30:00-04:00', w('01:30', '05:00'), 'America/New_York', true],
    ['New York, repeated 01:10 after fall back', '2024-11-03T01:10:00-05:00', w('01:30', '05:00'), 'America/New_York', false],
  ])('%s', (_name, iso, window, zone, expected) => {
    expect(isWithinWindow(at(iso), window, zone)).toBe(expected);
  });

  it('rejects an unknown zone with a validation error', () => {
    expect(() => isWithinWindow(0, w('09:00', '21:00'), 'Mars/Olympus')).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED', retriable: false }),
    );
  });
});

describe('nextWindowOpening', () => {
  it.each([
    ['already open → now', '2024-06-01T12:34:56.789+03:00', w('09:00', '21:00'), 'Europe/Moscow', '2024-06-01T12:34:56.789+03:00'],
    ['Moscow morning → same day', '2024-06-01T07:00:30+03:00', w('09:00', '21:00'), 'Europe/Moscow', '2024-06-01T09:00:00+03:00'],
    ['Moscow evening → next day', '2024-06-01T22:15:00+03:00', w('09:00', '21:00'), 'Europe/Moscow', '2024-06-02T09:00:00+03:00'],
    ['Kolkata half-hour offset', '2024-01-15T02:00:00Z', w('09:00', '21:00'), 'Asia/Kolkata', '2024-01-15T09:00:00+05:30'],
    ['wrapping window at midday → tonight', '2024-06-01T12:00:00+03:00', w('22:00', '06:00'), 'Europe/Moscow', '2024-06-01T22:00:00+03:00'],
    ['New York across spring forward', '2024-03-09T22:00:00-05:00', w('09:00', '21:00'), 'America/New_York', '2024-03-10T09:00:00-04:00'],
    ['New York across fall back', '2024-11-02T22:00:00-04:00', w('09:00', '21:00'), 'America/New_York', '2024-11-03T09:00:00-05:00'],
    ['opening inside the spring gap → the jump', '2024-03-10T01:00:00-05:00', w('02:30', '06:00'), 'America/New_York', '2024-03-10T03:00:00-04:00'],
    ['repeated hour after fall back', '2024-11-03T01:10:00-05:00', w('01:30', '05:00'), 'America/New_York', '2024-11-03T01:30:00-05:00'],
    ['fall back lands inside a wrapping window', '2024-11-03T01:45:00-04:00', w('22:00', '01:30'), 'America/New_York', '2024-11-03T01:00:00-05:00'],
    ['London spring forward', '2024-03-30T23:00:00Z', w('08:00', '20:00'), 'Europe/London', '2024-03-31T08:00:00+01:00'],
  ])('%s', (_name, nowIso, window, zone, expectedIso) => {
    expect(new Date(nextWindowOpening(at(nowIso), window, zone)).toISOString()).toBe(new Date(at(expectedIso)).toISOString());
  });
});

describe('nextWindowOpening agrees with isWithinWindow (property)', () => {
  const zones = ['Europe/Moscow', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'America/Santiago', 'Pacific/Chatham'];
  const clock = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 15, 30, 45)).map(
    ([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`,
  );
  // Half the instants fall within a day and a half of a 2024 DST change of one of these zones, where
  // the arithmetic is hardest; minute-step scans make any earlier opening visible.
  const changes = ['2024-03-10T07:00Z', '2024-11-03T06:00Z', '2024-04-06T15:00Z', '2024-10-05T15:30Z', '2024-04-07T03:00Z',
    '2024-09-08T04:00Z', '2024-04-06T14:00Z', '2024-09-28T14:00Z'].map(at);
  const nearChange = fc.tuple(fc.constantFrom(...changes), fc.integer({ min: -36 * 3_600_000, max: 36 * 3_600_000 }))
    .map(([change, shift]) => change + shift);
  const instant = fc.oneof(fc.integer({ min: at('2024-01-01T00:00:00Z'), max: at('2024-12-31T00:00:00Z') }), nearChange);
  it('returns an open instant with no open minute before it', () => {
    fc.assert(
      fc.property(instant, fc.constantFrom(...zones), clock, clock,
        (now, zone, from, to) => {
          const window = w(from, to);
          const opening = nextWindowOpening(now, window, zone);
          expect(opening).toBeGreaterThanOrEqual(now);
          expect(isWithinWindow(opening, window, zone)).toBe(true);
          if (opening > now) expect(isWithinWindow(opening - 1, window, zone)).toBe(false);
          for (let t = now; t < opening; t += 60_000) expect(isWithinWindow(t, window, zone)).toBe(false);
        }),
      { numRuns: 80, seed: 20240310 },
    );
  });
});

describe('decideSendTime', () => {
  const base = { notBefore: null, expiresAt: null, sendWindow: null, timezone: 'Europe/Moscow' };
  const now = at('2024-06-01T22:00:00+03:00');
  it.each([
    ['no constraints → now', {}, { kind: 'now' }],
    ['expiry already reached → expire', { expiresAt: now }, { kind: 'expire' }],
    ['expiry in the past → expire', { expiresAt: now - 1 }, { kind: 'expire' }],
    ['notBefore ahead → defer to it', { notBefore: now + 60_000 }, { kind: 'defer', until: now + 60_000 }],
    ['notBefore passed → now', { notBefore: now - 60_000 }, { kind: 'now' }],
    ['outside window → defer to the opening', { sendWindow: w('09:00', '21:00') }, { kind: 'defer', until: at('2024-06-02T09:00:00+03:00') }],
    ['inside a wrapping window → now', { sendWindow: w('21:30', '08:00') }, { kind: 'now' }],
    ['opening before expiry → defer', { sendWindow: w('09:00', '21:00'), expiresAt: at('2024-06-02T09:00:01+03:00') }, { kind: 'defer', until: at('2024-06-02T09:00:00+03:00') }],
    ['opening exactly at expiry → expire', { sendWindow: w('09:00', '21:00'), expiresAt: at('2024-06-02T09:00:00+03:00') }, { kind: 'expire' }],
    ['opening after expiry → expire', { sendWindow: w('09:00', '21:00'), expiresAt: at('2024-06-02T08:00:00+03:00') }, { kind: 'expire' }],
    ['notBefore at night → next opening after it', { notBefore: at('2024-06-02T23:00:00+03:00'), sendWindow: w('09:00', '21:00') }, { kind: 'defer', until: at('2024-06-03T09:00:00+03:00') }],
    ['recipient zone decides (Kolkata is 01:30)', { sendWindow: w('09:00', '21:00'), timezone: 'Asia/Kolkata' }, { kind: 'defer', until: at('2024-06-02T09:00:00+05:30') }],
    ['quiet hours → defer to their end', { quietHours: w('21:00', '08:00') }, { kind: 'defer', until: at('2024-06-02T08:00:00+03:00') }],
    ['quiet hours with equal bounds are none', { quietHours: w('08:00', '08:00') }, { kind: 'now' }],
    ['window and quiet hours overlap → first instant allowed by both', { sendWindow: w('09:00', '21:00'), quietHours: w('20:00', '10:00') }, { kind: 'defer', until: at('2024-06-02T10:00:00+03:00') }],
  ])('%s', (_name, overrides, expected) => {
    expect(decideSendTime({ ...base, now, ...overrides })).toEqual(expected);
  });
});
