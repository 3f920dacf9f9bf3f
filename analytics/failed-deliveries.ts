/**
 * A source's messages whose latest delivery finally failed, for a re-send (processors/mailing-fanout/resend.ts).
 * A message is one source × client × channel: the original delivery and its re-sends (new delivery ids,
 * domain/deliveries/build.ts `resendOf`). Its latest delivery is the one that started last (its first
 * status is the newest), and it is eligible only when that delivery's current status is `failed`: a re-send
 * still queued or in flight makes its message ineligible, so a repeated request does not start another round.
 * `sends` is how many deliveries the message has had, so the next round's number is `sends`.
 */
import { VestnikError } from '../platform/errors';
import type { Channel, SourceType } from '../schemas/types';
import type { ClickHouseClient } from './clickhouse-client';
import { statusTable } from './schema';
import { sql } from './sql-escape';
import { LATEST, MAX_PAGE_SIZE } from './stats-queries';

/** One finally failed message of a source. */
export interface FailedMessage {
  clientId: string;
  channel: Channel;
  /** Deliveries so far: 1 for the original only, 2 after one re-send, … */
  sends: number;
}

/** Where a page ends; the next starts after it. */
export interface FailedCursor {
  clientId: string;
  channel: string;
}

export interface FailedDeliveries {
  /** Up to `limit` failed messages of the source after `after`, ordered by client and channel. */
  page(sourceType: SourceType, sourceId: string, after: FailedCursor | null, limit: number): Promise<FailedMessage[]>;
}

interface FailedRow {
  failedClientId: string;
  failedChannel: string;
  sends: string | number;
}

export function createFailedDeliveries({ client, database }: { client: ClickHouseClient; database: string }): FailedDeliveries {
  const table = statusTable(database);
  return {
    async page(sourceType, sourceId, after, limit) {
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
        throw new VestnikError('VALIDATION_FAILED', `limit must be an integer from 1 to ${MAX_PAGE_SIZE}`, { details: { limit } });
      }
      const afterCondition = after
        ? sql`AND (clientId > ${after.clientId} OR (clientId = ${after.clientId} AND channel > ${after.channel}))`
        : sql``;
      const rows = await client.query<FailedRow>(sql`
        SELECT failedClientId, failedChannel, count() AS sends
        FROM (
          SELECT deliveryId, any(clientId) AS failedClientId, any(channel) AS failedChannel,
            argMax(status, ${LATEST}) AS deliveryStatus, min(occurredAtMs) AS startedAt
          FROM ${table}
          WHERE sourceType = ${sourceType} AND sourceId = ${sourceId} ${afterCondition}
          GROUP BY deliveryId
        )
        GROUP BY failedClientId, failedChannel
        HAVING argMax(deliveryStatus, startedAt) = 'failed'
        ORDER BY failedClientId, failedChannel
        LIMIT ${limit}`);
      return rows.map(toFailedMessage);
    },
  };
}

/** Pure mapping of a row; UInt64 counts arrive as strings in JSONEachRow. */
export function toFailedMessage(row: FailedRow): FailedMessage {
  const sends = Number(row.sends);
  if (!Number.isSafeInteger(sends) || sends < 1) throw new RangeError(`not a count of sends: ${String(row.sends)}`);
  // The store writes only schema values (Avro-decoded), so the channel cast holds for our own rows.
  return { clientId: row.failedClientId, channel: row.failedChannel as Channel, sends };
}
