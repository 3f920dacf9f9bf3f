import { aRun } from '../../tests/doubles/memory-history';
import { deliveriesSettled, nextRunStep } from './notification-lifecycle';

const counts = (byStatus: Record<string, number>) => ({ total: Object.values(byStatus).reduce((a, b) => a + b, 0), byStatus });

describe('deliveriesSettled', () => {
  it.each([
    ['every delivery final', { sent: 2, suppressed: 1 }, 3, true],
    ['one still queued', { sent: 2, queued: 1 }, 3, false],
    ['one retrying', { sent: 2, retrying: 1 }, 3, false],
    ['statuses not all in ClickHouse yet', { sent: 2 }, 3, false],
    ['a fallback whose email is not in yet', { sent: 1, fallback: 1 }, 2, false],
    ['a fallback and its email sent', { sent: 2, fallback: 1 }, 2, true],
    ['a fallback whose email failed', { sent: 1, failed: 1, fallback: 1 }, 2, true],
    ['nothing to send', {}, 0, true],
  ])('%s', (_name, byStatus, fanoutTotal, expected) => {
    expect(deliveriesSettled(counts(byStatus), fanoutTotal)).toBe(expected);
  });
});

describe('nextRunStep', () => {
  const now = 100_000;
  const settled = counts({ sent: 2 });
  const pending = counts({ sent: 1, queued: 1 });
  const oneOff = aRun({ id: 'r', status: 'running', fanoutDone: true, total: 2, createdAt: now - 5_000 });

  it.each([
    ['a missing record is forgotten', null, {}, 'forget'],
    ['a finished run is forgotten', { ...oneOff, status: 'finished' }, {}, 'forget'],
    ['a cancelled run is forgotten', { ...oneOff, status: 'cancelled' }, {}, 'forget'],
    ['a running fan-out waits', { ...oneOff, fanoutDone: false }, { counts: settled }, null],
    ['running with deliveries pending waits', oneOff, { counts: pending }, null],
    ['running with every delivery final finishes', oneOff, { counts: settled }, 'finished'],
    ['scheduled waits for its notBefore', { ...oneOff, status: 'scheduled', notBefore: now + 1 }, { counts: settled }, null],
    ['scheduled whose time came starts', { ...oneOff, status: 'scheduled', notBefore: now }, { counts: pending }, 'running'],
    ['scheduled whose time came and which is settled finishes', { ...oneOff, status: 'scheduled', notBefore: now - 1 }, { counts: settled }, 'finished'],
  ] as const)('%s', (_name, run, extra, expected) => {
    expect(nextRunStep({ run, now, ...extra })).toBe(expected);
  });

  describe('a recurring request', () => {
    const parent = aRun({ id: 'p', status: 'running', recurrence: { cron: '* * * * *', timezone: 'UTC' }, createdAt: now - 60_000 });
    const state = { scheduled: false, activeOccurrences: 0, lastFireAt: now - 30_000 };

    it.each([
      ['still scheduled', { ...state, scheduled: true }, null],
      ['an occurrence still running', { ...state, activeOccurrences: 1 }, null],
      ['its last firing too recent (an occurrence may be on its way)', { ...state, lastFireAt: now - 1_000 }, null],
      ['schedule over, occurrences done, quiet for the grace', state, 'finished'],
    ] as const)('%s', (_name, recurring, expected) => {
      expect(nextRunStep({ run: parent, now, recurring, graceMs: 10_000 })).toBe(expected);
    });

    it('an occurrence is a one-off run of its own', () => {
      const occurrence = { ...oneOff, recurrence: null, parentId: 'p' };
      expect(nextRunStep({ run: occurrence, now, counts: settled })).toBe('finished');
    });
  });
});
