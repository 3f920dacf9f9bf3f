/**
 * One client's own deliveries, newest first (GET /api/me/notifications), over `delivery_status`.
 * Same rules as stats-queries.ts: one group per deliveryId, the current status by argMax over LATEST,
 * so duplicate rows of a replayed batch never show twice. Pages are keyset pages over
 * (firstAt, deliveryId) descending: firstAt (the delivery's first status) never changes once written,
 * so a delivery does not move between pages while it progresses.
 */
import { VestnikError } from '../platform/errors';
import type { Channel, DeliveryStatusName, SourceType } from '../schemas/types';
import type { ClickHouseClient } from './clickhouse-client';
import { statusTable } from './schema';
import { sql, sqlArray, sqlList } from './sql-escape';
import { LATEST, MAX_PAGE_SIZE, STATUS_PRECEDENCE } from './stats-queries';

/** One delivery of a client. Times are epoch milliseconds. */
export interface ClientDelivery {
  deliveryId: string;
  channel: Channel;
  sourceType: SourceType;
  sourceId: string;
  status: DeliveryStatusName;
  attempts: number;
  /** The reason of the current status (why it was suppressed, failed, retried), or null. */
  reason: string | null;
  firstAt: number;
  lastAt: number;
}

export interface ClientDeliveryPage {
  items: ClientDelivery[];
  nextCursor: string | null;
}

/** A result row; aliases differ from column names, which ClickHouse would confuse. */
interface ClientDeliveryRow {
  deliveryId: string;
  deliverySourceType: string;
  deliverySourceId: string;
  deliveryChannel: string;
  currentStatus: string;
  attempts: string | number;
  latestReason: string;
  firstAt: string | number;
  lastAt: string | number;
}

/** One status change of a delivery. `at` is epoch milliseconds. */
export interface StatusChange {
  status: DeliveryStatusName;
  reason: string | null;
  /** The provider that took the call of this change (sent, failed, retrying after a call), or null. */
  provider: string | null;
  attempt: number;
  at: number;
}

interface StatusChangeRow {
  deliveryId: string;
  changeStatus: string;
  changeReason: string;
  changeProvider: string;
  changeAttempt: string | number;
  changeAt: string | number;
}

export interface ClientDeliveries {
  /** One page of the client's deliveries, newest first; `cursor` is the previous page's nextCursor. */
  forClient(clientId: string, page?: { limit?: number; cursor?: string | null }): Promise<ClientDeliveryPage>;
  /**
   * Every status change of these deliveries of the client, oldest first, in ONE query (a page's worth):
   * one entry per statusId, so a change written twice (a replayed batch) shows once. Ids absent from
   * the table map to [].
   */
  historyOf(clientId: string, deliveryIds: readonly string[]): Promise<Map<string, StatusChange[]>>;
}

export function createClientDeliveries({ client, database }: { client: ClickHouseClient; database: string }): ClientDeliveries {
  const table = statusTable(database);
  return {
    async forClient(clientId, page = {}) {
      const limit = page.limit ?? 50;
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
        throw new VestnikError('VALIDATION_FAILED', `limit must be an integer from 1 to ${MAX_PAGE_SIZE}`, { details: { limit } });
      }
      const after = page.cursor ? decodeClientCursor(page.cursor) : null;
      const having = after
        ? sql`HAVING firstAt < ${after.firstAt} OR (firstAt = ${after.firstAt} AND deliveryId < ${after.deliveryId})`
        : sql``;
      const rows = await client.query<ClientDeliveryRow>(sql`
        SELECT deliveryId,
          any(sourceType) AS deliverySourceType,
          any(sourceId) AS deliverySourceId,
          any(channel) AS deliveryChannel,
          argMax(status, ${LATEST}) AS currentStatus,
          max(attempt) AS attempts,
          argMax(reason, ${LATEST}) AS latestReason,
          min(occurredAtMs) AS firstAt,
          max(occurredAtMs) AS lastAt
        FROM ${table} WHERE clientId = ${clientId}
        GROUP BY deliveryId
        ${having}
        ORDER BY firstAt DESC, deliveryId DESC
        LIMIT ${limit + 1}`);
      const items = rows.slice(0, limit).map(toClientDelivery);
      const last = items[items.length - 1];
      return { items, nextCursor: rows.length > limit && last ? encodeClientCursor(last) : null };
    },

    async historyOf(clientId, deliveryIds) {
      const history = new Map<string, StatusChange[]>(deliveryIds.map((id) => [id, []]));
      if (deliveryIds.length === 0) return history;
      // Ordered as argMax orders a delivery's rows (stats-queries LATEST): time, then lifecycle precedence.
      const rows = await client.query<StatusChangeRow>(sql`
        SELECT deliveryId, statusId,
          any(status) AS changeStatus, any(reason) AS changeReason, any(provider) AS changeProvider, any(attempt) AS changeAttempt, any(occurredAtMs) AS changeAt
        FROM ${table} WHERE clientId = ${clientId} AND deliveryId IN ${sqlList(deliveryIds)}
        GROUP BY deliveryId, statusId
        ORDER BY deliveryId, changeAt, indexOf(${sqlArray(STATUS_PRECEDENCE)}, changeStatus), changeAttempt`);
      for (const row of rows) history.get(row.deliveryId)?.push(toStatusChange(row));
      return history;
    },
  };
}

/** Pure mapping of a history row. */
export function toStatusChange(row: StatusChangeRow): StatusChange {
  return {
    status: row.changeStatus as DeliveryStatusName,
    reason: row.changeReason === '' ? null : row.changeReason,
    provider: row.changeProvider === '' ? null : row.changeProvider,
    attempt: toCount(row.changeAttempt),
    at: toCount(row.changeAt),
  };
}

/** Pure mapping of a row; UInt64 columns arrive as strings in JSONEachRow. */
export function toClientDelivery(row: ClientDeliveryRow): ClientDelivery {
  return {
    deliveryId: row.deliveryId,
    // The store writes only schema values (Avro-decoded), so these casts hold for our own rows.
    channel: row.deliveryChannel as Channel,
    sourceType: row.deliverySourceType as SourceType,
    sourceId: row.deliverySourceId,
    status: row.currentStatus as DeliveryStatusName,
    attempts: toCount(row.attempts),
    reason: row.latestReason === '' ? null : row.latestReason,
    firstAt: toCount(row.firstAt),
    lastAt: toCount(row.lastAt),
  };
}

/** The opaque cursor: base64url of "<firstAt>:<deliveryId>" of the page's last item. */
export function encodeClientCursor(item: { firstAt: number; deliveryId: string }): string {
  return Buffer.from(`${item.firstAt}:${item.deliveryId}`, 'utf8').toString('base64url');
}

/** The position inside a cursor; anything we did not produce is a 400 (VALIDATION_FAILED). */
export function decodeClientCursor(cursor: string): { firstAt: number; deliveryId: string } {
  const invalid = () => new VestnikError('VALIDATION_FAILED', 'invalid pagination cursor', { details: { cursor } });
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(cursor)) throw invalid();
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^(\d{1,16}):(.+)$/s.exec(text);
  const firstAt = Number(match?.[1]);
  const deliveryId = match?.[2] ?? '';
  if (!match || !Number.isSafeInteger(firstAt) || encodeClientCursor({ firstAt, deliveryId }) !== cursor) throw invalid();
  return { firstAt, deliveryId };
}

function toCount(value: string | number): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`not a count: ${String(value)}`);
  return n;
}
