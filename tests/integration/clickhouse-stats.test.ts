/**
 * The analytics store and queries on the real ClickHouse (start it with `bash infra/clickhouse.sh`).
 * Each run works in its own database, dropped in afterAll. Replays and duplicates are inserted on
 * purpose: every count must be exact before ReplacingMergeTree has merged anything, and after.
 */
import { loadConfig } from '../../platform/config';
import type { DeliveryStatusName, SourceType } from '../../schemas/types';
import { createClickHouseClient, type ClickHouseClient } from '../../analytics/clickhouse-client';
import { currentStatusTable, migrate, statusTable } from '../../analytics/schema';
import { CURRENT_STATUS_TABLE, MAILING_BUCKETS, MIGRATIONS, mailingPartitionOf, tableNames } from '../../analytics/migrations';
import { createMailingFolder, DEFAULT_FOLD_POLICY } from '../../analytics/fold-mailing';
import { sql, sqlIdentifier } from '../../analytics/sql-escape';
import { createStatsQueries, type StatsQueries } from '../../analytics/stats-queries';
import { topFailureReasons } from '../../analytics/overview-queries';
import { createDayTotals } from '../../analytics/day-totals';
import { createStatusStore } from '../../analytics/status-store';
import { uuidv5 } from '../../platform/ids';
import { uniqueName } from '../support/unique';
import { statusChange } from '../support/status-rows';

jest.setTimeout(60_000);

const DAY1 = Date.UTC(2024, 2, 1, 10, 0, 0);
const DAY2 = Date.UTC(2024, 2, 2, 9, 0, 0);
const database = uniqueName('vestnik_test_stats', { separator: '_' });
let client: ClickHouseClient;
let stats: StatsQueries;

const change = statusChange;

const M1: [SourceType, string] = ['mailing', 'm1'];
const M2: [SourceType, string] = ['mailing', 'm2'];
const N1: [SourceType, string] = ['notification', 'm1']; // same id, other source type: must not mix

// d2's final failure and d4's retry happen on day 2; d5 is queued and falls back in the same millisecond.
const batchA = [
  change(M1, 'd1', 'c1', 'sms', 'queued', 0, DAY1),
  change(M1, 'd1', 'c1', 'sms', 'sent', 1, DAY1 + 1000),
  change(M1, 'd1', 'c1', 'sms', 'sent', 1, DAY1 + 1000), // the same change twice in one batch
  change(M1, 'd2', 'c2', 'sms', 'queued', 0, DAY1),
  change(M1, 'd2', 'c2', 'sms', 'retrying', 1, DAY1 + 2000, 'HTTP 503'),
  change(M1, 'd3', 'c3', 'email', 'queued', 0, DAY1),
  change(M1, 'd3', 'c3', 'email', 'sent', 1, DAY1 + 500),
  change(M1, 'd5', 'c5', 'sms', 'fallback', 0, DAY1 + 7), // 'fallback' < 'queued' as text: precedence, not statusId, decides
  change(M1, 'd5', 'c5', 'sms', 'queued', 0, DAY1 + 7),
];
const batchB = [
  change(M1, 'd1', 'c1', 'sms', 'delivered', 1, DAY1 + 1500),
  change(M1, 'd2', 'c2', 'sms', 'failed', 2, DAY2, 'HTTP 500'),
  change(M1, 'd4', 'c4', 'sms', 'sent', 2, DAY2 + 60_000), // written before its earlier changes
  change(M1, 'd4', 'c4', 'sms', 'queued', 0, DAY1),
  change(M1, 'd4', 'c4', 'sms', 'retrying', 1, DAY2, 'timeout'),
  change(M2, 'e1', 'c1', 'email', 'queued', 0, DAY1),
  change(M2, 'e1', 'c1', 'email', 'sent', 1, DAY1 + 100),
  change(M2, 'e2', 'c2', 'push', 'queued', 0, DAY1),
  change(M2, 'e2', 'c2', 'push', 'expired', 0, DAY2),
  change(N1, 'x1', 'c9', 'sms', 'queued', 0, DAY1),
  change(N1, 'x1', 'c9', 'sms', 'sent', 1, DAY1 + 10),
];

