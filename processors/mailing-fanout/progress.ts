import type { Redis } from '../../platform/redis/client';
import { KEYS } from '../../platform/redis/keys';
import { readRunningMailings } from '../../domain/mailing-run/record';
import { parseViewDoc } from '../../platform/redis/directory';
import type { Mailing } from '../../schemas/types';

/** How far the fan-out of one running mailing got (its checkpoint, run.ts), for metrics and operators. */
export interface FanoutProgress {
  mailingId: string;
  /** Commands produced so far. */
  queued: number;
  /** Recipients decided without a message (opted out, no address...). */
  suppressed: number;
  /** The fan-out walked the whole audience; the mailing runs until its deliveries are final. */
  fanoutDone: boolean;
}

/**
 * The fan-out progress of every mailing that is running (started and not yet finished by the scheduler's
 * lifecycle): one SMEMBERS and two pipelines, however many pages were produced. A finished mailing leaves the
 * running set, so it is not listed.
 */
export async function readFanoutProgress(redis: Redis): Promise<FanoutProgress[]> {
  const running = await readRunningMailings(redis, (raw) => parseViewDoc<Mailing>(raw));
  if (running.length === 0) return [];
  const pipeline = redis.pipeline();
  for (const { id } of running) pipeline.hgetall(KEYS.fanoutCursor(id));
  const replies = (await pipeline.exec()) ?? [];
  return running.map(({ id, run }, i) => {
    const [error, value] = replies[i] ?? [null, {}];
    if (error) throw error;
    const cursor = (value ?? {}) as Record<string, string>;
    return { mailingId: id, queued: Number(cursor.queued ?? 0), suppressed: Number(cursor.suppressed ?? 0), fanoutDone: run.fanoutDone };
  });
}
