/**
 * Vestnik's ClickHouse SQL on a current release as well as on 18.16 (issue 15: "the same SQL on ClickHouse 18.16
 * and on current releases"). The current engine is chDB's, served over ClickHouse's HTTP interface by
 * tests/support/clickhouse-current.mjs; 18.16 is the test stack's server. The same rows go through the same
 * code on both: the schema's migrations (twice, as a second boot), the analytics insert, a mailing's counts and
 * pages, the lists, the overview, the daily totals, failed deliveries, a client's deliveries, the fold of a
 * finished mailing and a client's erasure. Each answer must be the same on both servers, and the main ones what
 * the rows say.
 *
 * Every status written twice here is written the same both times. Copies with other times are left out: a merge
 * keeps the one inserted last, and current releases fold equal keys within one insert as well
 * (`optimize_on_insert`), so such a copy's time would depend on when parts merge.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../platform/config';
import type { DeliveryStatus, SourceType } from '../../schemas/types';
import { createClickHouseClient, type ClickHouseClient } from '../../analytics/clickhouse-client';
import { migrate } from '../../analytics/schema';
import { createStatusStore } from '../../analytics/status-store';
import { createStatsQueries } from '../../analytics/stats-queries';
import { createOverviewQueries } from '../../analytics/overview-queries';
import { createDayTotals } from '../../analytics/day-totals';
import { createFailedDeliveries } from '../../analytics/failed-deliveries';
import { createClientDeliveries } from '../../analytics/client-deliveries';
import { createMailingFolder } from '../../analytics/fold-mailing';
import { createAnalyticsErasure } from '../../analytics/erase';
import { sql, sqlIdentifier, type SqlFragment } from '../../analytics/sql-escape';
import { uniqueName } from '../support/unique';
import { statusChange } from '../support/status-rows';
import { startCurrentClickHouse, type CurrentClickHouse } from '../support/current-clickhouse-process';
import { waitFor } from '../support/wait-for';

jest.setTimeout(120_000);

const T0 = Date.UTC(2026, 11, 5, 10, 0, 0);
const HOUR = 3_600_000;

/** A change as statusChange builds it, with the provider's fields a sender would fill. */
function change(...args: Parameters<typeof statusChange>): DeliveryStatus {
  const row = statusChange(...args);
  return { ...row, providerMessageId: row.status === 'sent' ? `pm-${row.deliveryId}` : null, provider: row.channel === 'sms' && row.status !== 'queued' ? 'primary' : null };
}

const M1: [SourceType, string] = ['mailing', 'mailing-1'];
const M2: [SourceType, string] = ['mailing', 'mailing-2'];
const N1: [SourceType, string] = ['notification', 'notification-1'];

const batchA = [
  change(M1, 'd1', 'c1', 'email', 'queued', 0, T0),
  change(M1, 'd1', 'c1', 'email', 'sent', 1, T0 + 1000),
  change(M1, 'd2', 'c2', 'email', 'queued', 0, T0),
  change(M1, 'd2', 'c2', 'email', 'retrying', 1, T0 + 2000, 'smtp timeout'),
  change(M1, 'd3', 'c3', 'sms', 'queued', 0, T0),
  change(M1, 'd3', 'c3', 'sms', 'queued', 0, T0), // the same row twice in one insert
  change(M1, 'd4', 'c4', 'sms', 'queued', 0, T0),
  change(M1, 'd4', 'c4', 'sms', 'sent', 1, T0 + 3000),
  change(M1, 'd5', 'c5', 'push', 'queued', 0, T0),
  change(M1, 'd5', 'c5', 'push', 'failed', 1, T0 + 1500, 'token expired'),
  change(M1, 'd6', 'клиент-6', 'sms', 'queued', 0, T0),
  change(M1, 'd6', 'клиент-6', 'sms', 'failed', 1, T0 + 8000, "it's a \\ back'slash, é, ошибка\nline 2"),
  change(M2, 'e1', 'c1', 'email', 'queued', 0, T0 - 24 * HOUR),
  change(M2, 'e1', 'c1', 'email', 'expired', 0, T0 - 23 * HOUR, 'ttl'),
  change(M2, 'e2', 'c2', 'webhook', 'suppressed', 0, T0 - 24 * HOUR, 'opted out'),
];
const batchB = [
  change(M1, 'd1', 'c1', 'email', 'delivered', 1, T0 + 5000),
  change(M1, 'd2', 'c2', 'email', 'failed', 2, T0 + 62_000, 'smtp 550 mailbox unavailable'),
  change(M1, 'd4', 'c4', 'sms', 'queued', 0, T0), // a replayed batch: the same row again, in a later insert
  change(M1, 'd7', 'c7', 'email', 'sent', 1, T0 + 7000), // written before its queued row
  change(M1, 'd7', 'c7', 'email', 'queued', 0, T0),
  change(M1, 'd5r', 'c5', 'push', 'queued', 0, T0 + HOUR), // a re-send of d5
  change(M1, 'd5r', 'c5', 'push', 'delivered', 1, T0 + HOUR + 900),
  change(N1, 'n1', 'c1', 'inapp', 'queued', 0, T0 + 500),
  change(N1, 'n1', 'c1', 'inapp', 'delivered', 1, T0 + 900),
  change(N1, 'n2', 'c2', 'push', 'waiting', 0, T0 + 500),
  change(['welcome', 'welcome'], 'w1', 'c9', 'sms', 'fallback', 1, T0 + 1200, 'no sms route'),
];