function counts(byStatus: Partial<Record<DeliveryStatusName, number>>) {
  const total = Object.values(byStatus).reduce((a, b) => a + b, 0);
  return { total, byStatus: expect.objectContaining({ queued: 0, ...byStatus }) };
}

beforeAll(async () => {
  const config = loadConfig();
  client = createClickHouseClient({ url: config.clickhouse.url, username: config.clickhouse.user, password: config.clickhouse.password });
  if (!(await client.ping())) throw new Error(`ClickHouse is not answering at ${config.clickhouse.url}: run bash infra/clickhouse.sh`);
  await migrate(client, database);
  await migrate(client, database); // idempotent: a second boot changes nothing and does not fail
  const store = createStatusStore({ client, database });
  await store.insertBatch(batchA);
  await store.insertBatch(batchB);
  await store.insertBatch(batchA); // a replayed Kafka batch
  stats = createStatsQueries({ client, database });
});

afterAll(async () => {
  if (!client) return;
  await client.exec(sql`DROP DATABASE IF EXISTS ${sqlIdentifier(database)}`);
  await client.close();
});

describe('schema', () => {
  it('creates delivery_status and delivery_current as ReplacingMergeTrees, delivery_final_rows summing, and the views between them, once', async () => {
    const tables = await client.query<{ name: string; engine: string }>(
      sql`SELECT name, engine FROM system.tables WHERE database = ${database} ORDER BY name`,
    );
    expect(tables).toEqual([
      { name: 'delivery_current_v3', engine: 'ReplacingMergeTree' },
      { name: 'delivery_current_v3_feed', engine: 'MaterializedView' },
      { name: 'delivery_final_rows', engine: 'SummingMergeTree' },
      { name: 'delivery_final_rows_feed', engine: 'MaterializedView' },
      { name: 'delivery_status', engine: 'ReplacingMergeTree' },
    ]);
  });

  it('holds the duplicates physically before any merge (so the exact counts below mean something)', async () => {
    const [row] = await client.query<{ rows: string; changes: string }>(
      sql`SELECT count() AS rows, uniqExact(statusId) AS changes FROM ${statusTable(database)}`,
    );
    expect(Number(row?.changes)).toBe(new Set([...batchA, ...batchB].map((s) => s.statusId)).size);
    expect(Number(row?.rows)).toBeGreaterThan(Number(row?.changes));
    // delivery_current too: a row per change inserted, folded only by FINAL or a merge.
    const [current] = await client.query<{ rows: string; messages: string }>(
      sql`SELECT count() AS rows, uniqExact(sourceType, sourceId, clientId, channel) AS messages FROM ${currentStatusTable(database)}`,
    );
    expect(Number(current?.messages)).toBe(8); // d1–d5 and e1–e2 of the mailings, x1 of the notification
    expect(Number(current?.rows)).toBeGreaterThan(Number(current?.messages));
  });

  it('keeps each mailing\'s current rows in its bucket\'s partition, and every other source\'s in one partition more', async () => {
    const rows = await client.query<{ sourceType: string; sourceId: string; partition: string }>(sql`
      SELECT DISTINCT sourceType, sourceId, _partition_id AS partition FROM ${currentStatusTable(database)}
      WHERE sourceId IN ('m1', 'm2') ORDER BY sourceType, sourceId`);
    const bucketOf = async (mailingId: string) =>
      (await client.query<{ partition: string }>(sql`SELECT toString(${mailingPartitionOf(mailingId)}) AS partition`))[0]?.partition;
    expect(rows).toEqual([
      { sourceType: 'mailing', sourceId: 'm1', partition: await bucketOf('m1') },
      { sourceType: 'mailing', sourceId: 'm2', partition: await bucketOf('m2') },
      { sourceType: 'notification', sourceId: 'm1', partition: String(MAILING_BUCKETS) },
    ]);
    expect(Number(await bucketOf('m1'))).toBeLessThan(MAILING_BUCKETS);
  });

  it('fills delivery_current from the rows written before it existed (an upgrade), once, and drops the tables it replaces', async () => {
    const older = uniqueName('vestnik_test_upgrade', { separator: '_' });
    try {
      await client.exec(sql`CREATE DATABASE ${sqlIdentifier(older)}`);
      for (const statement of MIGRATIONS[0]!.statements(tableNames(older))) await client.exec(statement);
      await client.exec(sql`ALTER TABLE ${statusTable(older)} ADD COLUMN provider String DEFAULT ''`);
      // The first table of current statuses, ordered by the source's text, and its view, as migration 003 made them.
      const retired = (name: string) => sqlIdentifier(`${older}.${name}`);
      await client.exec(sql`CREATE TABLE ${retired('delivery_current')} (sourceType String, sourceId String, clientId String, channel String,
        status String, rank UInt64) ENGINE = ReplacingMergeTree(rank) ORDER BY (sourceType, sourceId, clientId, channel)`);
      await client.exec(sql`CREATE MATERIALIZED VIEW ${retired('delivery_current_feed')} TO ${retired('delivery_current')}
        AS SELECT sourceType, sourceId, clientId, channel, status, occurredAtMs AS rank FROM ${statusTable(older)}`);
      // The second (migration 005), not partitioned, with its view.
      await client.exec(sql`CREATE TABLE ${retired('delivery_current_v2')} (sourceType String, sourceId String, rank UInt64)
        ENGINE = ReplacingMergeTree(rank) ORDER BY (sourceType, sourceId)`);
      await client.exec(sql`CREATE MATERIALIZED VIEW ${retired('delivery_current_v2_feed')} TO ${retired('delivery_current_v2')}
        AS SELECT sourceType, sourceId, occurredAtMs AS rank FROM ${statusTable(older)}`);
      await createStatusStore({ client, database: older }).insertBatch([...batchA, ...batchB]);
      await migrate(client, older);
      await migrate(client, older);
      const left = await client.query<{ name: string }>(sql`SELECT name FROM system.tables WHERE database = ${older} AND name LIKE 'delivery_current%' ORDER BY name`);
      expect(left.map((table) => table.name)).toEqual(['delivery_current_v3', 'delivery_current_v3_feed']);
      const upgraded = createStatsQueries({ client, database: older });
      expect(await upgraded.countsBySource('mailing')).toEqual(await stats.countsBySource('mailing'));
      // The final rows too, each counted once by the one boot that created their view.
      const finalRowsOf = async (id: string) => Number((await client.query<{ n: string }>(sql`SELECT count() AS n FROM ${statusTable(older)}
        WHERE sourceType = 'mailing' AND sourceId = ${id} AND status IN ('sent', 'delivered', 'failed', 'expired', 'suppressed', 'fallback')`))[0]?.n);
      const rowsBefore = await upgraded.finalRowsBySource('mailing', ['m1', 'm2']);
      expect(rowsBefore).toEqual(new Map([['m1', await finalRowsOf('m1')], ['m2', await finalRowsOf('m2')]]));
      // And from then on, kept at insert time.
      await createStatusStore({ client, database: older }).insertBatch([change(M2, 'e3', 'c3', 'sms', 'sent', 1, DAY2)]);
      expect((await upgraded.countsBySource('mailing', ['m2'])).get('m2')).toEqual(counts({ sent: 2, expired: 1 }));
      expect((await upgraded.finalRowsBySource('mailing', ['m2'])).get('m2')).toBe(rowsBefore.get('m2')! + 1);
    } finally {
      await client.exec(sql`DROP DATABASE IF EXISTS ${sqlIdentifier(older)}`);
    }
  });
});

