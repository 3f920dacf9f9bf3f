import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, runCommand } from '../../infra/local/child-processes';

jest.setTimeout(180_000);

/**
 * The statistics benchmark (npm run bench:stats) stays runnable: `node dist/bench/stats-scale.js` with a small
 * mailing, on the configured ClickHouse, in a database of its own that it drops. Its times are not judged here
 * (a benchmark, not a timed test); what it reports must be whole.
 */
describe('the statistics benchmark (npm run bench:stats) with 2,000 deliveries', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vestnik-bench-stats-smoke-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('times every query at each stage and writes the figures as JSON', async () => {
    const out = join(dir, 'result.json');
    const printed = await runCommand(process.execPath, [join(REPO_ROOT, 'dist/bench/stats-scale.js'), '--deliveries', '2000', '--out', out], {
      timeoutMs: 170_000,
    });
    const result = JSON.parse(readFileSync(out, 'utf8'));
    expect(result.deliveries).toBe(2000);
    for (const stage of [result.atN, result.atTenN, result.merged]) {
      for (const figure of ['mailingCounts', 'mailingCountsOneStream', 'mailingCountsTextKeyed', 'mailingDetail', 'mailingList', 'perChangeCounts', 'finalRows']) {
        expect(stage[figure]).toBeGreaterThan(0);
      }
    }
    expect(result.rows.map((row: { figure: string }) => row.figure)).toContain('mailing counts, 2,000 deliveries, table 2,000');
    expect(printed).toMatch(/mailing counts, table 20,000, merged/);
    expect(printed).toMatch(/written to /);
  });
});
