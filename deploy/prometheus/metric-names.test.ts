/**
 * The alert rules and the Grafana dashboard name only metrics Vestnik registers: a renamed metric would
 * otherwise leave an alert that can never fire and a panel that stays empty, silently.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { parse } from 'yaml';
import { createPipelineMetrics } from '../../cli/metrics/pipeline-metrics';
import { httpMetrics } from '../../ingest/middleware/metrics';

const here = (path: string) => join(__dirname, '..', path);

async function registeredNames(): Promise<Set<string>> {
  const registry = new Registry();
  const metrics = createPipelineMetrics(registry);
  metrics.watchLag(async () => []);
  metrics.watchDelayQueue(async () => ({ depth: 0, earliestDueAt: null }));
  metrics.watchMailings(async () => []);
  metrics.watchWebsockets(() => 0);
  httpMetrics(registry);
  return new Set((await registry.getMetricsAsJSON()).map((m) => m.name));
}

/** vestnik_* names in a PromQL text, without the _bucket/_count/_sum of histograms. */
function namesIn(expr: string): string[] {
  return [...expr.matchAll(/\bvestnik_[a-z_]+/g)].map(([name]) => name.replace(/_(bucket|count|sum)$/, ''));
}

describe('deploy/prometheus and deploy/grafana', () => {
  it('every alert expression names registered metrics', async () => {
    const known = await registeredNames();
    const rules = parse(readFileSync(here('prometheus/alerts.yml'), 'utf8')) as { groups: { rules: { alert: string; expr: string }[] }[] };
    const used = rules.groups.flatMap((g) => g.rules.flatMap((r) => namesIn(r.expr).map((name) => `${r.alert}: ${name}`)));
    expect(used.length).toBeGreaterThan(5);
    expect(used.filter((entry) => !known.has(entry.split(': ')[1] as string))).toEqual([]);
  });

  it('the alerts the issue asks for exist', () => {
    const rules = parse(readFileSync(here('prometheus/alerts.yml'), 'utf8')) as { groups: { rules: { alert: string; for?: string }[] }[] };
    const byName = new Map(rules.groups.flatMap((g) => g.rules.map((r) => [r.alert, r] as const)));
    for (const name of ['VestnikConsumerLagGrowing', 'VestnikCircuitBreakerOpen', 'VestnikDeadLettersIncreasing', 'VestnikNoSendsWhileMailingRuns', 'VestnikProviderLatencyHigh']) {
      expect(byName.has(name)).toBe(true);
    }
    expect(byName.get('VestnikCircuitBreakerOpen')?.for).toBe('5m');
  });

  it('every dashboard panel queries registered metrics, and the alerts have panels', async () => {
    const known = await registeredNames();
    const dashboard = JSON.parse(readFileSync(here('grafana/vestnik.json'), 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] };
    const used = new Set(dashboard.panels.flatMap((p) => p.targets.flatMap((t) => namesIn(t.expr))));
    expect([...used].filter((name) => !known.has(name))).toEqual([]);
    for (const name of ['vestnik_kafka_consumer_lag', 'vestnik_circuit_breaker_state', 'vestnik_dead_letters_total', 'vestnik_mailings_running',
      'vestnik_provider_request_duration_seconds', 'vestnik_deliveries_total', 'vestnik_delay_queue_depth']) {
      expect(used.has(name)).toBe(true);
    }
  });
});
