/**
 * Reads of the notification run records for the history API: one run, a page of top-level runs
 * (newest first, optionally of one status), and the latest occurrences of a recurring request.
 */
import { VestnikError } from '../../platform/errors';
import type { Redis } from '../../platform/redis/client';
import { notificationRunKeys } from '../../platform/redis/keys';
import type { Page } from '../../platform/stores/ports';
import { decodeRunCursor, encodeRunCursor, parseRun, type NotificationRun, type RunStatus } from './model';

/** The broadcast history's records (Redis): written by the fan-out and the scheduler, read by the API. */
export interface NotificationRuns {
  get(id: string): Promise<NotificationRun | null>;
  /** Top-level runs (occurrences are listed under their parent), newest first; a cursor we did not hand out is VALIDATION_FAILED. */
  list(query: { cursor?: string; limit: number; status?: RunStatus }): Promise<Page<NotificationRun>>;
  /** The latest `limit` occurrences of a recurring request, newest first, and how many there are in all. */
  occurrences(parentId: string, limit: number): Promise<{ items: NotificationRun[]; count: number }>;
}

export function createNotificationRunHistory(redis: Redis): NotificationRuns {
  const keys = notificationRunKeys(redis);
  async function load(ids: string[]): Promise<NotificationRun[]> {
    const hashes = await Promise.all(ids.map((id) => redis.hgetall(keys.run(id)))); // auto-pipelined: one round trip
    return hashes.flatMap((hash) => {
      const run = parseRun(hash);
      return run ? [run] : [];
    });
  }

  return {
    async get(id) {
      return parseRun(await redis.hgetall(keys.run(id)));
    },

    async list({ cursor, limit, status }) {
      const key = status ? keys.runsByStatus(status) : keys.runs;
      const after = cursor ? decodeRunCursor(cursor) : null;
      if (cursor && !after) throw new VestnikError('VALIDATION_FAILED', 'invalid pagination cursor', { details: { cursor } });
      // Keyset on (createdAt, id) descending: runs sharing the cursor's millisecond come in reverse id
      // order (ZREVRANGEBYSCORE), so skip those at or above the cursor's id.
      const ties = after ? await redis.zcount(key, after.createdAt, after.createdAt) : 0;
      const max = after ? String(after.createdAt) : '+inf';
      const raw = await redis.zrevrangebyscore(key, max, '-inf', 'WITHSCORES', 'LIMIT', 0, limit + 1 + ties);
      const entries: { id: string; createdAt: number }[] = [];
      for (let i = 0; i < raw.length; i += 2) entries.push({ id: raw[i] as string, createdAt: Number(raw[i + 1]) });
      const fresh = entries.filter((e) => !after || e.createdAt < after.createdAt || e.id < after.id).slice(0, limit + 1);
      const page = fresh.slice(0, limit);
      const last = page[page.length - 1];
      return {
        items: await load(page.map((e) => e.id)),
        nextCursor: fresh.length > limit && last ? encodeRunCursor(last.createdAt, last.id) : null,
      };
    },

    async occurrences(parentId, limit) {
      const key = keys.occurrences(parentId);
      const [ids, count] = await Promise.all([redis.zrevrange(key, 0, limit - 1), redis.zcard(key)]);
      return { items: await load(ids), count };
    },
  };
}