/** Maps as plain objects, so answers compare and print as JSON. */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_key, v: unknown) => (v instanceof Map ? Object.fromEntries(v) : v)));
}

/** Every answer of the scenario on one server, by the call that gave it. */
async function answersOf(client: ClickHouseClient, database: string): Promise<Record<string, unknown>> {
  await migrate(client, database);
  await migrate(client, database); // a second boot changes nothing and does not fail
  const store = createStatusStore({ client, database, now: () => T0 + 2 * HOUR });
  await store.insertBatch(batchA);
  await store.insertBatch(batchB);

  const stats = createStatsQueries({ client, database });
  const oneStream = createStatsQueries({ client, database, finalStreams: 1 });
  const overview = createOverviewQueries({ client, database });
  const failed = createFailedDeliveries({ client, database });
  const deliveries = createClientDeliveries({ client, database });
  const folder = createMailingFolder({ client, database, policy: { minMessages: 1, maxPartitionRowsPerMessage: 1000 } });
  const day = { fromMs: T0 - 10 * HOUR, toMs: T0 + 14 * HOUR };
  const answers: Record<string, unknown> = {};
  const answer = async (name: string, call: () => Promise<unknown>) => { answers[name] = plain(await call()); };

  await answer('a mailing, counts and first page', () => stats.sourceDetail(...M1, { limit: 4 }));
  const first = answers['a mailing, counts and first page'] as { nextCursor: string };
  await answer('a mailing, second page', () => stats.sourceDetail(...M1, { limit: 4, cursor: first.nextCursor }));
  await answer('a mailing, its failed messages', () => oneStream.sourceDetail(...M1, { status: 'failed' }));
  await answer('the list of mailings', () => oneStream.countsBySource('mailing', [M1[1], M2[1], 'mailing-none']));
  await answer('every mailing', () => stats.countsBySource('mailing'));
  await answer('mailings in a day', () => oneStream.countsBySource('mailing', undefined, day));
  await answer('by channel', () => stats.countsByChannel());
  await answer('a notification by channel', () => oneStream.channelCountsBySource('notification', [N1[1]]));
  await answer('final deliveries', () => oneStream.finalDeliveriesBySource('mailing', [M1[1], M2[1]]));
  await answer('final rows', () => oneStream.finalRowsBySource('mailing', [M1[1], M2[1]]));
  await answer('by day', () => oneStream.countsByDay());
  await answer('the overview', () => overview.series({ fromMs: T0 - 10 * 60_000, minutes: 90 }));
  await answer('the overview of a mailing', () => overview.series({ fromMs: T0 - 10 * 60_000, minutes: 90 }, { mailingId: M1[1] }));
  await answer('the daily totals', () => createDayTotals({ client, database }).of(day));
  await answer('failed deliveries', () => failed.page(...M1, null, 100));
  await answer("a client's deliveries", () => deliveries.forClient('c1', { limit: 10 }));
  await answer("a client's history", () => deliveries.historyOf('c1', ['d1', 'e1', 'n1', 'none']));
  // Only where: how many rows its parts hold before the fold is up to each server's merges.
  await answer('the partition before the fold', () => folder.partitionOf(M1[1]).then(({ partition }) => partition));
  await answer('the fold', () => folder.fold(M1[1], 8).then(({ folded }) => folded));
  await answer('the partition after the fold', () => folder.partitionOf(M1[1]).then(({ parts }) => parts));
  await answer('a mailing after the fold', () => stats.sourceDetail(...M1, { limit: 100 }));
  const erasure = createAnalyticsErasure({ client, database });
  await answer('an erasure', () => erasure.eraseClient('c9'));
  // The erasure is a mutation, which a server may run in the background.
  await waitFor(async () => (await erasure.rowsOf('c9')) === 0, { timeoutMs: 30_000, description: "c9's rows erased" });
  await answer("an erased client's rows", () => erasure.rowsOf('c9'));
  return answers;
}

let current: CurrentClickHouse;
let dataDir: string;
let legacyClient: ClickHouseClient;
let currentClient: ClickHouseClient;
const database = uniqueName('vestnik_test_current', { separator: '_' });
let legacy: Record<string, unknown>;
let latest: Record<string, unknown>;

