import { notFound } from '../http/errors';
import { RouteTarget, mountRoute } from '../http/route';
import { toIso } from '../../domain/resources/common';
import { IdParams } from '../openapi/paging';
import { NotificationHistorySchema, NotificationListQuery, NotificationRunListSchema } from '../openapi/notifications';
import type { NotificationRuns } from '../../domain/notification-run/history';
import type { NotificationRun } from '../../domain/notification-run/model';
import type { ChannelCountsBySource, ChannelStatusCounts } from '../../analytics/ports';

export interface NotificationRoutesDeps {
  runs: NotificationRuns;
  counts: ChannelCountsBySource;
}

const tag = 'notifications';
const role = 'stats';
/** Occurrences shown (and counted) on a recurring request's page: the latest ones. */
export const OCCURRENCES_SHOWN = 100;

const isoOrNull = (ms: number | null): string | null => (ms === null ? null : toIso(ms));

/** A run as the API shows it: ISO times, its per-channel counts. */
export function runView(run: NotificationRun, counts: ChannelStatusCounts = {}) {
  return {
    id: run.id, status: run.status, templateId: run.templateId, priority: run.priority, promo: run.promo, channels: run.channels,
    notBefore: isoOrNull(run.notBefore), expiresAt: isoOrNull(run.expiresAt), recurrence: run.recurrence,
    requestedBy: run.requestedBy, parentId: run.parentId, createdAt: toIso(run.createdAt), startedAt: isoOrNull(run.startedAt),
    finishedAt: isoOrNull(run.finishedAt), cancelledAt: isoOrNull(run.cancelledAt), total: run.total, counts,
  };
}

/** Adds per-channel counts up (a recurring request's counts are its occurrences'). */
export function sumCounts(all: readonly ChannelStatusCounts[]): ChannelStatusCounts {
  const sum: ChannelStatusCounts = {};
  for (const counts of all) {
    for (const [channel, byStatus] of Object.entries(counts)) {
      const target = (sum[channel] ??= {});
      for (const [status, n] of Object.entries(byStatus)) target[status] = (target[status] ?? 0) + n;
    }
  }
  return sum;
}

/**
 * The broadcast history (role stats): notification requests with their lifecycle status and delivery
 * counts per channel. Runs come from Redis (operational state), counts from analytics, one query per page.
 */
export function mountNotificationRoutes(target: RouteTarget, deps: NotificationRoutesDeps): void {
  const listSpec = {
    method: 'get', path: '/api/notifications', summary: 'Notification requests, newest first, with their status and counts per channel',
    tag, role, query: NotificationListQuery,
    responses: { 200: { description: 'One page of top-level requests (occurrences are under their recurring request)', schema: NotificationRunListSchema } },
  } as const;
  mountRoute(target, listSpec, async (ctx, { query }) => {
    const page = await deps.runs.list({ cursor: query.cursor, limit: query.limit, status: query.status });
    const counts = await deps.counts.of('notification', page.items.map((run) => run.id));
    ctx.body = { items: page.items.map((run) => runView(run, counts.get(run.id))), nextCursor: page.nextCursor };
  });

  const detailSpec = {
    method: 'get', path: '/api/notifications/{id}', summary: 'One notification request: status, times, counts per channel and status, occurrences',
    tag, role, logIdAs: 'notificationId', params: IdParams,
    responses: { 200: { description: 'The request\'s history', schema: NotificationHistorySchema } },
  } as const;
  mountRoute(target, detailSpec, async (ctx, { params }) => {
    const run = await deps.runs.get(params.id);
    if (!run) throw notFound('notification', params.id);
    if (!run.recurrence || run.parentId) {
      const counts = await deps.counts.of('notification', [run.id]);
      ctx.body = runView(run, counts.get(run.id));
      return;
    }
    const occurrences = await deps.runs.occurrences(run.id, OCCURRENCES_SHOWN);
    const counts = await deps.counts.of('notification', [run.id, ...occurrences.items.map((o) => o.id)]);
    const views = occurrences.items.map((o) => runView(o, counts.get(o.id)));
    ctx.body = {
      ...runView(run, sumCounts([counts.get(run.id) ?? {}, ...views.map((v) => v.counts)])),
      total: occurrences.items.reduce((sum, o) => sum + (o.total ?? 0), 0),
      occurrenceCount: occurrences.count,
      occurrences: views,
    };
  });
}