describe('countsBySource', () => {
  it('counts each delivery once, by its current status', async () => {
    const bySource = await stats.countsBySource('mailing');
    expect([...bySource.keys()]).toEqual(['m1', 'm2']);
    expect(bySource.get('m1')).toEqual(counts({ delivered: 1, failed: 1, sent: 2, fallback: 1 }));
    expect(bySource.get('m2')).toEqual(counts({ sent: 1, expired: 1 }));
  });

  it('keeps source types apart and lists requested sources without deliveries as zero', async () => {
    const bySource = await stats.countsBySource('notification', ['m1', 'nothing-here']);
    expect(bySource.get('m1')).toEqual(counts({ sent: 1 }));
    expect(bySource.get('nothing-here')).toEqual(counts({}));
    expect(bySource.size).toBe(2);
  });
});

describe('sourceDetail', () => {
  it('pages through the deliveries by deliveryId with the counts on every page', async () => {
    const pages = [];
    let cursor: string | null = null;
    do {
      const page = await stats.sourceDetail('mailing', 'm1', { limit: 2, cursor });
      expect(page).toMatchObject(counts({ delivered: 1, failed: 1, sent: 2, fallback: 1 }));
      pages.push(page.messages.map((m) => m.deliveryId));
      cursor = page.nextCursor;
    } while (cursor !== null && pages.length < 10);
    expect(pages).toEqual([['d1', 'd2'], ['d3', 'd4'], ['d5']]);
  });

  it('reports attempts, the last error and the first and last times of each delivery', async () => {
    const { messages } = await stats.sourceDetail('mailing', 'm1', { limit: 10 });
    const byId = new Map(messages.map((m) => [m.deliveryId, m]));
    expect(byId.get('d2')).toEqual({
      deliveryId: 'd2', clientId: 'c2', channel: 'sms', status: 'failed', attempts: 2, lastError: 'HTTP 500',
      firstAt: DAY1, lastAt: DAY2,
    });
    expect(byId.get('d4')).toMatchObject({ status: 'sent', attempts: 2, lastError: 'timeout', firstAt: DAY1, lastAt: DAY2 + 60_000 });
    expect(byId.get('d1')).toMatchObject({ status: 'delivered', attempts: 1, lastError: null });
    expect(byId.get('d5')).toMatchObject({ status: 'fallback' }); // same millisecond: precedence decides
  });

  it('returns an empty page and zero counts for an unknown source', async () => {
    const page = await stats.sourceDetail('mailing', "no'such", { limit: 5 });
    expect(page).toEqual({ ...counts({}), messages: [], nextCursor: null });
  });
});