beforeAll(async () => {
  const config = loadConfig();
  legacyClient = createClickHouseClient({ url: config.clickhouse.url, username: config.clickhouse.user, password: config.clickhouse.password });
  if (!(await legacyClient.ping())) throw new Error(`ClickHouse is not answering at ${config.clickhouse.url}: run bash infra/clickhouse.sh`);
  dataDir = mkdtempSync(path.join(tmpdir(), 'vestnik-clickhouse-current-'));
  current = await startCurrentClickHouse(dataDir);
  currentClient = createClickHouseClient({ url: current.url, maxOpenConnections: 1 });
  legacy = await answersOf(legacyClient, database);
  latest = await answersOf(currentClient, database);
});

afterAll(async () => {
  await legacyClient?.exec(sql`DROP DATABASE IF EXISTS ${sqlIdentifier(database)}`);
  await legacyClient?.close();
  await currentClient?.close();
  current?.child.kill('SIGTERM');
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('the same SQL on ClickHouse 18.16 and a current release', () => {
  it('runs against a current release and against 18.16', async () => {
    expect(Number(current.version.split('.')[0])).toBeGreaterThanOrEqual(24);
    const [row] = await legacyClient.query<{ version: string }>(sql`SELECT version() AS version`);
    expect(row?.version).toMatch(/^18\.16\./);
  });

  it('gives every answer the same on both', () => {
    expect(Object.keys(latest)).toEqual(Object.keys(legacy));
    for (const name of Object.keys(legacy)) expect({ [name]: latest[name] }).toEqual({ [name]: legacy[name] });
  });

  it("gives a mailing's counts and pages as the rows say", () => {
    const detail = legacy['a mailing after the fold'] as { total: number; byStatus: Record<string, number>; messages: { deliveryId: string; status: string }[] };
    // Counted per client and channel (d5 and its re-send d5r are one message, delivered); listed per delivery.
    expect(detail.total).toBe(7);
    expect(detail.byStatus).toMatchObject({ delivered: 2, failed: 2, sent: 2, queued: 1 });
    expect(detail.messages.map((m) => `${m.deliveryId}:${m.status}`)).toEqual([
      'd1:delivered', 'd2:failed', 'd3:queued', 'd4:sent', 'd5:failed', 'd5r:delivered', 'd6:failed', 'd7:sent',
    ]);
    const first = legacy['a mailing, counts and first page'] as { messages: unknown[]; nextCursor: string | null };
    const second = legacy['a mailing, second page'] as { messages: unknown[]; nextCursor: string | null };
    expect([first.messages.length, second.messages.length, second.nextCursor]).toEqual([4, 4, null]);
    expect((legacy['a mailing, its failed messages'] as { messages: { deliveryId: string }[] }).messages.map((m) => m.deliveryId)).toEqual(['d2', 'd5', 'd6']);
    expect(legacy['final deliveries']).toEqual({ [M1[1]]: 6, [M2[1]]: 2 });
  });

  // Each server says "already exists" with its own code (18.16: 44, current releases: 15), so the boot asks
  // the table again rather than read the error.
  it.each(['18.16', 'the current release'])('takes a column another boot added meanwhile as added, on %s', async (server) => {
    const client = server === '18.16' ? legacyClient : currentClient;
    let columnChecks = 0;
    // A boot that looked just before the other one's ALTER: the first look finds no column.
    const racing: ClickHouseClient = {
      ...client,
      query: async <T>(statement: SqlFragment): Promise<T[]> => {
        if (!statement.text.includes('system.columns')) return client.query<T>(statement);
        columnChecks += 1;
        return columnChecks === 1 ? [] : client.query<T>(statement);
      },
    };
    await expect(migrate(racing, database)).resolves.toBeUndefined();
    expect(columnChecks).toBeGreaterThan(1);
  });

  it('folds a finished mailing into one part on both', () => {
    expect(legacy['the fold']).toBe(true);
    expect(legacy['the partition after the fold']).toBe(1);
  });

  it('keeps the failure text as written, lists the failed to re-send, and erases a client', () => {
    const failed = legacy['a mailing, its failed messages'] as { messages: { deliveryId: string; lastError: string | null }[] };
    expect(failed.messages.find((m) => m.deliveryId === 'd6')?.lastError).toBe("it's a \\ back'slash, é, ошибка\nline 2");
    expect(legacy['failed deliveries']).toEqual([
      expect.objectContaining({ clientId: 'c2', channel: 'email' }), expect.objectContaining({ clientId: 'клиент-6', channel: 'sms' }),
    ]);
    expect([legacy['an erasure'], legacy["an erased client's rows"]]).toEqual([true, 0]);
  });
});
