/**
 * The console overview's per-minute series over `delivery_status` (GET /api/stats/overview): status
 * changes per minute by status, sends per minute by channel, and the top failure reasons.
 *
 * Bounded per request: one query per series (three in all), each grouped by minute in ClickHouse, never
 * one query per minute. A change is a row deduplicated by statusId (uniqExact), so a replayed batch
 * counts once, as countsByDay does. Minutes are intDiv(occurredAtMs, 60000): plain numbers, so no time
 * zone of the server or the column can shift a bucket (18.16 and current releases differ there).
 * Test sends (sourceType `test`, POST /api/templates/{id}/test-send) and the daily report (`report`) are
 * left out: they are Vestnik talking to its operators, not traffic.
 */
import { CHANNELS, OPERATOR_SOURCE_TYPES } from '../schemas/types';
import type { ClickHouseClient } from './clickhouse-client';
import { CHARTED_STATUSES, type OverviewQueries, type OverviewWindow } from './ports';
import { statusTable } from './schema';
import { SqlFragment, sql, sqlList } from './sql-escape';
import { LATEST } from './stats-queries';
import { inRange, type TimeRange } from './time-range';

export const MINUTE_MS = 60_000;
/** How many failure reasons the overview and the daily report show. */
export const TOP_REASONS = 10;


interface MinuteRow {
  minute: string | number;
  n: string | number;
}

export function createOverviewQueries({ client, database }: { client: ClickHouseClient; database: string }): OverviewQueries {
  const table = statusTable(database);
  return {
    async series(window, scope) {
      checkWindow(window);
      const range = { fromMs: window.fromMs, toMs: window.fromMs + window.minutes * MINUTE_MS };
      const inWindow = trafficIn(range, scope);
      const [statusRows, channelRows, failuresByReason] = await Promise.all([
        client.query<MinuteRow & { status: string }>(sql`
          SELECT intDiv(occurredAtMs, ${MINUTE_MS}) AS minute, status, uniqExact(statusId) AS n
          FROM ${table} WHERE ${inWindow} AND status IN ${sqlList(CHARTED_STATUSES)}
          GROUP BY minute, status`),
        client.query<MinuteRow & { channel: string }>(sql`
          SELECT intDiv(occurredAtMs, ${MINUTE_MS}) AS minute, channel, uniqExact(statusId) AS n
          FROM ${table} WHERE ${inWindow} AND status = 'sent'
          GROUP BY minute, channel`),
        topFailureReasons({ client, database }, range, scope),
      ]);
      return {
        byStatus: spread(CHARTED_STATUSES, statusRows, (row) => row.status, window),
        byChannel: spread(CHANNELS, channelRows, (row) => row.channel, window),
        failuresByReason,
      };
    },
  };
}

/** Status changes in the range, the operators' own messages left out; with a scope, one mailing's only. */
function trafficIn(range: TimeRange, scope?: { mailingId: string }): SqlFragment {
  const ofScope = scope ? sql` AND sourceType = 'mailing' AND sourceId = ${scope.mailingId}` : sql``;
  return sql`${inRange(range)} AND sourceType NOT IN ${sqlList(OPERATOR_SOURCE_TYPES)}${ofScope}`;
}

/**
 * The TOP_REASONS most frequent reasons of deliveries whose latest status in the range is failed, most
 * frequent first (the overview's and the daily report's "failures by reason"): one query.
 */
export async function topFailureReasons(
  { client, database }: { client: ClickHouseClient; database: string }, range: TimeRange, scope?: { mailingId: string },
): Promise<{ reason: string; count: number }[]> {
  const rows = await client.query<{ failureReason: string; n: string | number }>(sql`
    SELECT latestReason AS failureReason, count() AS n
    FROM (
      SELECT deliveryId, argMax(status, ${LATEST}) AS currentStatus, argMax(reason, ${LATEST}) AS latestReason
      FROM ${statusTable(database)} WHERE ${trafficIn(range, scope)}
      GROUP BY deliveryId)
    WHERE currentStatus = 'failed'
    GROUP BY latestReason
    ORDER BY n DESC, failureReason
    LIMIT ${TOP_REASONS}`);
  return rows.map((row) => ({ reason: row.failureReason, count: Number(row.n) }));
}

/** Rows of (minute, key, n) as one zero-filled series per key, oldest minute first; other keys are ignored. */
export function spread<K extends string, R extends MinuteRow>(
  keys: readonly K[], rows: readonly R[], keyOf: (row: R) => string, window: OverviewWindow,
): Record<K, number[]> {
  const series = Object.fromEntries(keys.map((key) => [key, new Array<number>(window.minutes).fill(0)])) as Record<K, number[]>;
  const firstMinute = window.fromMs / MINUTE_MS;
  for (const row of rows) {
    const index = Number(row.minute) - firstMinute;
    const line = series[keyOf(row) as K] as number[] | undefined;
    if (line && index >= 0 && index < window.minutes) line[index] = Number(row.n);
  }
  return series;
}

function checkWindow(window: OverviewWindow): void {
  if (!Number.isSafeInteger(window.fromMs) || window.fromMs % MINUTE_MS !== 0 || !Number.isInteger(window.minutes)
    || window.minutes < 1 || window.minutes > 7 * 1440) {
    throw new RangeError(`not an overview window: ${JSON.stringify(window)}`);
  }
}
