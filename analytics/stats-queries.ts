/**
 * The statistics queries behind the API, over `delivery_status` (one row per status change) and, for a
 * message's current status without a time range, `delivery_current` (one row per message, kept at insert
 * time: its cost follows the number of messages asked about, not their changes).
 *
 * Exact before merges: ReplacingMergeTree folds duplicate rows (a replayed batch) only eventually, so
 * no query counts rows. A delivery's current status is argMax over its rows by (time, precedence,
 * attempt, statusId) — a duplicate row has the same key and the same status, so it cannot change the
 * result — and we count deliveries (one group per deliveryId) or distinct statusIds, never rows.
 */
import { VestnikError } from '../platform/errors';
import { FINAL_STATUSES, OPERATOR_SOURCE_TYPES, type Channel, type DeliveryStatusName, type SourceType } from '../schemas/types';
import type { ClickHouseClient } from './clickhouse-client';
import { STATUS_OF_RANK, STATUS_PRECEDENCE } from './migrations';
import { currentStatusTable, finalRowsTable, statusTable } from './schema';
import { askStreams, finalInStreams, keyRanges } from './final-streams';
import { idWindowEnd } from './id-window';
import { currentSourceConditions, type SourceSelection } from './source-key';
import { inRange, type TimeRange } from './time-range';
import { SqlFragment, sql, sqlArray, sqlJoin, sqlList } from './sql-escape';
import {
  DayCounts, MessageRow, SourceMessage, StatusCountRow, StatusCounts, decodeCursor, encodeCursor,
  groupStatusCounts, toDayCounts, toSourceMessage, toStatusCounts,
} from './stats-mappers';

export type { TimeRange };

/** When two changes of one delivery share a millisecond, the one further along the lifecycle wins. */
export { STATUS_PRECEDENCE };

/** Statuses whose reason is an error worth showing as a message's `lastError`. */
export const ERROR_STATUSES = ['failed', 'retrying'] as const satisfies readonly DeliveryStatusName[];

export const MAX_PAGE_SIZE = 1000;

/**
 * The ordering key of a delivery's rows under which argMax picks its current status. `queued` is every
 * delivery's first status and never its current one once another exists: a fan-out page repeated after a
 * crash re-emits `queued` with a later clock, which must not override the `sent` recorded in between.
 */
export const LATEST = sql`tuple(status != 'queued', occurredAtMs, indexOf(${sqlArray(STATUS_PRECEDENCE)}, status), attempt, statusId)`;

export interface SourceDetail extends StatusCounts {
  messages: SourceMessage[];
  nextCursor: string | null;
}

/**
 * Narrows the counts to messages with a status change in a range, each counted by its latest status in
 * the range: for a past day, what the day did (a message sent that day and failed the next is `sent`).
 * Without a sourceType, the operators' own messages (template test sends, the daily report) are left out:
 * they are not traffic.
 */
export interface StatsFilter {
  sourceType?: SourceType;
  sourceId?: string;
  range?: TimeRange;
}

export interface DayFilter extends StatsFilter {
  /** Epoch ms, inclusive. */
  fromMs?: number;
  /** Epoch ms, exclusive. */
  toMs?: number;
}

export interface StatsQueries {
  /**
   * Deliveries of each source by current status; every id of `sourceIds` is in the map (zeros when none).
   * With a range: by the latest status in it, and without ids only the sources with a change in it.
   */
  countsBySource(sourceType: SourceType, sourceIds?: readonly string[], range?: TimeRange): Promise<Map<string, StatusCounts>>;
  /** A source's counts and one page of its deliveries, ordered by deliveryId (keyset pagination). */
  /** Counts and a page of messages; `status` keeps only the messages whose current status it is. */
  sourceDetail(sourceType: SourceType, sourceId: string, page?: { limit?: number; cursor?: string | null; status?: DeliveryStatusName }): Promise<SourceDetail>;
  /**
   * How many deliveries of each source reached a final status (every id of `sourceIds` is in the map).
   * Final statuses are terminal, so a delivery with any final row is final now: a distinct count over
   * those rows, much cheaper than the current status of every delivery (the lifecycle asks it of the mailings
   * whose final rows reach their total).
   */
  finalDeliveriesBySource(sourceType: SourceType, sourceIds: readonly string[]): Promise<Map<string, number>>;
  /**
   * How many final rows each source has (every id of `sourceIds` is in the map): never fewer than its final
   * deliveries (a replayed row or a re-send's final row counts again), so a source with fewer final rows than
   * deliveries is certainly not done. Read from delivery_final_rows (migrations.ts 004), kept at insert time:
   * a few rows per source whatever its size, where finalDeliveriesBySource reads every final row of it.
   */
  finalRowsBySource(sourceType: SourceType, sourceIds: readonly string[]): Promise<Map<string, number>>;
  /** Deliveries by channel and current status (see StatsFilter for a range, and for the sources left out). */
  countsByChannel(filter?: StatsFilter): Promise<Map<Channel, StatusCounts>>;
  /** Deliveries by channel and current status of each source (a notification and its occurrences): one query. */
  channelCountsBySource(sourceType: SourceType, sourceIds: readonly string[]): Promise<Map<string, Map<Channel, StatusCounts>>>;
  /** Status changes per UTC day of occurrence and status (a retried delivery counts each retry). */
  countsByDay(filter?: DayFilter): Promise<DayCounts[]>;
}

