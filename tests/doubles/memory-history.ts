import { VestnikError } from '../../platform/errors';
import type { NotificationRuns } from '../../domain/notification-run/history';
import type { NotificationRun } from '../../domain/notification-run/model';
import type { ChannelCountsBySource, ChannelStatusCounts } from '../../analytics/ports';

/** A run with every field defaulted; tests override what they check. */
export function aRun(fields: Partial<NotificationRun> & { id: string }): NotificationRun {
  return {
    status: 'scheduled', templateId: 't-1', priority: 'bulk', promo: false, channels: [], notBefore: null, expiresAt: null,
    recurrence: null, requestedBy: null, parentId: null, createdAt: 0, startedAt: null, finishedAt: null, cancelledAt: null,
    fanoutDone: false, total: null, suppressed: null, failed: null, ...fields,
  };
}

/**
 * The history's runs held in memory, with the Redis store's contract: top-level runs newest first
 * (createdAt, then id, descending), occurrences under their parent; the cursor is the index to resume at.
 */
export function createMemoryNotificationRuns(): NotificationRuns & { runs: Map<string, NotificationRun> } {
  const runs = new Map<string, NotificationRun>();
  const newestFirst = (a: NotificationRun, b: NotificationRun) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1);
  return {
    runs,
    async get(id) {
      return runs.get(id) ?? null;
    },
    async list({ cursor, limit, status }) {
      const all = [...runs.values()].filter((r) => !r.parentId && (!status || r.status === status)).sort(newestFirst);
      const start = cursor ? Number(cursor) : 0;
      if (!Number.isInteger(start) || start < 0) throw new VestnikError('VALIDATION_FAILED', 'invalid pagination cursor');
      const end = start + limit;
      return { items: all.slice(start, end), nextCursor: end < all.length ? String(end) : null };
    },
    async occurrences(parentId, limit) {
      const all = [...runs.values()].filter((r) => r.parentId === parentId).sort(newestFirst);
      return { items: all.slice(0, limit), count: all.length };
    },
  };
}

/** Per-channel counts arranged by tests; records every query so tests can see there is one per request. */
export function createMemoryChannelCounts(): ChannelCountsBySource & { counts: Map<string, ChannelStatusCounts>; queries: string[][] } {
  const counts = new Map<string, ChannelStatusCounts>();
  const queries: string[][] = [];
  return {
    counts,
    queries,
    async of(_sourceType, sourceIds) {
      queries.push([...sourceIds]);
      return new Map(sourceIds.map((id) => [id, counts.get(id) ?? {}]));
    },
  };
}
