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
 * lifecycle): one SMEMBERS and two auto-pipelined rounds of reads, however many pages were produced. A finished mailing leaves the
 * running set, so it is not listed.
 */
export async function readFanoutProgress(redis: Redis): Promise<FanoutProgress[]> {
  const running = await readRunningMailings(redis, (raw) => parseViewDoc<Mailing>(raw));
  if (running.length === 0) return [];
  // Auto-pipelined: one round trip on one Redis, one per node on a Cluster (each checkpoint in its own slot).
  const cursors = await Promise.all(running.map(({ id }) => redis.hgetall(KEYS.fanoutCursor(id))));
  return running.map(({ id, run }, i) => {
    const cursor = cursors[i] ?? {};
    return { mailingId: id, queued: Number(cursor.queued ?? 0), suppressed: Number(cursor.suppressed ?? 0), fanoutDone: run.fanoutDone };
  });
}
