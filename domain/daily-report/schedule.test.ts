import fc from 'fast-check';
import { dueReport, reportDayOf, reportTimeOf } from './schedule';

const at = (iso: string) => Date.parse(iso);
const HOUR = 3_600_000;

describe('reportDayOf: the instants of a local day', () => {
  it.each([
    ['UTC', '2026-12-03', '2026-12-03T00:00:00Z', '2026-12-04T00:00:00Z', 24],
    ['Europe/Moscow', '2026-12-03', '2026-12-02T21:00:00Z', '2026-12-03T21:00:00Z', 24],
    ['America/New_York', '2026-12-31', '2026-12-31T05:00:00Z', '2027-01-01T05:00:00Z', 24],
    // Spring forward (02:00 → 03:00) and fall back (03:00 → 02:00) in Berlin.
    ['Europe/Berlin', '2026-03-29', '2026-03-28T23:00:00Z', '2026-03-29T22:00:00Z', 23],
    ['Europe/Berlin', '2026-10-25', '2026-10-24T22:00:00Z', '2026-10-25T23:00:00Z', 25],
    // Santiago's clock jumps at midnight: the day of the change starts at 01:00 and has 23 hours.
    ['America/Santiago', '2026-09-05', '2026-09-05T04:00:00Z', '2026-09-06T04:00:00Z', 24],
    ['America/Santiago', '2026-09-06', '2026-09-06T04:00:00Z', '2026-09-07T03:00:00Z', 23],
    ['Asia/Kathmandu', '2026-06-01', '2026-05-31T18:15:00Z', '2026-06-01T18:15:00Z', 24],
  ])('%s %s is [%s, %s), %i hours', (timezone, day, from, to, hours) => {
    const range = reportDayOf(day, timezone);
    expect(range).toEqual({ day, fromMs: at(from), toMs: at(to) });
    expect((range.toMs - range.fromMs) / HOUR).toBe(hours);
  });

  it.each([['2026-02-30'], ['2026-13-01'], ['03.12.2026'], ['']])('refuses the date %j', (day) => {
    expect(() => reportDayOf(day, 'UTC')).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });

  it('refuses an unknown zone', () => {
    expect(() => reportDayOf('2026-12-03', 'Mars/Olympus')).toThrow(/unknown IANA time zone/);
  });
});

describe('reportTimeOf: when a day\'s report is due', () => {
  it.each([
    ['07:00 UTC', { at: '07:00', timezone: 'UTC' }, '2026-12-03', '2026-12-04T07:00:00Z'],
    ['07:00 in Moscow', { at: '07:00', timezone: 'Europe/Moscow' }, '2026-12-03', '2026-12-04T04:00:00Z'],
    ['00:00', { at: '00:00', timezone: 'UTC' }, '2026-12-31', '2027-01-01T00:00:00Z'],
    // 02:30 does not exist on 29 March in Berlin: due when the clock jumps past it (03:30 CEST).
    ['02:30 on a spring-forward morning', { at: '02:30', timezone: 'Europe/Berlin' }, '2026-03-28', '2026-03-29T01:30:00Z'],
    // 02:30 happens twice on 25 October: one instant of the two (luxon's: the second, CET).
    ['02:30 on a fall-back morning', { at: '02:30', timezone: 'Europe/Berlin' }, '2026-10-24', '2026-10-25T01:30:00Z'],
    ['07:00 after a 25-hour day', { at: '07:00', timezone: 'Europe/Berlin' }, '2026-10-25', '2026-10-26T06:00:00Z'],
    // Midnight does not exist on 6 September in Santiago: a 00:15 report comes at 01:15.
    ['00:15 where midnight is skipped', { at: '00:15', timezone: 'America/Santiago' }, '2026-09-05', '2026-09-06T04:15:00Z'],
  ])('%s', (_, schedule, day, expected) => {
    expect(reportTimeOf(day, schedule)).toBe(at(expected));
  });
});

describe('dueReport: which day\'s report is due now', () => {
  const utc7 = { at: '07:00', timezone: 'UTC' };
  const berlin = { at: '02:30', timezone: 'Europe/Berlin' };

  it.each([
    ['just before 07:00: the day before yesterday\'s', utc7, '2026-12-04T06:59:59.999Z', '2026-12-02'],
    ['at 07:00: yesterday\'s', utc7, '2026-12-04T07:00:00Z', '2026-12-03'],
    ['late in the evening: still yesterday\'s', utc7, '2026-12-04T23:59:59Z', '2026-12-03'],
    ['after midnight, before 07:00', utc7, '2026-12-05T03:00:00Z', '2026-12-03'],
    ['over the new year', utc7, '2027-01-01T08:00:00Z', '2026-12-31'],
    ['in Moscow, 07:00 local is 04:00Z', { at: '07:00', timezone: 'Europe/Moscow' }, '2026-12-04T04:00:00Z', '2026-12-03'],
    ['in Moscow, a minute before', { at: '07:00', timezone: 'Europe/Moscow' }, '2026-12-04T03:59:00Z', '2026-12-02'],
    ['spring forward: before the jump', berlin, '2026-03-29T00:59:59Z', '2026-03-27'],
    ['spring forward: the jump passes 02:30', berlin, '2026-03-29T01:30:00Z', '2026-03-28'],
    ['fall back: the first 02:30 (CEST) is not yet it', berlin, '2026-10-25T00:30:00Z', '2026-10-23'],
    ['fall back: the second 02:30 (CET)', berlin, '2026-10-25T01:30:00Z', '2026-10-24'],
  ])('%s', (_, schedule, now, day) => {
    const due = dueReport(at(now), schedule);
    expect(due.day).toBe(day);
    expect(due).toEqual({ ...reportDayOf(day, schedule.timezone), dueAt: reportTimeOf(day, schedule) });
  });

  it('gives a 25-hour range for the fall-back day', () => {
    const due = dueReport(at('2026-10-26T06:00:00Z'), { at: '07:00', timezone: 'Europe/Berlin' });
    expect(due.day).toBe('2026-10-25');
    expect((due.toMs - due.fromMs) / HOUR).toBe(25);
  });

  it('at every instant: the due day ended, its time has passed, the next day\'s has not', () => {
    const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'America/Santiago', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Pacific/Apia'];
    const dayAfter = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 24 * HOUR).toISOString().slice(0, 10);
    fc.assert(fc.property(
      fc.integer({ min: at('2024-01-01T00:00:00Z'), max: at('2030-12-31T00:00:00Z') }),
      fc.constantFrom(...zones),
      fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }),
      (now, timezone, hour, minute) => {
        const schedule = { at: `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`, timezone };
        const due = dueReport(now, schedule);
        const next = dayAfter(due.day);
        expect(due.fromMs).toBeLessThan(due.toMs);
        expect(due.toMs).toBeLessThanOrEqual(due.dueAt);
        expect(due.dueAt).toBeLessThanOrEqual(now);
        expect(reportTimeOf(next, schedule)).toBeGreaterThan(now);
        // Consecutive days tile time: no instant is in two reports or in none.
        expect(reportDayOf(next, timezone).fromMs).toBe(due.toMs);
        expect(due.toMs - due.fromMs).toBeGreaterThanOrEqual(23 * HOUR);
        expect(due.toMs - due.fromMs).toBeLessThanOrEqual(25 * HOUR);
      },
    ), { numRuns: 500 });
  });
});