describe('sourceDetail of a large source (its pages read from a range of ids)', () => {
  // Its own database: the other tests count across sources.
  const bigDatabase = uniqueName('vestnik_test_stats_big', { separator: '_' });
  const BIG: [SourceType, string] = ['mailing', 'big'];
  const ids = Array.from({ length: 600 }, (_, i) => uuidv5(`mailing:big:client-${i}:sms`));
  let big: StatsQueries;

  beforeAll(async () => {
    await migrate(client, bigDatabase);
    const store = createStatusStore({ client, database: bigDatabase });
    // Every delivery queued, most then sent: two rows each, as a fan-out and its senders write them.
    await store.insertBatch(ids.map((id, i) => change(BIG, id, `client-${i}`, 'sms', 'queued', 0, DAY1)));
    await store.insertBatch(ids.flatMap((id, i) => (i % 10 === 0 ? [] : [change(BIG, id, `client-${i}`, 'sms', 'sent', 1, DAY1 + 1000)])));
    big = createStatsQueries({ client, database: bigDatabase });
  });

  afterAll(async () => {
    await client.exec(sql`DROP DATABASE IF EXISTS ${sqlIdentifier(bigDatabase)}`);
  });

  it('pages through every delivery once, in id order, with none skipped at a range\'s edge', async () => {
    // A page of 7 asks for a range of ids when the source has more than 20 times 8: this one has 600.
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await big.sourceDetail(...BIG, { limit: 7, cursor });
      expect(page).toMatchObject(counts({ queued: 60, sent: 540 }));
      expect(page.messages.length).toBe(pages < 85 ? 7 : 5);
      seen.push(...page.messages.map((m) => m.deliveryId));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor !== null && pages < 100);
    expect(pages).toBe(86);
    expect(seen).toEqual([...ids].sort());
  });

  it('counts every message once however many streams its FINAL read is split into, replays included', async () => {
    // A replayed batch: rows equal to the first ones, still in parts of their own (no merge has folded them).
    await createStatusStore({ client, database: bigDatabase })
      .insertBatch(ids.slice(0, 50).map((id, i) => (i % 10 === 0
        ? change(BIG, id, `client-${i}`, 'sms', 'queued', 0, DAY1)
        : change(BIG, id, `client-${i}`, 'sms', 'sent', 1, DAY1 + 1000))));
    for (const finalStreams of [1, 2, 3, 16]) {
      const split = createStatsQueries({ client, database: bigDatabase, finalStreams });
      expect((await split.countsBySource(BIG[0], [BIG[1]])).get(BIG[1])).toEqual(counts({ queued: 60, sent: 540 }));
      expect((await split.countsByChannel({ sourceType: BIG[0], sourceId: BIG[1] })).get('sms')).toEqual(counts({ queued: 60, sent: 540 }));
    }
  });

  it('pages a status filter across the whole source', async () => {
    const page = await big.sourceDetail(...BIG, { limit: 100, status: 'queued' });
    expect(page.messages).toHaveLength(60);
    expect(page.messages.map((m) => m.deliveryId)).toEqual(ids.filter((_, i) => i % 10 === 0).sort());
    expect(page.nextCursor).toBeNull();
  });
});

