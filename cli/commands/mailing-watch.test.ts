import type { ProgressState, ProgressView } from '../output/progress';
import { createMailingProgressReader, progressStateOf, watchMailing, type MailingProgress } from './mailing-watch';

const mailing = (status: string) => ({ id: 'm1', status, startAt: 0 }) as never;

describe('mailing progress reader', () => {
  it('counts final statuses out of every delivery queued', async () => {
    const reader = createMailingProgressReader({
      mailings: { get: async (id) => (id === 'm1' ? mailing('running') : null) },
      stats: { countsBySource: async () => new Map([['m1', { total: 10, byStatus: { queued: 2, retrying: 1, sent: 5, failed: 1, suppressed: 1 } }]]) },
    });
    expect(await reader.read('m1')).toEqual({
      id: 'm1', status: 'running', startAt: 0, total: 10, final: 7, byStatus: { queued: 2, retrying: 1, sent: 5, failed: 1, suppressed: 1 },
    });
    expect(await reader.read('nope')).toBeNull();
  });

  it('the note: status, a future start, non-zero counts', () => {
    const progress: MailingProgress = { id: 'm1', status: 'scheduled', startAt: Date.UTC(2026, 0, 1), total: 0, final: 0, byStatus: { sent: 0 } };
    expect(progressStateOf(progress, 0).detail).toBe('scheduled (starts 2026-01-01T00:00:00.000Z)');
    expect(progressStateOf({ ...progress, status: 'running', total: 3, final: 2, byStatus: { sent: 2, queued: 1 } }, 0))
      .toMatchObject({ value: 2, total: 3, detail: 'running sent=2 queued=1' });
  });
});

describe('watchMailing', () => {
  function recordingView() {
    const updates: ProgressState[] = [];
    const stops: (ProgressState | undefined)[] = [];
    const view: ProgressView = { update: (s) => void updates.push(s), stop: (s) => void stops.push(s) };
    return { view, updates, stops };
  }
  const sequence = (states: Partial<MailingProgress>[]) => {
    let i = 0;
    return { read: async () => ({ id: 'm1', status: 'running', startAt: 0, total: 0, final: 0, byStatus: {}, ...states[Math.min(i++, states.length - 1)] }) as MailingProgress };
  };

  it('draws every poll and stops with the last state when the mailing is finished', async () => {
    const { view, updates, stops } = recordingView();
    const sleeps: number[] = [];
    const outcome = await watchMailing({
      id: 'm1', view, intervalMs: 250, timeoutMs: null, sleep: async (ms) => void sleeps.push(ms),
      reader: sequence([{ status: 'scheduled' }, { total: 4, final: 1 }, { total: 4, final: 3 }, { status: 'finished', total: 4, final: 4 }]),
    });
    expect(outcome.end).toBe('finished');
    expect(updates.map((u) => u.value)).toEqual([0, 1, 3]);
    expect(stops).toHaveLength(1);
    expect(stops[0]).toMatchObject({ value: 4, total: 4 });
    expect(sleeps).toEqual([250, 250, 250]);
  });

  it('ends on a cancellation, a timeout or an abort', async () => {
    expect((await watchMailing({ id: 'm1', view: recordingView().view, intervalMs: 1, timeoutMs: null, sleep: async () => undefined, reader: sequence([{ status: 'cancelled' }]) })).end).toBe('cancelled');
    let now = 0;
    const timedOut = await watchMailing({
      id: 'm1', view: recordingView().view, intervalMs: 1000, timeoutMs: 2500, now: () => now, sleep: async (ms) => void (now += ms), reader: sequence([{}]),
    });
    expect(timedOut.end).toBe('timeout');
    expect(now).toBe(3000);
    expect((await watchMailing({ id: 'm1', view: recordingView().view, intervalMs: 1, timeoutMs: null, aborted: () => true, reader: sequence([{}]) })).end).toBe('aborted');
  });

  it('an unknown mailing is NOT_FOUND', async () => {
    await expect(watchMailing({ id: 'x', view: recordingView().view, intervalMs: 1, timeoutMs: null, reader: { read: async () => null } }))
      .rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
