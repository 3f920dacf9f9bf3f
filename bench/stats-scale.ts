/**
 * Statistics at scale (issue 15): how long a mailing's statistics take when it has N deliveries and the table
 * holds N, then 10 × N deliveries. Rows are inserted directly (server-side INSERT … SELECT, a `queued` and a
 * `sent` change per delivery, as the pipeline writes them), so the figure is the queries', not the pipeline's.
 * Each query runs RUNS times and the median is reported: right after the inserts (nothing merged, the worst
 * case), and at the end after OPTIMIZE … FINAL. The per-change query the counts used before delivery_current
 * (argMax over every change, stats-queries.ts LATEST), the counts read in one FINAL stream (before
 * final-streams.ts), and the counts from a table ordered by the source's text (before analytics/source-key.ts),
 * are timed beside them on the same data.
 * Works in a database of its own on the configured ClickHouse, dropped at the end.
 * Usage: node dist/bench/stats-scale.js [--deliveries N] [--out F]
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createClickHouseClient, type ClickHouseClient } from '../analytics/clickhouse-client';
import { CURRENT_STATUS_TABLE, migrate, statusTable } from '../analytics/schema';
import { sql, sqlIdentifier, sqlList } from '../analytics/sql-escape';
import { askStreams } from '../analytics/final-streams';
import { LATEST, createStatsQueries, type StatsQueries } from '../analytics/stats-queries';
import { outputModeOf } from '../cli/output/mode';
import { createProgressView } from '../cli/output/progress';
import { loadConfig } from '../platform/config';
import { FINAL_STATUSES } from '../schemas/types';
import { fmt, ms, renderTable, writeJson, type TableRow } from './report';
import { createTextKeyedCurrent, textKeyedCounts, textKeyedTable } from './text-keyed-current';

const RUNS = 7;
/** Deliveries per INSERT … SELECT: a few seconds each, so the progress line moves. */
const CHUNK = 500_000;
const SMALL_MAILINGS = 49;
const SMALL_SIZE = 1_000;
const TARGET_MS = 100;

interface Args {
  deliveries: number;
  out: string;
}

