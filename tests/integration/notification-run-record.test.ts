import type { Redis } from '../../platform/redis/client';
import { KEYS, notificationRunKeys, type NotificationRunKeys } from '../../platform/redis/keys';
import { createNotificationRunHistory } from '../../domain/notification-run/history';
import { recordFanout, recordRequest, startRun, transitionRun } from '../../domain/notification-run/record';
import { advanceNotifications } from '../../processors/scheduler/notification-lifecycle';
import type { NotificationRequested } from '../../schemas/types';
import { useRedisBackend, type RedisBackendName } from '../support/redis-backend';

/**
 * The run record's Lua scripts and indexes on a real Redis (the counts port is a scripted fake): on the
 * run's Redis, and on a Redis Cluster, where every run key is in the `{notifications}` slot (issue 16).
 */
for (const backendName of ['one Redis', 'a Redis Cluster'] as const) describe(`on ${backendName}`, () => describeRunRecords(backendName));

function describeRunRecords(backendName: RedisBackendName): void {
  const connection = useRedisBackend(backendName, 'runs');
  let redis: Redis;
  let keys: NotificationRunKeys;

  beforeAll(() => {
    redis = connection();
    keys = notificationRunKeys(redis);
  });

  const request = (requestId: string, fields: Partial<NotificationRequested> = {}): NotificationRequested => ({
    requestId, occurredAt: 1_000, templateId: 't-1', userIds: ['c-1'], segmentTags: [], contextJson: '{}', priority: 'bulk', promo: false,
    channels: [], notBefore: null, expiresAt: null, recurrence: null, requestedBy: null, ...fields,
  });
  const recurrence = { cron: '* * * * *', timezone: 'UTC' };
  const history = () => createNotificationRunHistory(redis);
  const statusIndex = (status: string) => redis.zrange(keys.runsByStatus(status), '0', '-1');

  describe('recording and moving runs', () => {
    it('records a request once: a replay changes nothing', async () => {
      await recordRequest(redis, request('r-1', { templateId: 'first' }));
      await recordRequest(redis, request('r-1', { templateId: 'replayed', occurredAt: 9_999 }));
      expect(await history().get('r-1')).toMatchObject({ status: 'scheduled', templateId: 'first', createdAt: 1_000 });
      expect(await redis.zrange(keys.runs, '0', '-1')).toEqual(['r-1']);
      expect(await statusIndex('scheduled')).toEqual(['r-1']);
      expect(await redis.smembers(keys.active)).toEqual(['r-1']);
    });

    it('starts a due request (indexes follow), keeps a future one scheduled, and never moves back', async () => {
      await startRun(redis, request('due'), 5_000);
      await startRun(redis, request('later', { notBefore: 60_000 }), 5_000);
      await startRun(redis, request('due'), 7_000); // a replay
      expect(await history().get('due')).toMatchObject({ status: 'running', startedAt: 5_000 });
      expect(await history().get('later')).toMatchObject({ status: 'scheduled', startedAt: null });
      expect(await statusIndex('running')).toEqual(['due']);
      expect(await statusIndex('scheduled')).toEqual(['later']);

      expect(await transitionRun(redis, 'due', 'finished', 8_000)).toBe(true);
      expect(await transitionRun(redis, 'due', 'running', 9_000)).toBe(false);
      expect(await transitionRun(redis, 'due', 'cancelled', 9_000)).toBe(false);
      expect(await transitionRun(redis, 'nope', 'running', 9_000)).toBe(false);
      expect(await history().get('due')).toMatchObject({ status: 'finished', finishedAt: 8_000 });
      expect(await statusIndex('running')).toEqual([]);
      expect(await statusIndex('finished')).toEqual(['due']);
      expect(await redis.smembers(keys.active)).toEqual(['later']);
    });

    it("lists a recurring request's occurrences under it, and its first firing starts it", async () => {
      await recordRequest(redis, request('p', { recurrence }));
      await startRun(redis, request('p@60000', { occurredAt: 60_000 }), 60_010);
      await startRun(redis, request('p@120000', { occurredAt: 120_000 }), 120_010);
      await startRun(redis, request('x@5'), 10); // looks like an occurrence, but has no recurring parent
      expect(await history().get('p')).toMatchObject({ status: 'running', startedAt: 60_000 }); // its first fire time
      expect(await history().get('p@60000')).toMatchObject({ parentId: 'p', status: 'running' });
      expect(await history().get('x@5')).toMatchObject({ parentId: null });
      const occurrences = await history().occurrences('p', 10);
      expect(occurrences.count).toBe(2);
      expect(occurrences.items.map((o) => o.id)).toEqual(['p@120000', 'p@60000']);
      const listed = await history().list({ limit: 10 });
      expect(listed.items.map((r) => r.id).sort()).toEqual(['p', 'x@5']);
    });

    it('cancels a scheduled request', async () => {
      await recordRequest(redis, request('p', { recurrence }));
      expect(await transitionRun(redis, 'p', 'cancelled', 2_000)).toBe(true);
      expect(await history().get('p')).toMatchObject({ status: 'cancelled', cancelledAt: 2_000 });
      expect((await history().list({ limit: 10, status: 'cancelled' })).items.map((r) => r.id)).toEqual(['p']);
      expect(await redis.smembers(keys.active)).toEqual([]);
    });
  });

  describe('listing', () => {
    it('pages newest first, ties on the same millisecond included exactly once', async () => {
      const ids = ['a', 'b', 'c', 'd', 'e'];
      for (const [i, id] of ids.entries()) await recordRequest(redis, request(id, { occurredAt: i < 3 ? 1_000 : 2_000 + i }));
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await history().list({ cursor, limit: 2 });
        seen.push(...page.items.map((r) => r.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(seen).toEqual(['e', 'd', 'c', 'b', 'a']);
    });

    it('rejects a cursor it did not hand out', async () => {
      await expect(history().list({ cursor: 'bogus', limit: 2 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    });
  });

  describe('advanceNotifications', () => {
    it('finishes settled runs and starts due ones, with one counts query for all of them', async () => {
      await startRun(redis, request('settled'), 1_000);
      await recordFanout(redis, 'settled', { total: 2, queued: 1, suppressed: 1, failed: 0 });
      await startRun(redis, request('pending'), 1_000);
      await recordFanout(redis, 'pending', { total: 2, queued: 2, suppressed: 0, failed: 0 });
      await startRun(redis, request('waited', { notBefore: 4_000 }), 1_000);
      await recordFanout(redis, 'waited', { total: 1, queued: 1, suppressed: 0, failed: 0 });
      await startRun(redis, request('paging'), 1_000); // its fan-out has not finished paging
      const asked: string[][] = [];
      const rowsAsked: string[][] = [];
      const counts: Record<string, Record<string, number>> = { settled: { sent: 1, suppressed: 1 }, pending: { sent: 1, queued: 1 }, waited: { queued: 1 } };
      const stats = {
        countsBySource: async (_type: 'notification', ids: string[]) => {
          asked.push([...ids].sort());
          return new Map(ids.map((id) => {
            const byStatus = counts[id] ?? {};
            return [id, { total: Object.values(byStatus).reduce((a, b) => a + b, 0), byStatus }];
          }));
        },
        finalRowsBySource: async (_type: 'notification', ids: string[]) => {
          rowsAsked.push([...ids].sort());
          return new Map(ids.map((id) => [id, (counts[id]?.sent ?? 0) + (counts[id]?.suppressed ?? 0)]));
        },
      };
      expect(await advanceNotifications({ redis, stats, now: 5_000 })).toEqual(['settled']);
      // Every run past its fan-out is asked for its final rows; only the one whose rows reach its total is counted.
      expect(rowsAsked).toEqual([['pending', 'settled', 'waited']]);
      expect(asked).toEqual([['settled']]);
      expect(await history().get('settled')).toMatchObject({ status: 'finished', finishedAt: 5_000 });
      expect(await history().get('waited')).toMatchObject({ status: 'running', startedAt: 5_000 });
      expect(await history().get('pending')).toMatchObject({ status: 'running' });
      expect((await redis.smembers(keys.active)).sort()).toEqual(['paging', 'pending', 'waited']);
    });

    it('finishes a recurring request once its schedule is over and its occurrences are done', async () => {
      await recordRequest(redis, request('p', { recurrence, occurredAt: 0 }));
      await redis.zadd(KEYS.recurringSchedule, 90_000, 'p');
      await startRun(redis, request('p@60000', { occurredAt: 60_000 }), 60_000);
      await recordFanout(redis, 'p@60000', { total: 1, queued: 1, suppressed: 0, failed: 0 });
      const stats = {
        countsBySource: async (_type: 'notification', ids: string[]) => new Map(ids.map((id) => [id, { total: 1, byStatus: { sent: 1 } }])),
        finalRowsBySource: async (_type: 'notification', ids: string[]) => new Map(ids.map((id) => [id, 1])),
      };
      // Still scheduled: the occurrence finishes, the request does not.
      expect(await advanceNotifications({ redis, stats, now: 80_000, graceMs: 1_000 })).toEqual(['p@60000']);
      expect(await history().get('p')).toMatchObject({ status: 'running' });
      await redis.zrem(KEYS.recurringSchedule, 'p');
      expect(await advanceNotifications({ redis, stats, now: 80_000, graceMs: 1_000 })).toEqual(['p']);
      expect(await history().get('p')).toMatchObject({ status: 'finished', finishedAt: 80_000 });
    });
  });
}
