/**
 * Issue 13's "done when" for metrics: Debian's real `prometheus` server scrapes every role of a running
 * stack (real `vestnik` processes: the API; processors, scheduler and analytics; the senders) every second
 * during a mailing, and what it stores answers through its HTTP query API:
 * - deliveries by status equal the statistics API's counts;
 * - the bulk senders' consumer lag is reported per topic and partition and returns to 0;
 * - the SMS breaker gauge goes to open (2) during a provider outage and back to closed (0) after it;
 * and promtool accepts the alert rules and the scrape config in deploy/prometheus/, Prometheus loads those
 * rules, and every query of the Grafana dashboard (deploy/grafana/vestnik.json) parses.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { createChild, REPO_ROOT, runCommand, type ManagedChild } from '../../infra/local/child-processes';
import { createAdminApi, type AdminApi } from '../../infra/local/admin-api';
import { freePort } from '../../infra/local/private-services';
import { createSmsSimulator, type SmsSimulator } from '../../simulators/sms';
import { createSmsApiToken } from '../../simulators/sms/token';
import { TOPICS } from '../../platform/topics';
import { recordsOn } from '../support/fault-scenario';
import { createClients, iso } from '../support/mailings';
import type { Role } from '../../cli/roles';
import { createRoleProcess, killAllChildren } from '../support/processes';
import { startStack, TEST_ADMIN_KEY, type TestStack } from '../support/stack';
import { uniqueName } from '../support/unique';
import { waitFor } from '../support/wait-for';

jest.setTimeout(420_000);

const ALERTS = join(REPO_ROOT, 'deploy/prometheus/alerts.yml');
const SCRAPE_CONFIG = join(REPO_ROOT, 'deploy/prometheus/prometheus.yml');
const SMS_SECRET = 'prometheus-scrape-sms-secret';

interface Sample { metric: Record<string, string>; value: [number, string] }

let stack: TestStack | undefined;
let sms: SmsSimulator;
let prometheus: ManagedChild;
let promUrl: string;
let api: AdminApi;
let id: string;
const tmpDirs: string[] = [];

/** An instant query through Prometheus's HTTP API. */
async function query(expr: string): Promise<Sample[]> {
  const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await res.json()) as { status: string; data?: { result: Sample[] }; error?: string };
  if (body.status !== 'success') throw new Error(`query ${expr}: ${body.error}`);
  return body.data?.result ?? [];
}

/** One number from a query that yields a single series, or null when it yields none. */
async function scalar(expr: string): Promise<number | null> {
  const [first] = await query(expr);
  return first ? Number(first.value[1]) : null;
}

async function sentInStats(mailingId: string): Promise<Record<string, number>> {
  const res = await api('GET', `/api/stats/mailings/${mailingId}`);
  return (res.body?.byStatus ?? {}) as Record<string, number>;
}

async function startMailing(tag: string): Promise<string> {
  const created = await api('POST', '/api/mailings', {
    text: 'Metrics {{name}}', startAt: iso(Date.now()), endAt: iso(Date.now() + 30 * 60_000), filter: { tags: [tag], operatorCodes: [] },
  });
  expect(created.status).toBe(201);
  return created.body.id as string;
}

