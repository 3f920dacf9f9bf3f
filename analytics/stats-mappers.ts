/**
 * Pure mapping from ClickHouse result rows to the shapes the statistics API returns. No I/O here:
 * these are unit-tested with literal rows. JSONEachRow prints UInt64 (count(), occurredAtMs) as
 * strings on every ClickHouse version, hence the numeric coercion in one place.
 */
import { VestnikError } from '../platform/errors';
import type { Channel, DeliveryStatusName } from '../schemas/types';
import { DELIVERY_STATUSES } from '../schemas/types';

/** Deliveries (or status changes) counted by status; every known status is present, 0 when none. */
export interface StatusCounts {
  total: number;
  byStatus: Record<DeliveryStatusName, number>;
}

/** One delivery of a source, as listed by GET /api/stats/mailings/{id}. Times are epoch milliseconds. */
export interface SourceMessage {
  deliveryId: string;
  clientId: string;
  channel: Channel;
  status: DeliveryStatusName;
  attempts: number;
  lastError: string | null;
  firstAt: number;
  lastAt: number;
}

export interface DayCounts extends StatusCounts {
  /** The UTC day, 'YYYY-MM-DD'. */
  day: string;
}

export type UInt64Text = string | number;

export interface StatusCountRow {
  status: string;
  n: UInt64Text;
}

/** A row of the message page; aliases differ from column names, which ClickHouse would confuse. */
export interface MessageRow {
  deliveryId: string;
  deliveryClientId: string;
  deliveryChannel: string;
  currentStatus: string;
  attempts: UInt64Text;
  lastError: string;
  firstAt: UInt64Text;
  lastAt: UInt64Text;
}

const KNOWN_STATUSES: ReadonlySet<string> = new Set(DELIVERY_STATUSES);

export function emptyCounts(): StatusCounts {
  const byStatus = Object.fromEntries(DELIVERY_STATUSES.map((s) => [s, 0])) as Record<DeliveryStatusName, number>;
  return { total: 0, byStatus };
}

/**
 * Adds `n` under `status`. A status this version does not know (written by a newer one) is left out
 * of both byStatus and total, so that total is always the sum of byStatus.
 */
export function addCount(counts: StatusCounts, status: string, n: UInt64Text): void {
  if (!KNOWN_STATUSES.has(status)) return;
  const value = toNumber(n);
  counts.byStatus[status as DeliveryStatusName] += value;
  counts.total += value;
}

/** Rows of (status, n) → one StatusCounts. */
export function toStatusCounts(rows: readonly StatusCountRow[]): StatusCounts {
  const counts = emptyCounts();
  for (const row of rows) addCount(counts, row.status, row.n);
  return counts;
}

/**
 * Rows of (key, status, n) → StatusCounts per key, in first-seen order; `keys` are present even
 * without rows (a mailing that has no delivery yet counts zero).
 */
export function groupStatusCounts<K extends string>(
  rows: readonly (StatusCountRow & Record<K, string>)[],
  key: K,
  keys: readonly string[] = [],
): Map<string, StatusCounts> {
  const grouped = new Map<string, StatusCounts>(keys.map((k) => [k, emptyCounts()]));
  for (const row of rows) {
    const id = row[key];
    let counts = grouped.get(id);
    if (!counts) grouped.set(id, (counts = emptyCounts()));
    addCount(counts, row.status, row.n);
  }
  return grouped;
}

/** Rows of (day, status, n), ordered by day → one entry per day. */
export function toDayCounts(rows: readonly (StatusCountRow & { day: string })[]): DayCounts[] {
  return [...groupStatusCounts(rows, 'day')].map(([day, counts]) => ({ day, ...counts }));
}

export function toSourceMessage(row: MessageRow): SourceMessage {
  return {
    deliveryId: row.deliveryId,
    clientId: row.deliveryClientId,
    // The store writes only schema values (Avro-decoded), so these casts hold for our own rows.
    channel: row.deliveryChannel as Channel,
    status: row.currentStatus as DeliveryStatusName,
    attempts: toNumber(row.attempts),
    lastError: row.lastError === '' ? null : row.lastError,
    firstAt: toNumber(row.firstAt),
    lastAt: toNumber(row.lastAt),
  };
}

/** The opaque page cursor: base64url of the last deliveryId of the page. */
export function encodeCursor(deliveryId: string): string {
  return Buffer.from(deliveryId, 'utf8').toString('base64url');
}

/** The deliveryId inside a cursor; anything we did not produce is a 400 (VALIDATION_FAILED). */
export function decodeCursor(cursor: string): string {
  const invalid = () => new VestnikError('VALIDATION_FAILED', 'invalid pagination cursor', { details: { cursor } });
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  const deliveryId = Buffer.from(cursor, 'base64url').toString('utf8');
  if (encodeCursor(deliveryId) !== cursor) throw invalid();
  return deliveryId;
}

function toNumber(value: UInt64Text): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`not a count: ${String(value)}`);
  return n;
}
