import { aRun } from '../../tests/doubles/memory-history';
import { countsOfNearlySettled, deliveriesSettled, nextRunStep, type NotificationCounts } from './notification-lifecycle';

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

describe('countsOfNearlySettled', () => {
  /** A port with final rows (replays included) and current counts per run; records what was asked. */
  function port(rows: Record<string, number>) {
    const asked: { rows: string[][]; counts: string[][] } = { rows: [], counts: [] };
    const stats: NotificationCounts = {
      finalRowsBySource: async (_type, ids) => {
        asked.rows.push(ids);
        return new Map(ids.map((id) => [id, rows[id] ?? 0]));
      },
      countsBySource: async (_type, ids) => {
        asked.counts.push(ids);
        return new Map(ids.map((id) => [id, counts({ sent: rows[id] ?? 0 })]));
      },
    };
    return { stats, asked };
  }
  const run = (id: string, total: number) => aRun({ id, status: 'running', fanoutDone: true, total });

  it('counts only the runs whose final rows reach their total, an empty one included', async () => {
    const { stats, asked } = port({ far: 1, replayed: 3, done: 2 });
    const got = await countsOfNearlySettled(stats, [run('far', 3), run('replayed', 3), run('done', 2), run('empty', 0)]);
    expect(asked).toEqual({ rows: [['far', 'replayed', 'done', 'empty']], counts: [['replayed', 'done', 'empty']] });
    expect([...got.keys()]).toEqual(['replayed', 'done', 'empty']);
  });

  it('asks nothing for no runs, and no counts when none is near its total', async () => {
    const none = port({});
    expect(await countsOfNearlySettled(none.stats, [])).toEqual(new Map());
    expect(none.asked).toEqual({ rows: [], counts: [] });
    const early = port({ a: 1 });
    expect(await countsOfNearlySettled(early.stats, [run('a', 2)])).toEqual(new Map());
    expect(early.asked.counts).toEqual([]);
  });
});