beforeAll(async () => {
  id = uniqueName('prom', { separator: '_' }).replace(/[^A-Za-z0-9_]/g, '_');
  sms = createSmsSimulator({ jwtSecret: SMS_SECRET });
  await sms.start();
  // In this process only for set-up (topics, tables) and clean-up of the stack's data; the roles run as children.
  stack = await startStack({ roles: [], id });
  const [apiPort, ...probePorts] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  api = createAdminApi(apiUrl, TEST_ADMIN_KEY);
  const common = {
    METRICS_ENABLED: 'true', SMS_API_URL: sms.url, SMS_API_TOKEN: createSmsApiToken(SMS_SECRET),
    RETRY_BASE_MS: '200', RETRY_MAX_MS: '1000',
  };
  const roles: { job: string; roles: readonly Role[]; env: Record<string, string> }[] = [
    { job: 'api', roles: ['api'] as const, env: { HTTP_PORT: String(apiPort), METRICS_PORT: String(probePorts[0]) } },
    { job: 'workers', roles: ['processors', 'scheduler', 'analytics'] as const, env: { METRICS_PORT: String(probePorts[1]) } },
    { job: 'senders', roles: ['senders'] as const, env: { METRICS_PORT: String(probePorts[2]) } },
  ];
  for (const role of roles) {
    await createRoleProcess({ roles: [...role.roles], id, name: `prom-${role.job}`, env: { ...common, ...role.env } }).start();
  }

  // Prometheus: the repository's alert rules, a 1 s scrape of every role's probe port and of the API's own /metrics.
  const dir = mkdtempSync(join(tmpdir(), 'vestnik-prometheus-'));
  tmpDirs.push(dir);
  const repoConfig = parse(readFileSync(SCRAPE_CONFIG, 'utf8')) as Record<string, unknown>;
  const config = {
    global: { ...(repoConfig.global as object), scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
    rule_files: [ALERTS],
    scrape_configs: [
      ...roles.map((role, i) => ({
        job_name: role.job, static_configs: [{ targets: [`127.0.0.1:${probePorts[i]}`], labels: { role: role.job } }],
      })),
      { job_name: 'api-http', static_configs: [{ targets: [`127.0.0.1:${apiPort}`], labels: { role: 'api-http' } }] },
    ],
  };
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, stringify(config));
  await runCommand('promtool', ['check', 'config', configFile]);
  const port = await freePort();
  promUrl = `http://127.0.0.1:${port}`;
  prometheus = createChild({
    name: 'prometheus', command: 'prometheus',
    args: [`--config.file=${configFile}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
    readyProbe: async () => (await fetch(`${promUrl}/-/ready`)).status === 200,
    readyTimeoutMs: 60_000,
  });
  await prometheus.start();
  await waitFor(async () => {
    const up = await query('up');
    return up.length === 4 && up.every((s) => s.value[1] === '1');
  }, { timeoutMs: 60_000, intervalMs: 500, description: 'Prometheus scraping all four targets' });
});

afterAll(async () => {
  await prometheus?.kill('SIGTERM');
  await killAllChildren();
  await stack?.stop().catch(() => undefined);
  await sms?.stop();
  for (const dir of tmpDirs) rmSync(dir, { recursive: true, force: true });
});

describe('metrics through a real Prometheus', () => {
  let firstSent = 0;

  it('deliveries by status equal the statistics API, and the bulk senders lag returns to 0', async () => {
    const tag = uniqueName('prom');
    const clients = await createClients({ api } as TestStack, 12, { tag, operatorCode: '915' });
    const mailingId = await startMailing(tag);
    const stats = await waitFor(async () => {
      const byStatus = await sentInStats(mailingId);
      return byStatus.sent === clients.length ? byStatus : null;
    }, { timeoutMs: 120_000, intervalMs: 500, description: `${clients.length} sent in the statistics` });
    firstSent = stats.sent ?? 0;

    // The senders' counters as Prometheus stored them, by status, equal the statistics (every message sent).
    const byStatus = await waitFor(async () => {
      const samples = await query('sum by (status) (vestnik_deliveries_total{channel="sms", provider="sms-api"})');
      const seen = Object.fromEntries(samples.map((s) => [s.metric.status, Number(s.value[1])]));
      return seen.sent === stats.sent ? seen : null;
    }, { timeoutMs: 30_000, intervalMs: 500, description: 'Prometheus shows the sent deliveries' });
    const nonZero = Object.fromEntries(Object.entries(stats).filter(([, n]) => n > 0));
    expect(byStatus).toEqual(nonZero);
    // Both lanes' senders report by lane: a mailing is bulk.
    expect(await scalar('sum(vestnik_deliveries_total{lane="bulk", status="sent"})')).toBe(clients.length);

    // Lag of the bulk senders' group on the mailing's command pages: per topic and partition, and back to 0 once everything is handled.
    const group = `${id}-senders-bulk`;
    const lagSeries = await waitFor(async () => {
      const series = await query(`vestnik_kafka_consumer_lag{group="${group}"}`);
      return series.some((s) => s.metric.topic === 'deliveries.bulk-pages') ? series : null;
    }, { timeoutMs: 30_000, intervalMs: 500, description: 'the bulk senders lag in Prometheus' });
    expect(new Set(lagSeries.filter((s) => s.metric.topic === 'deliveries.bulk-pages').map((s) => s.metric.partition)).size).toBeGreaterThan(1);
    await waitFor(async () => (await scalar(`sum(vestnik_kafka_consumer_lag{group="${group}", topic="deliveries.bulk-pages"})`)) === 0,
      { timeoutMs: 30_000, intervalMs: 500, description: 'the bulk senders lag back to 0' });

    // The rest of the pipeline reported too (each process is scraped on its own second, so poll): records
    // consumed (the mailing's command pages, each one record), ClickHouse rows (a queued and a sent status per
    // client), provider calls, the delay queue.
    const pages = await recordsOn(stack!, TOPICS.deliveriesBulkPages);
    expect(pages).toBeGreaterThanOrEqual(1);
    expect(pages).toBeLessThan(clients.length);
    await waitFor(async () => {
      expect(await scalar(`sum(vestnik_kafka_records_consumed_total{group="${group}", topic="deliveries.bulk-pages"})`)).toBe(pages);
      expect(await scalar('sum(vestnik_clickhouse_rows_inserted_total{table="delivery_status"})')).toBeGreaterThanOrEqual(2 * clients.length);
      return true;
    }, { timeoutMs: 30_000, intervalMs: 500, description: 'records consumed and ClickHouse rows in Prometheus' });
    expect(await scalar('count(vestnik_provider_request_duration_seconds_count{provider="sms-api", outcome="sent"})')).toBe(1);
    expect(await scalar('sum(vestnik_provider_request_duration_seconds_count{provider="sms-api", outcome="sent"})')).toBe(clients.length);
    expect(await scalar('max(vestnik_delay_queue_depth)')).not.toBeNull();
    expect(await scalar('max(vestnik_circuit_breaker_state{provider="sms-api"})')).toBe(0);
  });

  it('the SMS breaker gauge goes to open during a provider outage and back to closed after it', async () => {
    const tag = uniqueName('prom-outage');
    const clients = await createClients({ api } as TestStack, 8, { tag, operatorCode: '916' });
    await sms.setFaults({ outage: { mode: 'unavailable', forMs: 10 * 60_000 } });
    const mailingId = await startMailing(tag);
    // While it runs, the scheduler reports it with its fan-out progress.
    await waitFor(async () => (await scalar(`max(vestnik_mailing_fanout_recipients{mailing_id="${mailingId}", outcome="queued"})`)) === clients.length,
      { timeoutMs: 60_000, intervalMs: 500, description: 'the running mailing fan-out progress' });
    await waitFor(async () => (await scalar('max(vestnik_circuit_breaker_state{provider="sms-api"})')) === 2,
      { timeoutMs: 60_000, intervalMs: 500, description: 'the SMS breaker open in Prometheus' });
    await waitFor(async () => ((await scalar('sum(vestnik_delivery_retries_scheduled_total{channel="sms"})')) ?? 0) > 0,
      { timeoutMs: 30_000, intervalMs: 500, description: 'retries scheduled in Prometheus' });

    await sms.setFaults({ outage: null });
    await waitFor(async () => (await scalar('max(vestnik_circuit_breaker_state{provider="sms-api"})')) === 0,
      { timeoutMs: 90_000, intervalMs: 500, description: 'the SMS breaker closed again in Prometheus' });
    await waitFor(async () => (await sentInStats(mailingId)).sent === clients.length,
      { timeoutMs: 90_000, intervalMs: 500, description: 'the outage mailing sent' });

    // Sent over both mailings: exactly what the statistics say; the retries are counted apart.
    await waitFor(async () => (await scalar('sum(vestnik_deliveries_total{channel="sms", status="sent"})')) === firstSent + clients.length,
      { timeoutMs: 30_000, intervalMs: 500, description: 'Prometheus shows both mailings sent' });
    expect(await scalar('sum(vestnik_deliveries_total{channel="sms", status="retrying"})')).toBeGreaterThan(0); // same scrape as the sent ones
    // Once the scheduler finishes the mailing, its series are gone.
    await waitFor(async () => (await query(`vestnik_mailing_fanout_done{mailing_id="${mailingId}"}`)).length === 0,
      { timeoutMs: 90_000, intervalMs: 500, description: 'the finished mailing series removed' });
  });

  it('promtool accepts the alert rules and the scrape config of deploy/prometheus', async () => {
    expect(await runCommand('promtool', ['check', 'rules', ALERTS])).toMatch(/SUCCESS: \d+ rules found/);
    // Debian's Prometheus is built without Kubernetes service discovery, so the deployed config's
    // kubernetes_sd_configs are swapped for a static target here; everything else is checked as written.
    const dir = mkdtempSync(join(tmpdir(), 'vestnik-promtool-'));
    tmpDirs.push(dir);
    const config = parse(readFileSync(SCRAPE_CONFIG, 'utf8')) as { rule_files: string[]; scrape_configs: Record<string, unknown>[] };
    expect(config.scrape_configs.every((job) => 'kubernetes_sd_configs' in job)).toBe(true);
    const checkable = {
      ...config,
      rule_files: config.rule_files.map((file) => join(REPO_ROOT, 'deploy/prometheus', file)),
      scrape_configs: config.scrape_configs.map(({ kubernetes_sd_configs: _sd, ...job }) => ({ ...job, static_configs: [{ targets: ['127.0.0.1:9464'] }] })),
    };
    writeFileSync(join(dir, 'prometheus.yml'), stringify(checkable));
    expect(await runCommand('promtool', ['check', 'config', join(dir, 'prometheus.yml')])).toMatch(/SUCCESS/);
    // Every panel of the Grafana dashboard is a query this Prometheus accepts (query() throws on a parse error).
    const dashboard = JSON.parse(readFileSync(join(REPO_ROOT, 'deploy/grafana/vestnik.json'), 'utf8')) as { panels: { targets: { expr: string }[] }[] };
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));
    expect(exprs.length).toBeGreaterThan(15);
    for (const expr of exprs) await query(expr);
    // The rules Prometheus loaded are the repository's.
    const rules = await (await fetch(`${promUrl}/api/v1/rules`)).json() as { data: { groups: { rules: { name: string }[] }[] } };
    expect(rules.data.groups.flatMap((g) => g.rules.map((r) => r.name))).toEqual(expect.arrayContaining([
      'VestnikConsumerLagGrowing', 'VestnikCircuitBreakerOpen', 'VestnikDeadLettersIncreasing', 'VestnikNoSendsWhileMailingRuns', 'VestnikProviderLatencyHigh',
    ]));
  });
});