function parseArgs(argv: readonly string[]): Args {
  const valueOf = (name: string) => {
    const index = argv.indexOf(name);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  const deliveries = Number(valueOf('--deliveries') ?? 1_000_000);
  if (!Number.isInteger(deliveries) || deliveries < SMALL_SIZE) throw new TypeError(`--deliveries must be an integer ≥ ${SMALL_SIZE}`);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return { deliveries, out: valueOf('--out') ?? `bench/results/stats-scale-${stamp}.json` };
}

/**
 * `count` deliveries of mailing `sourceId`, each a `queued` then a `sent` change: every `queued` first, then every
 * `sent`, one INSERT per CHUNK of either, so that a message's two rows are in different parts, as the pipeline
 * writes them (the fan-out's, then the senders'), and FINAL folds them across parts. Their ids are UUID-shaped and
 * spread as the pipeline's v5 ids are (hex of a hash), which the page's id range counts on (analytics/id-window.ts).
 * `onChunk` is told of the rows (changes) written.
 */
async function insertMailing(client: ClickHouseClient, database: string, sourceId: string, count: number, onChunk: (rows: number) => void): Promise<void> {
  const start = Date.UTC(2026, 11, 1);
  for (const change of ['queued', 'sent'] as const) {
    for (let from = 0; from < count; from += CHUNK) {
      const n = Math.min(CHUNK, count - from);
      await client.exec(sql`
        INSERT INTO ${statusTable(database)} (statusId, deliveryId, sourceType, sourceId, clientId, channel, priority, status, attempt,
          reason, providerMessageId, provider, occurredAt, occurredAtMs, insertedAt)
        SELECT concat(deliveryId, ':', change, ':', toString(attempt)), deliveryId, 'mailing', ${sourceId}, clientId, 'sms', 'bulk', change, attempt,
          '', '', if(change = 'sent', 'sms-api', ''), toDateTime(intDiv(atMs, 1000)), atMs, now()
        FROM (
          SELECT concat(substring(h, 1, 8), '-', substring(h, 9, 4), '-5', substring(h, 14, 3), '-', substring(h, 17, 4), '-', substring(h, 21, 12)) AS deliveryId,
            concat('c', toString(number)) AS clientId,
            ${change} AS change, toUInt32(change = 'sent') AS attempt,
            toUInt64(${start} + number * 2 + (change = 'sent')) AS atMs,
            lower(hex(MD5(concat(${sourceId}, '-', toString(number))))) AS h
          FROM numbers(${from}, ${n})
        )`);
      onChunk(n);
    }
  }
}

/** The median of RUNS timings of `query`, in ms, and its last answer (checked below). */
async function timed<T>(query: () => Promise<T>): Promise<{ medianMs: number; answer: T }> {
  const times: number[] = [];
  let answer: T | undefined;
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    answer = await query();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { medianMs: times[Math.floor(times.length / 2)]!, answer: answer as T };
}

interface Timings {
  /** The console's mailing page: its counts by status. */
  mailingCounts: number;
  /** The same counts read in one FINAL stream, as before final-streams.ts. */
  mailingCountsOneStream: number;
  /** The same counts from the table ordered by the source's text, as before source-key.ts (as many streams). */
  mailingCountsTextKeyed: number;
  /** Its counts and first page of 100 deliveries. */
  mailingDetail: number;
  /** The mailing list: counts of 50 mailings in one query. */
  mailingList: number;
  /** Before delivery_current: argMax over every change of the mailing. */
  perChangeCounts: number;
  /** The scheduler's first question of the running mailings: their final rows (delivery_final_rows). */
  finalRows: number;
  /** Before delivery_final_rows: a count() of those rows in delivery_status. */
  finalRowsCounted: number;
}

async function measure(
  client: ClickHouseClient, database: string, stats: StatsQueries, oneStream: StatsQueries, target: string, listed: string[], expected: number,
  streams: number,
): Promise<Timings> {
  const counts = await timed(() => stats.countsBySource('mailing', [target]));
  const sent = counts.answer.get(target)?.byStatus.sent;
  if (sent !== expected) throw new Error(`the mailing's counts say ${sent} sent, not ${expected}`);
  const countsOneStream = await timed(() => oneStream.countsBySource('mailing', [target]));
  if (countsOneStream.answer.get(target)?.byStatus.sent !== expected) throw new Error('the counts in one stream differ');
  const countsTextKeyed = await timed(() => textKeyedCounts(client, database, target, streams));
  if (countsTextKeyed.answer.get('sent') !== expected) throw new Error('the counts from the text-keyed table differ');
  const detail = await timed(() => stats.sourceDetail('mailing', target, { limit: 100 }));
  const list = await timed(() => stats.countsBySource('mailing', listed));
  const perChange = await timed(() => client.query<{ status: string; n: string }>(sql`
    SELECT currentStatus AS status, count() AS n FROM (
      SELECT argMax(status, ${LATEST}) AS currentStatus FROM ${statusTable(database)}
      WHERE sourceType = 'mailing' AND sourceId = ${target} GROUP BY clientId, channel)
    GROUP BY currentStatus`));
  const finalRows = await timed(() => stats.finalRowsBySource('mailing', listed));
  if (finalRows.answer.get(target) !== expected) throw new Error(`the mailing's final rows are ${finalRows.answer.get(target)}, not ${expected}`);
  const finalRowsCounted = await timed(() => client.query<{ sourceId: string; n: string }>(sql`
    SELECT sourceId, count() AS n FROM ${statusTable(database)}
    WHERE sourceType = 'mailing' AND sourceId IN ${sqlList(listed)} AND status IN ${sqlList([...FINAL_STATUSES])}
    GROUP BY sourceId`));
  return {
    mailingCounts: counts.medianMs, mailingCountsOneStream: countsOneStream.medianMs,
    mailingCountsTextKeyed: countsTextKeyed.medianMs, mailingDetail: detail.medianMs, mailingList: list.medianMs, perChangeCounts: perChange.medianMs,
    finalRows: finalRows.medianMs, finalRowsCounted: finalRowsCounted.medianMs,
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const config = loadConfig();
  const client = createClickHouseClient({ url: config.clickhouse.url, username: config.clickhouse.user, password: config.clickhouse.password });
  const database = `vestnik_bench_stats_${Date.now().toString(36)}`;
  const n = args.deliveries;
  // UUIDs, as the API gives mailings: a short id made the source's text, which the table was once ordered by, look cheap.
  const target = randomUUID();
  const small = Array.from({ length: SMALL_MAILINGS }, () => randomUUID());
  const others = Array.from({ length: 9 }, () => randomUUID());
  try {
    await migrate(client, database);
    await createTextKeyedCurrent(client, database);
    const stats = createStatsQueries({ client, database });
    const oneStream = createStatsQueries({ client, database, finalStreams: 1 });
    // The text-keyed table is read in as many streams as the real one (final-streams.ts), so only the key differs.
    const streams = await askStreams(client);
    const insert = async (label: string, mailings: [string, number][]) => {
      const total = 2 * mailings.reduce((sum, [, count]) => sum + count, 0); // rows: two changes per delivery
      const view = createProgressView({ label, mode: outputModeOf({}) });
      let done = 0;
      for (const [id, count] of mailings) {
        await insertMailing(client, database, id, count, (chunk) => view.update({ value: (done += chunk), total }));
      }
      view.stop({ value: done, total });
    };
    await insert(`${fmt(n)} deliveries of one mailing, ${SMALL_MAILINGS} of ${fmt(SMALL_SIZE)} (status changes written)`, [[target, n], ...small.map((id): [string, number] => [id, SMALL_SIZE])]);
    const listed = [target, ...small];
    const atN = await measure(client, database, stats, oneStream, target, listed, n, streams);
    await insert(`${fmt(9 * n)} deliveries of 9 other mailings (status changes written)`, others.map((id): [string, number] => [id, n]));
    const atTenN = await measure(client, database, stats, oneStream, target, listed, n, streams);
    process.stdout.write('merging (OPTIMIZE … FINAL)…\n');
    await client.exec(sql`OPTIMIZE TABLE ${sqlIdentifier(`${database}.delivery_status`)} FINAL`);
    await client.exec(sql`OPTIMIZE TABLE ${sqlIdentifier(`${database}.${CURRENT_STATUS_TABLE}`)} FINAL`);
    await client.exec(sql`OPTIMIZE TABLE ${textKeyedTable(database)} FINAL`);
    const merged = await measure(client, database, stats, oneStream, target, listed, n, streams);

    const rows: TableRow[] = [
      { figure: `mailing counts, ${fmt(n)} deliveries, table ${fmt(n)}`, value: ms(atN.mailingCounts), target: `≤ ${TARGET_MS} ms`, met: atN.mailingCounts <= TARGET_MS },
      { figure: `mailing counts, table ${fmt(10 * n)}`, value: ms(atTenN.mailingCounts), target: `≤ 2 × ${ms(atN.mailingCounts)}`, met: atTenN.mailingCounts <= 2 * atN.mailingCounts },
      { figure: `mailing counts, table ${fmt(10 * n)}, merged`, value: ms(merged.mailingCounts), target: `≤ ${TARGET_MS} ms`, met: merged.mailingCounts <= TARGET_MS },
      { figure: 'before: mailing counts in one FINAL stream, table N / 10 N / merged', value: [atN, atTenN, merged].map((t) => ms(t.mailingCountsOneStream)).join(' / '), target: '', met: null },
      { figure: 'before: mailing counts from the table ordered by source text, table N / 10 N / merged', value: [atN, atTenN, merged].map((t) => ms(t.mailingCountsTextKeyed)).join(' / '), target: '', met: null },
      { figure: 'mailing counts + first page of 100, table N / 10 N / merged', value: [atN, atTenN, merged].map((t) => ms(t.mailingDetail)).join(' / '), target: '', met: null },
      { figure: `list of ${listed.length} mailings, table N / 10 N / merged`, value: [atN, atTenN, merged].map((t) => ms(t.mailingList)).join(' / '), target: '', met: null },
      { figure: 'before: per-change argMax counts, table N / 10 N / merged', value: [atN, atTenN, merged].map((t) => ms(t.perChangeCounts)).join(' / '), target: '', met: null },
      { figure: `the scheduler's final rows of ${listed.length} mailings, table N / 10 N / merged`, value: [atN, atTenN, merged].map((t) => ms(t.finalRows)).join(' / '), target: '', met: null },
      { figure: 'before: a count() of those rows, table N / 10 N / merged', value: [atN, atTenN, merged].map((t) => ms(t.finalRowsCounted)).join(' / '), target: '', met: null },
    ];
    process.stdout.write(`\n${renderTable(rows)}\n`);
    await writeJson(args.out, { deliveries: n, runs: RUNS, atN, atTenN, merged, rows });
    process.stdout.write(`written to ${args.out}\n`);
  } finally {
    await client.exec(sql`DROP DATABASE IF EXISTS ${sqlIdentifier(database)}`);
    await client.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
