import type { Redis } from '../../platform/redis/client';
import { parseViewDoc } from '../../platform/redis/directory';
import { finishRuns, readRunningMailings } from '../../domain/mailing-run/record';
import type { Mailing } from '../../schemas/types';
import { askExactlyOfNearlyDone } from './nearly-done';

/** What the lifecycle needs from analytics: how many deliveries of each mailing are final. */
export interface MailingCounts {
  /** Exact: each message with a final status once. */
  finalDeliveriesBySource(sourceType: 'mailing', sourceIds: string[]): Promise<Map<string, number>>;
  /** Never below the exact count (replayed rows count again), and much cheaper to ask. */
  finalRowsBySource(sourceType: 'mailing', sourceIds: string[]): Promise<Map<string, number>>;
}

/** Pure: a running mailing is finished once its fan-out is done and either its end time passed or every delivery is final. */
export function isMailingFinished(input: { now: number; endAt: number; fanoutDone: boolean; fanoutTotal: number; finalCount: number }): boolean {
  if (!input.fanoutDone) return false; // a fan-out in progress still produces; its replay resumes it
  return input.now >= input.endAt || input.finalCount >= input.fanoutTotal;
}

/**
 * Moves running mailings to `finished` (the runtime status the API shows): one Redis pipeline, and analytics
 * asked only about the mailings their counts can finish: not while a fan-out still runs (it cannot finish
 * yet), nor once cancelled or past the end (finished without counting). The exact count of final messages
 * is a distinct count over every final row of the mailing (0.4 s at a million), so it is asked only of the
 * mailings their final rows cannot rule out (nearly-done.ts).
 */
export async function finishMailings(deps: { redis: Redis; stats: MailingCounts; now: number }): Promise<FinishedMailing[]> {
  const states = await readRunningMailings(deps.redis, (raw) => parseViewDoc<Mailing>(raw));
  if (states.length === 0) return [];
  const countable = states.filter(({ run, mailing }) =>
    mailing !== null && mailing.status !== 'cancelled' && run.fanoutDone && deps.now < mailing.endAt);
  const finals = await exactFinalsOfNearlyDone(deps.stats, countable.map(({ id, run }) => ({ id, total: run.fanoutTotal })));
  const finished = states.filter(({ id, run, mailing }) => !mailing || mailing.status === 'cancelled' || isMailingFinished({
    now: deps.now, endAt: mailing.endAt, fanoutDone: run.fanoutDone, fanoutTotal: run.fanoutTotal, finalCount: finals.get(id) ?? 0,
  })).map(({ id, run }) => ({ id, messages: run.fanoutTotal }));
  await finishRuns(deps.redis, finished.map(({ id }) => id), deps.now);
  return finished;
}

/** A mailing the lifecycle has just finished, with how many messages its fan-out decided (0 if it never ended). */
export interface FinishedMailing {
  id: string;
  messages: number;
}

/** The exact final count of each mailing whose final rows reach its total; the others are absent (not done). */
export function exactFinalsOfNearlyDone(stats: MailingCounts, mailings: { id: string; total: number }[]): Promise<Map<string, number>> {
  return askExactlyOfNearlyDone(mailings, (ids) => stats.finalRowsBySource('mailing', ids), (ids) => stats.finalDeliveriesBySource('mailing', ids));
}
