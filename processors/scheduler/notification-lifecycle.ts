/**
 * Moves notification runs along scheduled → running → finished, like mailing-lifecycle.ts does for
 * mailings: one Redis pipeline to read every active run, one more for the recurring parents, and one
 * ClickHouse query for all of them per tick — never a query per notification.
 */
import type { Redis } from '../../platform/redis/client';
import { KEYS, notificationRunKeys, type NotificationRunKeys } from '../../platform/redis/keys';
import { FINAL_STATUSES, type DeliveryStatusName } from '../../schemas/types';
import { queueTransition } from '../../domain/notification-run/record';
import { parseRun, type NotificationRun } from '../../domain/notification-run/model';
import { askExactlyOfNearlyDone } from './nearly-done';

/** The counts the lifecycle needs from analytics: deliveries per current status, per notification. */
export interface NotificationCounts {
  countsBySource(sourceType: 'notification', sourceIds: string[]): Promise<Map<string, { total: number; byStatus: Record<string, number> }>>;
  /** Never below the number of final deliveries (replayed rows count again), and read from a table of a few rows per source. */
  finalRowsBySource(sourceType: 'notification', sourceIds: string[]): Promise<Map<string, number>>;
}

/** How long a recurring request whose schedule ended waits for an occurrence still on its way from Kafka. */
export const OCCURRENCE_GRACE_MS = 10_000;

/**
 * Pure: every delivery of a fan-out has a final status. A push that fell back to email is final as a
 * push, but its email is a new delivery (its own id, not in the fan-out's total): the run waits for it too.
 */
export function deliveriesSettled(counts: { total: number; byStatus: Record<string, number> }, fanoutTotal: number): boolean {
  const final = Object.entries(counts.byStatus).reduce((sum, [status, n]) => sum + (FINAL_STATUSES.has(status as DeliveryStatusName) ? n : 0), 0);
  const fallbacks = counts.byStatus.fallback ?? 0;
  return final === counts.total && counts.total >= fanoutTotal + fallbacks;
}

/** What happens to a recurring request's run: what its schedule and occurrences say. */
export interface RecurringState {
  /** Still in the recurring schedule (more occurrences to fire). */
  scheduled: boolean;
  /** Occurrences not finished yet. */
  activeOccurrences: number;
  lastFireAt: number | null;
}

export type RunStep = 'running' | 'finished' | 'forget' | null;

/** Pure: the next move of an active run, or null to look again next tick. */
export function nextRunStep(input: {
  run: NotificationRun | null;
  now: number;
  counts?: { total: number; byStatus: Record<string, number> };
  recurring?: RecurringState;
  graceMs?: number;
}): RunStep {
  const { run, now } = input;
  if (!run || run.status === 'finished' || run.status === 'cancelled') return 'forget';
  if (run.recurrence && !run.parentId) {
    const state = input.recurring;
    if (!state || state.scheduled || state.activeOccurrences > 0) return null;
    const quietSince = Math.max(run.createdAt, state.lastFireAt ?? 0);
    return now - quietSince >= (input.graceMs ?? OCCURRENCE_GRACE_MS) ? 'finished' : null;
  }
  if (run.notBefore !== null && run.notBefore > now) return null; // still waiting for its time
  if (!run.fanoutDone) return null; // a fan-out in progress still produces; its replay resumes it
  if (input.counts && deliveriesSettled(input.counts, run.total ?? 0)) return 'finished';
  return run.status === 'scheduled' ? 'running' : null;
}

/** One lifecycle pass over every active notification run; returns the ids that finished. */
export async function advanceNotifications(deps: { redis: Redis; stats: NotificationCounts; now: number; graceMs?: number }): Promise<string[]> {
  const keys = notificationRunKeys(deps.redis);
  const active = await deps.redis.smembers(keys.active);
  if (active.length === 0) return [];
  const runs = await readRuns(deps.redis, keys, active);
  const parents = runs.filter((r): r is NotificationRun => !!r?.recurrence && !r.parentId);
  const recurring = await readRecurring(deps.redis, keys, parents, runs);
  const countable = runs.filter((r): r is NotificationRun => !!r && !r.recurrence && r.fanoutDone);
  const counts = await countsOfNearlySettled(deps.stats, countable);
  // Every write below is in the run records' slot (one node on a Redis Cluster), so one pipeline carries them.
  const write = deps.redis.pipeline();
  const finished: string[] = [];
  active.forEach((id, i) => {
    const run = runs[i] ?? null;
    const step = nextRunStep({ run, now: deps.now, counts: counts.get(id), recurring: recurring.get(id), graceMs: deps.graceMs });
    if (step === 'forget') write.srem(keys.active, id);
    else if (step === 'running') queueTransition(write, keys, id, 'running', deps.now);
    else if (step === 'finished') {
      // A run that finishes without having been seen running (all settled within one tick) still starts.
      queueTransition(write, keys, id, 'running', deps.now);
      queueTransition(write, keys, id, 'finished', deps.now);
      finished.push(id);
    }
  });
  if (write.length > 0) await write.exec();
  return finished;
}

/**
 * The current counts of the runs that may have settled: those whose final rows reach their fan-out's total
 * (nearly-done.ts). The loop asks every tick while notifications are in flight, and the counts read each
 * delivery's current status.
 */
export function countsOfNearlySettled(
  stats: NotificationCounts, runs: readonly NotificationRun[],
): Promise<Map<string, { total: number; byStatus: Record<string, number> }>> {
  return askExactlyOfNearlyDone(
    runs.map((run) => ({ id: run.id, total: run.total ?? 0 })),
    (ids) => stats.finalRowsBySource('notification', ids),
    (ids) => stats.countsBySource('notification', ids),
  );
}

/** Auto-pipelined (every read here): one round trip on one Redis, one per node on a Cluster. */
async function readRuns(redis: Redis, keys: NotificationRunKeys, ids: string[]): Promise<(NotificationRun | null)[]> {
  return (await Promise.all(ids.map((id) => redis.hgetall(keys.run(id))))).map(parseRun);
}

async function readRecurring(
  redis: Redis, keys: NotificationRunKeys, parents: NotificationRun[], runs: (NotificationRun | null)[],
): Promise<Map<string, RecurringState>> {
  const states = new Map<string, RecurringState>();
  if (parents.length === 0) return states;
  const activeByParent = new Map<string, number>();
  for (const run of runs) if (run?.parentId) activeByParent.set(run.parentId, (activeByParent.get(run.parentId) ?? 0) + 1);
  const replies = await Promise.all(parents.map((parent) => Promise.all([
    redis.zscore(KEYS.recurringSchedule, parent.id), redis.zrevrange(keys.occurrences(parent.id), 0, 0, 'WITHSCORES'),
  ])));
  parents.forEach((parent, i) => {
    const [score, last] = replies[i]!;
    const lastFire = last[1];
    states.set(parent.id, {
      scheduled: score !== null,
      activeOccurrences: activeByParent.get(parent.id) ?? 0,
      lastFireAt: lastFire === undefined ? null : Number(lastFire),
    });
  });
  return states;
}
