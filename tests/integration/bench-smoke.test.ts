import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, runCommand } from '../../infra/local/child-processes';

jest.setTimeout(300_000);

/**
 * The benchmark stays runnable: `node dist/bench/run.js` end to end with a small audience, as `npm run
 * bench` runs it (its own private Kafka, Redis, ClickHouse, simulators and Vestnik processes). Its figures
 * are not judged here (a benchmark, not a timed test); what it reports must be whole and exact.
 */
describe('the benchmark (npm run bench) with 1,000 clients', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vestnik-bench-smoke-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('delivers every message once, reports each figure and every process, and writes profiles on request', async () => {
    const out = join(dir, 'result.json');
    // A fold threshold under the audience, so that the scheduler folds the finished mailing's rows as it does a large one's.
    const printed = await runCommand(process.execPath, [join(REPO_ROOT, 'dist/bench/run.js'), '--clients', '1000', '--out', out, '--raw-seconds', '2', '--cpu-prof'], {
      timeoutMs: 280_000, env: { STATS_FOLD_MIN_MESSAGES: '500' },
    });
    const result = JSON.parse(readFileSync(out, 'utf8'));
    expect(result.bulk).toMatchObject({ accepted: 1000, duplicates: 0, missing: 0, stalled: false });
    expect(result.bulk.fanoutMs).toBeGreaterThan(0);
    // The fan-out measured alone first, on a mailing cancelled after it: the measured one still delivers each message once.
    expect(result.fanoutAlone.fanoutMs).toBeGreaterThan(0);
    expect(result.fanoutAlone.mailingId).not.toBe(result.bulk.mailingId);
    expect(result.bulk.statsMs).toBeGreaterThan(0);
    // The statistics call is timed once the mailing shows finished, with the parts its FINAL read folds beside it.
    expect(result.bulk.finishedMs).toBeGreaterThanOrEqual(result.bulk.statsMs);
    expect(result.currentAtStats.parts).toBeGreaterThanOrEqual(1);
    // The statistics calls read the mailing's partition folded by the scheduler (analytics/fold-mailing.ts): one part.
    expect(result.currentAtStats).toMatchObject({ partitionParts: 1, unfolded: null });
    expect(printed).toMatch(/delivery_current as the statistics calls began \(what their FINAL folds\) +\| the mailing's partition 1 part \(folded, waited \d+ ms for it\); the table \d+ parts?, \d+ merges running/);
    expect(result.raw.kafka.records).toBe(1000);
    // The same records with @platformatic/kafka (issue 15: each Kafka client's raw rates), printed beside kafkajs.
    expect(result.raw.platformaticKafka).toMatchObject({ records: 1000, recordBytes: result.raw.kafka.recordBytes });
    expect(result.raw.platformaticKafka.produceRecordsPerSecond).toBeGreaterThan(0);
    expect(result.raw.platformaticKafka.recordsPerSecond).toBeGreaterThan(0);
    // The simulator alone before the mailing and after it, each for --raw-seconds; the share is of their mean.
    for (const provider of [result.raw.provider, result.raw.providerAfter]) {
      expect(provider.ok).toBe(provider.requests);
      expect(provider.ms).toBeGreaterThanOrEqual(2_000);
    }
    expect(result.raw.providerMeanPerSecond).toBeCloseTo((result.raw.provider.requestsPerSecond + result.raw.providerAfter.requestsPerSecond) / 2);
    expect(result.statsQueryMs).toBeGreaterThan(0);
    expect(result.windowMs).toBeGreaterThan(0);
    // ClickHouse's CPU in the window by query (system.query_log): the analytics inserts are among them.
    const insert = result.clickhouseCpu.shapes.find((s: { shape: string }) => /^INSERT INTO \S*delivery_status/.test(s.shape));
    expect(insert.queries).toBeGreaterThan(0);
    expect(insert.cpuSeconds).toBeGreaterThanOrEqual(0);
    expect(printed).toMatch(/ClickHouse CPU in the window, by query .*INSERT INTO \S*delivery_status.*merges and other background work/);
    // And while the statistics calls ran: their own counts query among what ClickHouse did then.
    expect(result.clickhouseDuringStats.shapes.some((s: { shape: string }) => /currentStatus/.test(s.shape))).toBe(true);
    expect(printed).toMatch(/ClickHouse CPU while the statistics calls ran, by query .*currentStatus/);
    expect(result.express.idle.count).toBe(100);
    expect(result.express.underLoad.lost).toBe(0);
    // Every process of the deployment and the world, each with a peak RSS and its CPU in the bulk phase.
    const names = result.processes.map((p: { name: string }) => p.name).sort();
    expect(names).toEqual(['analytics', 'bulk-processors', 'bulk-senders', 'clickhouse', 'express', 'kafka', 'redis', 'simulators']);
    for (const p of result.processes) {
      expect(p.peakRssBytes).toBeGreaterThan(10 * 1024 * 1024);
      expect(p.bulkCpuSeconds).toBeGreaterThanOrEqual(0);
      expect(p.idleCpuPerSecond).toBeGreaterThanOrEqual(0);
      expect(p.bulkNetCpuSeconds).toBeLessThanOrEqual(p.bulkCpuSeconds);
    }
    // The four Vestnik processes each wrote a profile on their graceful stop, and it was summarised.
    expect(result.profiles.summaries.map((s: { process: string }) => s.process).sort()).toEqual(['analytics', 'bulk-processors', 'bulk-senders', 'express']);
    expect(printed).toContain('end to end, mailing start → last receipt');
    expect(printed).toMatch(/^raw @platformatic\/kafka produce alone +\| [\d,]+\/s \([\d.,]+× kafkajs; produce\+consume [\d,]+\/s/m);
    // Every issue-15 target is printed as met or missed.
    expect(printed.match(/ \| (ok|MISSED)$/gm)?.length).toBeGreaterThanOrEqual(14);
    expect(printed).toMatch(/accepted \/ duplicates \/ missing +\| 1,000 \/ 0 \/ 0 /);
  });
});