export interface StatsQueriesOptions {
  client: ClickHouseClient;
  database: string;
  /**
   * How many key ranges a FINAL read of delivery_current is split into (final-streams.ts). Unset: as many as
   * the server's `max_threads`, asked once.
   */
  finalStreams?: number;
}

export function createStatsQueries({ client, database, finalStreams }: StatsQueriesOptions): StatsQueries {
  const table = statusTable(database);
  const current = currentStatusTable(database);
  const finalRows = finalRowsTable(database);
  const streams = streamCount(client, finalStreams);

  /**
   * One row per message matching `where` (a source's delivery to one client on one channel), with its
   * channel and current status. A re-send of a failed delivery is a new delivery id of the same source,
   * client and channel (domain/deliveries/build.ts `resendOf`), so grouping by client and channel counts
   * the original and its re-sends as one message whose status is the latest attempt's; without re-sends
   * this is one group per delivery id, as delivery ids are deterministic in exactly these columns.
   */
  const currentStatuses = (where: SqlFragment) => sql`
    SELECT sourceType, sourceId, clientId AS messageClientId, channel AS deliveryChannel, argMax(status, ${LATEST}) AS currentStatus
    FROM ${table} WHERE ${where}
    GROUP BY sourceType, sourceId, clientId, channel`;

  /**
   * The same rows as `currentStatuses`, read from delivery_current: FINAL keeps each message's row of the
   * largest rank (migrations.ts CURRENT_RANK), the argMax above, whether or not a merge has folded them yet.
   * For the current status only: the latest status within a time range needs every change.
   *
   * One source, or all of a source type or of the table, is read in as many streams as the server has
   * threads (final-streams.ts), so a large one uses every core. A list of sources is read in one stream:
   * lists are mostly of small sources (a notification's occurrences, a page of the console, the lifecycle's
   * checks), and each extra stream reads their few granules again (2.4× the CPU and twice the time at 40
   * one-message sources, measured with 2 streams).
   *
   * `columns` are the ones the caller groups by, and only those are read: a mailing's counts read the rank
   * alone (its status is in it, migrations.ts STATUS_OF_RANK), not the source's or the client's text.
   */
  const currentStatusesKept = async (selection: SourceSelection, columns: SqlFragment, read: 'split' | 'one stream') => finalInStreams(
    current,
    columns,
    whereAll(currentSourceConditions(selection)),
    read === 'split' ? await streams() : 1,
  );

  async function sourceCounts(sourceType: SourceType, sourceId: string): Promise<StatusCounts> {
    const rows = await client.query<StatusCountRow>(sql`
      SELECT currentStatus AS status, count() AS n
      FROM (${await currentStatusesKept({ sourceType, sourceIds: [sourceId] }, sql`${STATUS_OF_RANK} AS currentStatus`, 'split')})
      GROUP BY currentStatus`);
    return toStatusCounts(rows);
  }

  /** One number per source: `query` of the ids' SQL list gives rows of (sourceId, n); an id it leaves out is 0. */
  async function numberPerSource(sourceIds: readonly string[], query: (ids: SqlFragment) => SqlFragment): Promise<Map<string, number>> {
    const numbers = new Map<string, number>(sourceIds.map((id) => [id, 0]));
    if (sourceIds.length === 0) return numbers;
    const rows = await client.query<{ sourceId: string; n: string | number }>(query(sqlList(sourceIds)));
    for (const row of rows) numbers.set(row.sourceId, Number(row.n));
    return numbers;
  }

  /**
   * A page of a source's deliveries by id. `total` is about how many the source has: a large source's
   * page is read from a range of ids that should hold it (id-window.ts), widened until it does.
   */
  async function messagePage(
    sourceType: SourceType, sourceId: string, limit: number, after: string | null, status: DeliveryStatusName | undefined, total: number,
  ) {
    for (let attempt = 0; ; attempt++) {
      // A status filter keeps what it finds anywhere in the source: no range can be sized for it.
      const end = status === undefined ? idWindowEnd(after, limit + 1, total, attempt) : null;
      const rows = await messageRows(sourceType, sourceId, limit, after, status, end);
      if (end !== null && rows.length <= limit) continue; // the range held too few: the page may go on past it
      const page = rows.slice(0, limit).map(toSourceMessage);
      const last = page[page.length - 1];
      return { messages: page, nextCursor: rows.length > limit && last ? encodeCursor(last.deliveryId) : null };
    }
  }

  /** Up to limit + 1 deliveries after `after` (and before `end`, when given), each with its current status. */
  function messageRows(
    sourceType: SourceType, sourceId: string, limit: number, after: string | null, status: DeliveryStatusName | undefined, end: string | null,
  ): Promise<MessageRow[]> {
    const conditions = [sql`sourceType = ${sourceType}`, sql`sourceId = ${sourceId}`];
    if (after !== null) conditions.push(sql`deliveryId > ${after}`);
    if (end !== null) conditions.push(sql`deliveryId < ${end}`);
    if (status === undefined) {
      // The page's delivery ids first, from that one sorted column (a fraction of aggregating every
      // delivery of the source: 60–100 ms against ~500 at a million), then only their rows.
      conditions.push(sql`deliveryId IN (
        SELECT deliveryId FROM ${table} WHERE ${whereAll(conditions)}
        ORDER BY deliveryId LIMIT 1 BY deliveryId LIMIT ${limit + 1})`);
    }
    return client.query<MessageRow>(sql`
      SELECT deliveryId,
        any(clientId) AS deliveryClientId,
        any(channel) AS deliveryChannel,
        argMax(status, ${LATEST}) AS currentStatus,
        max(attempt) AS attempts,
        argMaxIf(reason, ${LATEST}, status IN ${sqlList(ERROR_STATUSES)}) AS lastError,
        min(occurredAtMs) AS firstAt,
        max(occurredAtMs) AS lastAt
      FROM ${table} WHERE ${whereAll(conditions)}
      GROUP BY deliveryId
      ${status === undefined ? sql`` : sql`HAVING currentStatus = ${status}`}
      ORDER BY deliveryId
      LIMIT ${limit + 1}`);
  }

  return {
    async countsBySource(sourceType, sourceIds, range) {
      if (sourceIds && sourceIds.length === 0) return new Map();
      const conditions = [sql`sourceType = ${sourceType}`];
      if (sourceIds) conditions.push(sql`sourceId IN ${sqlList(sourceIds)}`);
      if (range) conditions.push(inRange(range));
      const rows = await client.query<StatusCountRow & { sourceId: string }>(sql`
        SELECT sourceId, currentStatus AS status, count() AS n
        FROM (${range ? currentStatuses(whereAll(conditions)) : await currentStatusesKept(
          { sourceType, sourceIds }, sql`${sourceIdColumn(sourceIds)}, ${STATUS_OF_RANK} AS currentStatus`, sourceIds !== undefined && sourceIds.length > 1 ? 'one stream' : 'split',
        )})
        GROUP BY sourceId, currentStatus
        ORDER BY sourceId`);
      return groupStatusCounts(rows, 'sourceId', sourceIds ?? []);
    },

    async sourceDetail(sourceType, sourceId, page = {}) {
      const limit = checkLimit(page.limit ?? 100);
      const after = page.cursor ? decodeCursor(page.cursor) : null;
      // Counts first, then the page, not both at once: rows are only ever added, so every delivery the counts
      // saw is in the page's read too. In parallel, a batch inserted between the two reads gave counts of 5
      // with a page of 4 (a delivery's first rows can arrive in the same batch as its last).
      const counts = await sourceCounts(sourceType, sourceId);
      const messages = await messagePage(sourceType, sourceId, limit, after, page.status, counts.total);
      return { ...counts, ...messages };
    },

    // uniqExact per client and channel: a replayed final row, or a re-send's, still counts one message once.
    finalDeliveriesBySource: (sourceType, sourceIds) => numberPerSource(sourceIds, (ids) => sql`
      SELECT sourceId, uniqExact(clientId, channel) AS n FROM ${table}
      WHERE sourceType = ${sourceType} AND sourceId IN ${ids} AND status IN ${sqlList([...FINAL_STATUSES])}
      GROUP BY sourceId`),

    // sum(), not FINAL: the parts a merge has not summed yet add up the same.
    finalRowsBySource: (sourceType, sourceIds) => numberPerSource(sourceIds, (ids) => sql`
      SELECT sourceId, sum(finalRows) AS n FROM ${finalRows}
      WHERE sourceType = ${sourceType} AND sourceId IN ${ids}
      GROUP BY sourceId`),

    async countsByChannel(filter = {}) {
      const rows = await client.query<StatusCountRow & { channel: string }>(sql`
        SELECT deliveryChannel AS channel, currentStatus AS status, count() AS n
        FROM (${filter.range ? currentStatuses(whereAll(channelConditions(filter))) : await currentStatusesKept(
          sourceSelection(filter), sql`channel AS deliveryChannel, ${STATUS_OF_RANK} AS currentStatus`, 'split',
        )})
        GROUP BY deliveryChannel, currentStatus
        ORDER BY deliveryChannel`);
      return groupStatusCounts(rows, 'channel') as Map<Channel, StatusCounts>;
    },

    async channelCountsBySource(sourceType, sourceIds) {
      if (sourceIds.length === 0) return new Map();
      const rows = await client.query<StatusCountRow & { sourceId: string; channel: string }>(sql`
        SELECT sourceId, deliveryChannel AS channel, currentStatus AS status, count() AS n
        FROM (${await currentStatusesKept({ sourceType, sourceIds }, sql`${sourceIdColumn(sourceIds)}, channel AS deliveryChannel, ${STATUS_OF_RANK} AS currentStatus`, 'one stream')})
        GROUP BY sourceId, deliveryChannel, currentStatus
        ORDER BY sourceId, deliveryChannel`);
      const bySource = new Map<string, Map<Channel, StatusCounts>>();
      for (const id of sourceIds) bySource.set(id, new Map());
      for (const [id, group] of groupRows(rows, (row) => row.sourceId)) {
        bySource.set(id, groupStatusCounts(group, 'channel') as Map<Channel, StatusCounts>);
      }
      return bySource;
    },

    async countsByDay(filter = {}) {
      const conditions = sourceConditions(filter);
      if (filter.fromMs !== undefined) conditions.push(sql`occurredAt >= ${new Date(filter.fromMs)}`);
      if (filter.toMs !== undefined) conditions.push(sql`occurredAt < ${new Date(filter.toMs)}`);
      // uniqExact(statusId): a change written twice (replay) is still one change.
      const rows = await client.query<StatusCountRow & { day: string }>(sql`
        SELECT toString(toDate(occurredAt)) AS day, status, uniqExact(statusId) AS n
        FROM ${table} WHERE ${whereAll(conditions)}
        GROUP BY day, status
        ORDER BY day`);
      return toDayCounts(rows);
    },
  };
}

