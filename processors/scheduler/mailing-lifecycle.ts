import type { Redis } from '../../platform/redis/client';
import { KEYS } from '../../platform/redis/keys';
import { FINAL_STATUSES } from '../../schemas/types';
import type { Mailing } from '../../schemas/types';

/** The counts the lifecycle needs from analytics: deliveries per status, per mailing. */
export interface MailingCounts {
  countsBySource(sourceType: 'mailing', sourceIds: string[]): Promise<Map<string, { total: number; byStatus: Record<string, number> }>>;
}

/** Pure: a running mailing is finished once its fan-out is done and either its end time passed or every delivery is final. */
export function isMailingFinished(input: { now: number; endAt: number; fanoutDone: boolean; fanoutTotal: number; finalCount: number }): boolean {
  if (!input.fanoutDone) return false; // a fan-out in progress still produces; its replay resumes it
  return input.now >= input.endAt || input.finalCount >= input.fanoutTotal;
}

/** Moves running mailings to `finished` (the runtime status the API shows); one pipeline and one stats query per tick. */
export async function finishMailings(deps: { redis: Redis; stats: MailingCounts; now: number }): Promise<string[]> {
  const running = await deps.redis.smembers(KEYS.runningMailings);
  if (running.length === 0) return [];
  const pipeline = deps.redis.pipeline();
  for (const id of running) pipeline.hgetall(KEYS.mailingRun(id)).get(KEYS.mailing(id));
  const replies = (await pipeline.exec()) ?? [];
  const counts = await deps.stats.countsBySource('mailing', running);
  const finished: string[] = [];
  running.forEach((id, i) => {
    const run = (replies[2 * i]?.[1] ?? {}) as Record<string, string>;
    const doc = replies[2 * i + 1]?.[1] as string | null;
    const mailing = doc ? (JSON.parse(doc) as Mailing) : null;
    const byStatus = counts.get(id)?.byStatus ?? {};
    const finalCount = Object.entries(byStatus).reduce((sum, [status, n]) => sum + (FINAL_STATUSES.has(status as never) ? n : 0), 0);
    const done = !mailing || mailing.status === 'cancelled' || isMailingFinished({
      now: deps.now, endAt: mailing.endAt, fanoutDone: run.fanoutDone === '1', fanoutTotal: Number(run.fanoutTotal ?? 0), finalCount,
    });
    if (done) finished.push(id);
  });
  if (finished.length > 0) {
    const write = deps.redis.multi();
    for (const id of finished) write.hset(KEYS.mailingRun(id), { status: 'finished', finishedAt: deps.now }).srem(KEYS.runningMailings, id);
    await write.exec();
  }
  return finished;
}