describe('countsByChannel', () => {
  it('counts deliveries by channel and current status, filtered by source', async () => {
    const m1 = await stats.countsByChannel({ sourceType: 'mailing', sourceId: 'm1' });
    expect(m1.get('sms')).toEqual(counts({ delivered: 1, failed: 1, sent: 1, fallback: 1 }));
    expect(m1.get('email')).toEqual(counts({ sent: 1 }));
    expect(m1.has('push')).toBe(false);

    const mailings = await stats.countsByChannel({ sourceType: 'mailing' });
    expect(mailings.get('email')).toEqual(counts({ sent: 2 }));
    expect(mailings.get('push')).toEqual(counts({ expired: 1 }));

    const all = await stats.countsByChannel();
    expect(all.get('sms')?.total).toBe(5);
  });
});

describe('countsByDay', () => {
  it('counts distinct status changes per UTC day and status', async () => {
    const days = await stats.countsByDay({ sourceType: 'mailing', sourceId: 'm1' });
    expect(days.map((d) => d.day)).toEqual(['2024-03-01', '2024-03-02']);
    expect(days[0]).toEqual({ day: '2024-03-01', ...counts({ queued: 5, sent: 2, delivered: 1, retrying: 1, fallback: 1 }) });
    expect(days[0]?.byStatus.queued).toBe(5);
    expect(days[1]).toEqual({ day: '2024-03-02', ...counts({ failed: 1, sent: 1, retrying: 1 }) });
  });

  it('limits to a time range', async () => {
    const days = await stats.countsByDay({ sourceType: 'mailing', fromMs: DAY2, toMs: DAY2 + 60_000 });
    expect(days).toEqual([{ day: '2024-03-02', ...counts({ failed: 1, retrying: 1, expired: 1 }) }]);
  });
});