function groupRows<T>(rows: readonly T[], keyOf: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return groups;
}

/** What countsByChannel counts: the source asked for, else everything but the operators' own messages; in the range, if any. */
function channelConditions(filter: StatsFilter): SqlFragment[] {
  const conditions = sourceConditions(filter);
  if (filter.sourceType === undefined) conditions.push(sql`sourceType NOT IN ${sqlList(OPERATOR_SOURCE_TYPES)}`);
  if (filter.range) conditions.push(inRange(filter.range));
  return conditions;
}

/** A read's sourceId column: one source's names its id, so that its read finds it by key alone and never reads the text. */
function sourceIdColumn(sourceIds: readonly string[] | undefined): SqlFragment {
  return sourceIds?.length === 1 ? sql`${sourceIds[0]!} AS sourceId` : sql`sourceId`;
}

/** The sources countsByChannel reads from delivery_current: channelConditions without a range. */
function sourceSelection(filter: StatsFilter): SourceSelection {
  return {
    sourceType: filter.sourceType,
    sourceIds: filter.sourceId === undefined ? undefined : [filter.sourceId],
    excludedTypes: filter.sourceType === undefined ? OPERATOR_SOURCE_TYPES : undefined,
  };
}

function sourceConditions(filter: StatsFilter): SqlFragment[] {
  const conditions: SqlFragment[] = [];
  if (filter.sourceType !== undefined) conditions.push(sql`sourceType = ${filter.sourceType}`);
  if (filter.sourceId !== undefined) conditions.push(sql`sourceId = ${filter.sourceId}`);
  return conditions;
}

function whereAll(conditions: readonly SqlFragment[]): SqlFragment {
  return conditions.length === 0 ? sql`1` : sqlJoin(conditions.map((c) => sql`(${c})`), ' AND ');
}

function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new VestnikError('VALIDATION_FAILED', `limit must be an integer from 1 to ${MAX_PAGE_SIZE}`, { details: { limit } });
  }
  return limit;
}

/**
 * The number of streams for FINAL reads: `configured`, or the server's `max_threads`, asked at the first
 * read and kept (a failed ask is asked again: the query it was for fails the same way).
 */
function streamCount(client: ClickHouseClient, configured: number | undefined): () => Promise<number> {
  if (configured !== undefined) {
    keyRanges(configured); // refuses a count out of range at construction, not at the first query
    return () => Promise.resolve(configured);
  }
  let asked: Promise<number> | null = null;
  return () => {
    asked ??= askStreams(client).catch((error: unknown) => {
      asked = null;
      throw error;
    });
    return asked;
  };
}
