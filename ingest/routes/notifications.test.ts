import request from 'supertest';
import { NotificationHistorySchema, NotificationRunListSchema } from '../openapi/notifications';
import { aRun } from '../../tests/doubles/memory-history';
import { KEYS, NOW, bearer, createTestApp } from '../../tests/doubles/test-app';
import { sumCounts } from './notifications';

const stats = bearer(KEYS.stats);
const iso = (ms: number) => new Date(ms).toISOString();
const recurrence = { cron: '0 9 * * *', timezone: 'UTC' };

function setup() {
  const t = createTestApp();
  const put = (...runs: ReturnType<typeof aRun>[]) => runs.forEach((run) => t.notificationRuns.runs.set(run.id, run));
  return { ...t, put, http: request(t.app.callback()) };
}

describe('GET /api/notifications/{id}', () => {
  it('answers a request with its lifecycle times and counts per channel, from one counts query', async () => {
    const { http, put, channelCounts } = setup();
    put(aRun({ id: 'r-1', status: 'finished', createdAt: NOW, startedAt: NOW + 10, finishedAt: NOW + 900, fanoutDone: true, total: 3, channels: ['email'] }));
    channelCounts.counts.set('r-1', { email: { sent: 2, suppressed: 1 } });
    const res = await http.get('/api/notifications/r-1').set('Authorization', stats).expect(200);
    const body = NotificationHistorySchema.parse(res.body);
    expect(body).toEqual({
      id: 'r-1', status: 'finished', templateId: 't-1', priority: 'bulk', promo: false, channels: ['email'], notBefore: null,
      expiresAt: null, recurrence: null, requestedBy: null, parentId: null, createdAt: iso(NOW), startedAt: iso(NOW + 10),
      finishedAt: iso(NOW + 900), cancelledAt: null, total: 3, counts: { email: { sent: 2, suppressed: 1 } },
    });
    expect(channelCounts.queries).toEqual([['r-1']]);
  });

  it('shows a recurring request with its occurrences (newest first) and their counts summed', async () => {
    const { http, put, channelCounts } = setup();
    put(
      aRun({ id: 'p', status: 'running', recurrence, createdAt: NOW }),
      aRun({ id: 'p@1', parentId: 'p', status: 'finished', createdAt: NOW + 1, total: 2, fanoutDone: true }),
      aRun({ id: 'p@2', parentId: 'p', status: 'running', createdAt: NOW + 2, total: 1, fanoutDone: true }),
    );
    channelCounts.counts.set('p@1', { email: { sent: 2 } });
    channelCounts.counts.set('p@2', { email: { queued: 1 }, push: { fallback: 1 } });
    const res = await http.get('/api/notifications/p').set('Authorization', stats).expect(200);
    const body = NotificationHistorySchema.parse(res.body);
    expect(body.occurrences?.map((o) => [o.id, o.status, o.parentId])).toEqual([['p@2', 'running', 'p'], ['p@1', 'finished', 'p']]);
    expect(body).toMatchObject({ occurrenceCount: 2, total: 3, counts: { email: { sent: 2, queued: 1 }, push: { fallback: 1 } } });
    expect(channelCounts.queries).toEqual([['p', 'p@2', 'p@1']]);
  });

  it('answers 404 for an unknown id', async () => {
    const { http } = setup();
    const res = await http.get('/api/notifications/nope').set('Authorization', stats).expect(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });

  it('needs the stats role (a service key is not enough)', async () => {
    const { http, put } = setup();
    put(aRun({ id: 'r-1' }));
    await http.get('/api/notifications/r-1').expect(401);
    await http.get('/api/notifications/r-1').set('Authorization', bearer(KEYS.service)).expect(403);
    await http.get('/api/notifications/r-1').set('Authorization', bearer(KEYS.admin)).expect(200);
  });
});

describe('GET /api/notifications', () => {
  it('lists top-level requests newest first, page by page, with counts from one query per page', async () => {
    const { http, put, channelCounts } = setup();
    put(
      aRun({ id: 'old', createdAt: NOW - 3 }), aRun({ id: 'mid', createdAt: NOW - 2, status: 'running' }),
      aRun({ id: 'new', createdAt: NOW - 1, recurrence }), aRun({ id: 'new@5', parentId: 'new', createdAt: NOW }),
    );
    channelCounts.counts.set('mid', { sms: { sent: 4 } });
    const first = NotificationRunListSchema.parse((await http.get('/api/notifications?limit=2').set('Authorization', stats).expect(200)).body);
    expect(first.items.map((r) => r.id)).toEqual(['new', 'mid']);
    expect(first.items[1]?.counts).toEqual({ sms: { sent: 4 } });
    const second = await http.get(`/api/notifications?limit=2&cursor=${first.nextCursor}`).set('Authorization', stats).expect(200);
    expect(second.body.items.map((r: { id: string }) => r.id)).toEqual(['old']);
    expect(second.body.nextCursor).toBeNull();
    expect(channelCounts.queries).toEqual([['new', 'mid'], ['old']]);
  });

  it('filters by status', async () => {
    const { http, put } = setup();
    put(aRun({ id: 'a', status: 'finished' }), aRun({ id: 'b', status: 'cancelled' }), aRun({ id: 'c', status: 'finished', createdAt: 5 }));
    const res = await http.get('/api/notifications?status=finished').set('Authorization', stats).expect(200);
    expect(res.body.items.map((r: { id: string }) => r.id)).toEqual(['c', 'a']);
  });

  it.each(['status=done', 'limit=0', 'limit=501', 'colour=red'])('answers 400 to the query %s', async (query) => {
    const { http } = setup();
    await http.get(`/api/notifications?${query}`).set('Authorization', stats).expect(400);
  });
});

describe('sumCounts', () => {
  it('adds per channel and status', () => {
    expect(sumCounts([{ email: { sent: 1 } }, { email: { sent: 2, failed: 1 }, sms: { sent: 1 } }, {}])).toEqual({
      email: { sent: 3, failed: 1 }, sms: { sent: 1 },
    });
  });
});
