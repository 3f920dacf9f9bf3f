import { nextFireTime, occurrenceOf } from './recurrence';
import type { NotificationRequested } from '../schemas/types';

const at = (iso: string) => Date.parse(iso);

describe('nextFireTime', () => {
  it.each([
    ['every minute', '* * * * *', 'UTC', '2026-11-23T10:00:30Z', '2026-11-23T10:01:00.000Z'],
    ['Mondays 09:00 in Moscow (UTC+3)', '0 9 * * 1', 'Europe/Moscow', '2026-11-23T10:00:00Z', '2026-11-30T06:00:00.000Z'],
    ['daily 09:00 in New York after the DST end', '0 9 * * *', 'America/New_York', '2026-11-01T12:00:00Z', '2026-11-01T14:00:00.000Z'],
    ['with seconds: every 2 s', '*/2 * * * * *', 'UTC', '2026-11-23T10:00:01Z', '2026-11-23T10:00:02.000Z'],
  ])('%s', (_name, cron, timezone, after, expected) => {
    expect(new Date(nextFireTime({ cron, timezone }, at(after), null) as number).toISOString()).toBe(expected);
  });

  it('stops at expiresAt', () => {
    expect(nextFireTime({ cron: '0 9 * * *', timezone: 'UTC' }, at('2026-11-23T10:00:00Z'), at('2026-11-24T09:00:00Z'))).toBeNull();
  });

  it('rejects a malformed expression as invalid input', () => {
    expect(() => nextFireTime({ cron: 'every day', timezone: 'UTC' }, 0, null)).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });
});

describe('occurrenceOf', () => {
  it('is a one-off request with an id of its own', () => {
    const request = { requestId: 'r1', recurrence: { cron: '* * * * *', timezone: 'UTC' }, notBefore: 5 } as NotificationRequested;
    expect(occurrenceOf(request, 60_000)).toMatchObject({ requestId: 'r1@60000', recurrence: null, notBefore: null, occurredAt: 60_000 });
  });
});
