import type { Mailing } from '../../schemas/types';
import { notFound } from '../http/errors';
import { RouteTarget, mountRoute } from '../http/route';
import { toIso } from '../../domain/resources/common';
import { IdParams } from '../openapi/paging';
import {
  ChannelStatsQuery, ChannelStatsSchema, MailingStatsDetailSchema, MailingStatsListQuery, MailingStatsListSchema, MailingStatsQuery,
} from '../openapi/stats';
import type { SourceCounts, StatsQueries, TimeRange } from '../../analytics/ports';
import type { ResourceStore } from '../../platform/stores/ports';

export interface StatsRoutesDeps {
  mailings: ResourceStore<Mailing>;
  stats: StatsQueries;
}

const tag = 'stats';
const role = 'stats';
/** Page size when walking every mailing, and how many ids go into one counts query. */
const SCAN_PAGE = 500;
const COUNTS_BATCH = 1000;
const NO_MESSAGES: SourceCounts = { total: 0, byStatus: {} };

/** Every stored mailing, page after page. */
async function allMailings(mailings: ResourceStore<Mailing>): Promise<Mailing[]> {
  const all: Mailing[] = [];
  let cursor: string | undefined;
  do {
    const page = await mailings.list({ cursor, limit: SCAN_PAGE });
    all.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return all;
}

async function countsOf(stats: StatsQueries, ids: string[], range: TimeRange | undefined): Promise<Map<string, SourceCounts>> {
  const counts = new Map<string, SourceCounts>();
  for (let i = 0; i < ids.length; i += COUNTS_BATCH) {
    const batch = await stats.countsBySource('mailing', ids.slice(i, i + COUNTS_BATCH), range);
    for (const [id, value] of batch) counts.set(id, value);
  }
  return counts;
}

/** The validated `?from=&to=` (openapi/stats.ts checkTimeRange) as epoch ms, or undefined without one. */
export function rangeOf(query: { from?: string | undefined; to?: string | undefined }): TimeRange | undefined {
  return query.from !== undefined && query.to !== undefined ? { fromMs: Date.parse(query.from), toMs: Date.parse(query.to) } : undefined;
}

/** The range as the answer names it (ISO, UTC), or nothing. */
const rangeEcho = (range: TimeRange | undefined) => (range ? { from: toIso(range.fromMs), to: toIso(range.toMs) } : {});

const header = (mailing: Mailing) => ({
  id: mailing.id,
  status: mailing.status,
  startAt: toIso(mailing.startAt),
  endAt: toIso(mailing.endAt),
});

/** Mounts the statistics routes (role stats): the mailings come from the store, the counts from analytics. */
export function mountStatsRoutes(target: RouteTarget, deps: StatsRoutesDeps): void {
  for (const mount of [mailingStatsList, mailingStatsDetail, channelStats]) mount(target, deps);
}

function mailingStatsList(target: RouteTarget, deps: StatsRoutesDeps): void {
  const spec = {
    method: 'get', path: '/api/stats/mailings', summary: 'Every mailing with its message counts by status (in a time range, if given)', tag, role,
    query: MailingStatsListQuery,
    responses: { 200: { description: 'All mailings; those without messages (in the range) show zeros', schema: MailingStatsListSchema } },
  } as const;
  mountRoute(target, spec, async (ctx, { query }) => {
    const range = rangeOf(query);
    const all = await allMailings(deps.mailings);
    const counts = await countsOf(deps.stats, all.map((m) => m.id), range);
    ctx.body = { ...rangeEcho(range), items: all.map((m) => ({ ...header(m), ...(counts.get(m.id) ?? NO_MESSAGES) })) };
  });
}

function mailingStatsDetail(target: RouteTarget, deps: StatsRoutesDeps): void {
  const spec = {
    method: 'get', path: '/api/stats/mailings/{id}', summary: 'Counts and messages of one mailing', tag, role,
    logIdAs: 'mailingId', params: IdParams, query: MailingStatsQuery,
    responses: { 200: { description: 'Counts and one page of messages', schema: MailingStatsDetailSchema } },
  } as const;
  mountRoute(target, spec, async (ctx, { params, query }) => {
    const mailing = await deps.mailings.get(params.id);
    if (!mailing) throw notFound('mailing', params.id);
    const detail = await deps.stats.sourceDetail('mailing', mailing.id, { limit: query.limit, cursor: query.cursor, status: query.status });
    ctx.body = { ...header(mailing), ...detail };
  });
}

function channelStats(target: RouteTarget, deps: StatsRoutesDeps): void {
  const spec = {
    method: 'get', path: '/api/stats/channels', summary: 'Message counts per channel and status (in a time range, if given)', tag, role,
    query: ChannelStatsQuery, responses: { 200: { description: 'Counts per channel', schema: ChannelStatsSchema } },
  } as const;
  mountRoute(target, spec, async (ctx, { query }) => {
    const range = rangeOf(query);
    ctx.body = { ...rangeEcho(range), items: await deps.stats.countsByChannel(query.sourceType, query.sourceId, range) };
  });
}