describe('a time range (GET /api/stats/...?from=&to=, the daily report)', () => {
  const day = (d: number) => ({ fromMs: Date.UTC(2024, 2, d), toMs: Date.UTC(2024, 2, d + 1) });
  const T1: [SourceType, string] = ['test', 'req-1'];
  const R1: [SourceType, string] = ['report', '2024-03-02'];
  const M3: [SourceType, string] = ['mailing', 'm3'];

  beforeAll(async () => {
    await createStatusStore({ client, database }).insertBatch([
      // On the edges of day 2: the last millisecond before it, and its end (the next day's first instant).
      change(M3, 'g1', 'c3', 'sms', 'queued', 0, Date.UTC(2024, 2, 2) - 1),
      change(M3, 'g1', 'c3', 'sms', 'sent', 1, Date.UTC(2024, 2, 3)),
      // The operators' own messages on day 2: a template test and two daily reports, one refused.
      change(T1, 't1', '', 'email', 'sent', 1, DAY2),
      change(R1, 'r1', 'report:a', 'email', 'failed', 1, DAY2, 'SMTP 550'),
      change(R1, 'r2', 'report:b', 'email', 'sent', 1, DAY2),
    ]);
  });

  it('counts each message of a source by its latest status in the range, and only sources with a change in it', async () => {
    expect(await stats.countsBySource('mailing', undefined, day(1))).toEqual(new Map([
      ['m1', counts({ delivered: 1, retrying: 1, sent: 1, fallback: 1, queued: 1 })],
      ['m2', counts({ sent: 1, queued: 1 })],
      ['m3', counts({ queued: 1 })],
    ]));
    expect(await stats.countsBySource('mailing', undefined, day(2))).toEqual(new Map([
      ['m1', counts({ failed: 1, sent: 1 })],
      ['m2', counts({ expired: 1 })],
    ]));
    expect(await stats.countsBySource('mailing', ['m3', 'nothing-here'], day(3))).toEqual(new Map([
      ['m3', counts({ sent: 1 })], ['nothing-here', counts({})],
    ]));
  });

  it('counts channels without the operators\' own messages, unless asked for by source type', async () => {
    const traffic = await stats.countsByChannel({ range: day(2) });
    expect([...traffic.keys()].sort()).toEqual(['push', 'sms']);
    expect(traffic.get('sms')).toEqual(counts({ failed: 1, sent: 1 }));
    expect((await stats.countsByChannel({ sourceType: 'report', range: day(2) })).get('email')).toEqual(counts({ failed: 1, sent: 1 }));
    expect((await stats.countsByChannel({ sourceType: 'test' })).get('email')).toEqual(counts({ sent: 1 }));
    expect((await stats.countsByChannel()).get('email')).toEqual(counts({ sent: 2 }));
  });

  it('ranks the failure reasons of the range, the operators\' own left out', async () => {
    const target = { client, database };
    expect(await topFailureReasons(target, day(2))).toEqual([{ reason: 'HTTP 500', count: 1 }]);
    expect(await topFailureReasons(target, day(1))).toEqual([]);
    expect(await topFailureReasons(target, { fromMs: DAY1, toMs: DAY2 + 1 })).toEqual([{ reason: 'HTTP 500', count: 1 }]);
  });

  it('gives the daily report the same numbers, in one call', async () => {
    const totals = await createDayTotals({ client, database }).of(day(2));
    expect(totals.mailings).toEqual([
      { mailingId: 'm1', ...counts({ failed: 1, sent: 1 }) },
      { mailingId: 'm2', ...counts({ expired: 1 }) },
    ]);
    expect(totals.channels).toEqual(expect.arrayContaining([
      { channel: 'sms', ...counts({ failed: 1, sent: 1 }) }, { channel: 'push', ...counts({ expired: 1 }) },
    ]));
    expect(totals.channels).toHaveLength(2);
    expect(totals.failures).toEqual([{ reason: 'HTTP 500', count: 1 }]);
  });
});

// Last but one: it writes rows of its own, which the whole-table counts above must not see.
describe('finalDeliveriesBySource', () => {
  it('counts the deliveries with a final status once each, replays included, and zero for sources without', async () => {
    expect(await stats.finalDeliveriesBySource('mailing', ['m1', 'm2', 'nothing-here'])).toEqual(new Map([['m1', 5], ['m2', 2], ['nothing-here', 0]]));
    // Deliveries still in flight are not final; a final status written twice is one delivery.
    const N2: [SourceType, string] = ['notification', 'in-flight'];
    await createStatusStore({ client, database }).insertBatch([
      change(N2, 'f1', 'c1', 'sms', 'queued', 0, DAY1),
      change(N2, 'f2', 'c2', 'sms', 'queued', 0, DAY1),
      change(N2, 'f2', 'c2', 'sms', 'retrying', 1, DAY1 + 10, 'HTTP 503'),
      change(N2, 'f3', 'c3', 'sms', 'queued', 0, DAY1),
      change(N2, 'f3', 'c3', 'sms', 'sent', 1, DAY1 + 20),
      change(N2, 'f3', 'c3', 'sms', 'sent', 1, DAY1 + 20),
    ]);
    expect(await stats.finalDeliveriesBySource('notification', ['in-flight', 'm1'])).toEqual(new Map([['in-flight', 1], ['m1', 1]]));
    expect(await stats.finalDeliveriesBySource('mailing', [])).toEqual(new Map());
    // The lifecycle's cheap first question: final rows, never fewer than final deliveries (the twice-written
    // `sent` counts twice until a merge folds it, so 1 or 2), and none where nothing is final.
    const rows = await stats.finalRowsBySource('notification', ['in-flight', 'm1', 'nothing-here']);
    expect(rows.get('in-flight')).toBeGreaterThanOrEqual(1);
    expect(rows.get('in-flight')).toBeLessThanOrEqual(2);
    expect(rows.get('m1')).toBeGreaterThanOrEqual(1);
    expect(rows.get('nothing-here')).toBe(0);
    // m1's messages have replayed rows, and some more than one final status (sent, then delivered).
    const mailingRows = await stats.finalRowsBySource('mailing', ['m1', 'm2']);
    expect(mailingRows.get('m1')).toBeGreaterThanOrEqual(5);
    expect(mailingRows.get('m2')).toBeGreaterThanOrEqual(2);
  });
});

