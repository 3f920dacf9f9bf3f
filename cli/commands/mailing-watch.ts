/**
 * `vestnik mailing watch <id>`: a mailing's progress until it ends. The figures are those of
 * GET /api/stats/mailings/{id}: the mailing from the same store (its run status overlaid) and the counts
 * from the same statistics port over ClickHouse (analytics/stats-api.ts), read directly, like every
 * operator command (see cli/program.ts for why in-cluster and not through the API).
 *
 * Progress is deliveries in a final status (sent, delivered, failed, expired, suppressed, fallback) out of
 * the deliveries queued so far; during the fan-out the total still grows.
 */
import type { StatsQueries } from '../../analytics/ports';
import { VestnikError } from '../../platform/errors';
import type { ResourceStore } from '../../platform/stores/ports';
import { FINAL_STATUSES, type Mailing, type MailingStatus } from '../../schemas/types';
import type { ProgressState, ProgressView } from '../output/progress';

export interface MailingProgress {
  id: string;
  status: MailingStatus;
  startAt: number;
  /** Deliveries queued so far. */
  total: number;
  /** Deliveries in a final status. */
  final: number;
  byStatus: Record<string, number>;
}

export interface MailingProgressReader {
  /** null when there is no such mailing. */
  read(id: string): Promise<MailingProgress | null>;
}

/** The statistics route's reads, without HTTP. */
export function createMailingProgressReader(deps: { mailings: Pick<ResourceStore<Mailing>, 'get'>; stats: Pick<StatsQueries, 'countsBySource'> }): MailingProgressReader {
  return {
    async read(id) {
      const mailing = await deps.mailings.get(id);
      if (!mailing) return null;
      const counts = (await deps.stats.countsBySource('mailing', [id])).get(id) ?? { total: 0, byStatus: {} };
      const byStatus = counts.byStatus as Record<string, number>;
      const final = Object.entries(byStatus).reduce((sum, [status, n]) => sum + (FINAL_STATUSES.has(status as never) ? n : 0), 0);
      return { id, status: mailing.status, startAt: mailing.startAt, total: counts.total, final, byStatus };
    },
  };
}

/** The bar's state: final out of queued, the status and the non-zero counts as the note. */
export function progressStateOf(progress: MailingProgress, nowMs: number): ProgressState {
  const counts = Object.entries(progress.byStatus).filter(([, n]) => n > 0).map(([status, n]) => `${status}=${n}`);
  const waiting = progress.status === 'scheduled' && progress.startAt > nowMs ? ` (starts ${new Date(progress.startAt).toISOString()})` : '';
  return {
    value: progress.final, total: progress.total, detail: [`${progress.status}${waiting}`, ...counts].join(' '),
    fields: { mailingId: progress.id, status: progress.status, byStatus: progress.byStatus },
  };
}

export interface WatchOutcome {
  /** finished or cancelled: the mailing ended; timeout or aborted (SIGINT): the watch did. */
  end: 'finished' | 'cancelled' | 'timeout' | 'aborted';
  progress: MailingProgress;
}

export interface WatchOptions {
  id: string;
  reader: MailingProgressReader;
  view: ProgressView;
  intervalMs: number;
  /** Give up after this long (null: never). */
  timeoutMs: number | null;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Set by SIGINT: stop at the next poll. */
  aborted?: () => boolean;
}

/** Polls until the mailing is finished or cancelled (or the timeout passes), drawing each poll. */
export async function watchMailing(options: WatchOptions): Promise<WatchOutcome> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const deadline = options.timeoutMs === null ? null : now() + options.timeoutMs;
  for (;;) {
    const progress = await options.reader.read(options.id);
    if (!progress) throw new VestnikError('NOT_FOUND', `no mailing ${options.id}`);
    const state = progressStateOf(progress, now());
    if (progress.status === 'finished' || progress.status === 'cancelled') {
      options.view.stop(state);
      return { end: progress.status, progress };
    }
    const end = options.aborted?.() ? 'aborted' : deadline !== null && now() >= deadline ? 'timeout' : null;
    if (end) {
      options.view.stop(state);
      return { end, progress };
    }
    options.view.update(state);
    await sleep(options.intervalMs);
  }
}