describe('folding a finished mailing (fold-mailing.ts)', () => {
  const FOLDED: [SourceType, string] = ['mailing', 'folded'];
  const activeParts = async (partition: number) => Number((await client.query<{ n: string }>(sql`SELECT count() AS n FROM system.parts
    WHERE database = ${database} AND table = ${CURRENT_STATUS_TABLE} AND partition = ${String(partition)} AND active`))[0]?.n);

  it('merges the mailing\'s partition into one part, its counts unchanged; a mailing too small for the policy is left alone', async () => {
    const store = createStatusStore({ client, database });
    // No background merge meanwhile: the parts below must still be apart when the fold begins.
    const table = sqlIdentifier(`${database}.${CURRENT_STATUS_TABLE}`);
    await client.exec(sql`SYSTEM STOP MERGES ${table}`);
    // As a mailing writes them: every message's `queued` first, its outcome in a later insert, replayed once.
    const messages = Array.from({ length: 60 }, (_, i) => `f${String(i).padStart(2, '0')}`);
    await store.insertBatch(messages.map((id) => change(FOLDED, id, `client-${id}`, 'sms', 'queued', 0, DAY1)));
    const outcomes = messages.map((id, i) => change(FOLDED, id, `client-${id}`, 'sms', i % 10 === 0 ? 'failed' : 'sent', 1, DAY1 + 1000 + i));
    await store.insertBatch(outcomes);
    await store.insertBatch(outcomes.slice(0, 20));
    const [{ partition } = { partition: 'none' }] = await client.query<{ partition: string }>(sql`SELECT ${mailingPartitionOf(FOLDED[1])} AS partition`);
    const before = await stats.sourceDetail(...FOLDED, { limit: 100 });
    expect(before).toMatchObject(counts({ sent: 54, failed: 6 }));
    expect(await activeParts(Number(partition))).toBeGreaterThanOrEqual(3);
    await client.exec(sql`SYSTEM START MERGES ${table}`);

    const small = await createMailingFolder({ client, database }).fold(FOLDED[1], messages.length);
    expect(small).toMatchObject({ folded: false, reason: `60 messages, fewer than ${DEFAULT_FOLD_POLICY.minMessages}` });

    const folder = createMailingFolder({ client, database, policy: { minMessages: 10, maxPartitionRowsPerMessage: 8 } });
    const folded = await folder.fold(FOLDED[1], messages.length);
    expect(folded).toMatchObject({ folded: true });
    expect(folded.partitionRows).toBeGreaterThanOrEqual(messages.length * 2);
    expect(await activeParts(Number(partition))).toBe(1);
    expect(await stats.sourceDetail(...FOLDED, { limit: 100 })).toEqual(before);
    // Folded: one row per message of the mailing in the table itself, not only through FINAL.
    const [row] = await client.query<{ rows: string }>(sql`SELECT count() AS rows FROM ${currentStatusTable(database)}
      WHERE sourceType = ${FOLDED[0]} AND sourceId = ${FOLDED[1]}`);
    expect(Number(row?.rows)).toBe(messages.length);
  });
});

describe('after the background merge', () => {
  it('gives the same answers once the duplicates are folded', async () => {
    const before = await stats.countsBySource('mailing');
    await client.exec(sql`OPTIMIZE TABLE ${statusTable(database)} FINAL`);
    await client.exec(sql`OPTIMIZE TABLE ${currentStatusTable(database)} FINAL`);
    const [current] = await client.query<{ rows: string; messages: string }>(
      sql`SELECT count() AS rows, uniqExact(sourceType, sourceId, clientId, channel) AS messages FROM ${currentStatusTable(database)}`,
    );
    expect(current?.rows).toBe(current?.messages);
    const [row] = await client.query<{ rows: string; changes: string }>(
      sql`SELECT count() AS rows, uniqExact(statusId) AS changes FROM ${statusTable(database)}`,
    );
    expect(row?.rows).toBe(row?.changes);
    expect(await stats.countsBySource('mailing')).toEqual(before);
  });
});
