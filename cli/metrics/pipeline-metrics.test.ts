import { Registry } from 'prom-client';
import type { BatchMetrics } from '../../platform/kafka';
import type { BreakerState } from '../../senders/policy/circuit-breaker';
import { createPipelineMetrics, MAX_MAILING_SERIES, type MailingProgress } from './pipeline-metrics';

/** The registry's series of one metric: labels and value. */
async function series(registry: Registry, name: string): Promise<{ labels: Record<string, string | number>; value: number }[]> {
  const metrics = await registry.getMetricsAsJSON();
  const metric = metrics.find((m) => m.name === name);
  if (!metric) throw new Error(`no metric ${name}`);
  return (metric.values as { labels: Record<string, string | number>; value: number; metricName?: string }[])
    .filter((v) => v.metricName === undefined || v.metricName === name || v.metricName === `${name}_count`)
    .map(({ labels, value }) => ({ labels, value }));
}

const batch = (over: Partial<BatchMetrics>): BatchMetrics => ({
  topic: 'deliveries.bulk', partition: 0, attempt: 1, outcome: 'processed', received: 0, handled: 0,
  deadLettered: 0, deadLetterCodes: {}, durationMs: 1, ...over,
});

function setup() {
  const registry = new Registry();
  let now = 1_000_000;
  const metrics = createPipelineMetrics(registry, { maxAgeMs: 1_000, now: () => now });
  return { registry, metrics, advance: (ms: number) => void (now += ms), now: () => now };
}

describe('sender results', () => {
  it('counts statuses per batch by channel, provider, lane and status, retries apart, other kinds as skipped', async () => {
    const { registry, metrics } = setup();
    const record = metrics.senderResults('bulk');
    record('sms', 'sent', 40, 'sms-api');
    record('sms', 'retrying', 3, 'sms-api');
    record('email', 'deferred', 2, null);
    record('sms', 'sent', 2, 'sms-api');
    record('sms', 'sent', 5, 'sms-api-secondary');
    expect(await series(registry, 'vestnik_deliveries_total')).toEqual([
      { labels: { channel: 'sms', provider: 'sms-api', lane: 'bulk', status: 'sent' }, value: 42 },
      { labels: { channel: 'sms', provider: 'sms-api', lane: 'bulk', status: 'retrying' }, value: 3 },
      { labels: { channel: 'sms', provider: 'sms-api-secondary', lane: 'bulk', status: 'sent' }, value: 5 },
    ]);
    expect(await series(registry, 'vestnik_delivery_retries_scheduled_total')).toEqual([{ labels: { channel: 'sms', lane: 'bulk' }, value: 3 }]);
    expect(await series(registry, 'vestnik_sender_commands_skipped_total')).toEqual([
      { labels: { channel: 'email', lane: 'bulk', reason: 'deferred' }, value: 2 },
    ]);
  });

  it('bounds every label: an unknown channel, lane or kind is `other`, never a new value', async () => {
    const { registry, metrics } = setup();
    const record = metrics.senderResults('lane-from-a-bug');
    record('fax' as never, 'sent', 1, null);
    record('sms', 'exploded' as never, 1, null);
    record('sms', 'sent', 1, 'a-provider-from-a-bug');
    expect(await series(registry, 'vestnik_deliveries_total')).toEqual([
      { labels: { channel: 'other', provider: 'other', lane: 'other', status: 'sent' }, value: 1 },
      { labels: { channel: 'sms', provider: 'other', lane: 'other', status: 'sent' }, value: 1 },
    ]);
    expect(await series(registry, 'vestnik_sender_commands_skipped_total')).toEqual([
      { labels: { channel: 'sms', lane: 'other', reason: 'other' }, value: 1 },
    ]);
  });
});

describe('ambiguous outcomes', () => {
  it('counts per batch by channel, provider and action; an unknown action is `other`', async () => {
    const { registry, metrics } = setup();
    const record = metrics.ambiguousResults();
    record('sms', 'fail', 3);
    record('push', 'resend', 2);
    record('sms', 'fail', 1);
    record('sms', 'resend', 0);
    record('sms', 'shrug' as never, 1);
    expect(await series(registry, 'vestnik_ambiguous_outcomes_total')).toEqual([
      { labels: { channel: 'sms', provider: 'sms-api', action: 'fail' }, value: 4 },
      { labels: { channel: 'push', provider: 'fcm', action: 'resend' }, value: 2 },
      { labels: { channel: 'sms', provider: 'sms-api', action: 'other' }, value: 1 },
    ]);
  });
});

describe('provider rate deferrals', () => {
  it('counts per chunk by channel, provider and lane', async () => {
    const { registry, metrics } = setup();
    metrics.overRateDeferrals('bulk')('sms', 240);
    metrics.overRateDeferrals('bulk')('sms', 10);
    metrics.overRateDeferrals('express')('push', 0);
    expect(await series(registry, 'vestnik_provider_rate_deferred_total')).toEqual([
      { labels: { channel: 'sms', provider: 'sms-api', lane: 'bulk' }, value: 250 },
    ]);
  });
});

describe('sender record retries', () => {
  it('counts each failed recording retried in place, by lane', async () => {
    const { registry, metrics } = setup();
    const bulk = metrics.recordRetries('bulk');
    bulk();
    bulk();
    metrics.recordRetries('express')();
    expect(await series(registry, 'vestnik_sender_record_retries_total')).toEqual([
      { labels: { lane: 'bulk' }, value: 2 },
      { labels: { lane: 'express' }, value: 1 },
    ]);
  });
});

describe('provider calls and breakers', () => {
  it('observes durations by channel, provider and outcome (the result kind, not its reason)', async () => {
    const { registry, metrics } = setup();
    const observe = metrics.providerCalls('sms');
    observe({ kind: 'sent' }, 0.02);
    observe({ kind: 'retriable', code: 'PROVIDER_UNAVAILABLE', reason: 'HTTP 503 from 10.0.0.7' }, 0.3);
    expect(await series(registry, 'vestnik_provider_request_duration_seconds')).toEqual([
      { labels: { channel: 'sms', provider: 'sms-api', outcome: 'sent' }, value: 1 },
      { labels: { channel: 'sms', provider: 'sms-api', outcome: 'retriable' }, value: 1 },
    ]);
  });

  it('follows a breaker: 0 closed, 2 open, 1 half-open, back to 0; stops after unsubscribe', async () => {
    const { registry, metrics } = setup();
    let listener: (state: BreakerState) => void = () => undefined;
    let state: BreakerState = 'closed';
    const unsubscribe = metrics.watchBreaker('sms', 'express', {
      state: () => state,
      onStateChange: (l) => { listener = l; return () => { listener = () => undefined; }; },
    });
    const value = async () => (await series(registry, 'vestnik_circuit_breaker_state'))[0];
    expect(await value()).toEqual({ labels: { provider: 'sms-api', lane: 'express' }, value: 0 });
    for (const [next, expected] of [['open', 2], ['half-open', 1], ['closed', 0], ['isolated', 2]] as const) {
      state = next;
      listener(next);
      expect((await value())?.value).toBe(expected);
    }
    unsubscribe();
    listener('closed');
    expect((await value())?.value).toBe(2);
  });
});

describe('the Kafka observer', () => {
  it('counts settled records per group and topic once (not a retried attempt) and dead letters by topic and code', async () => {
    const { registry, metrics } = setup();
    const observer = metrics.kafkaObserver;
    observer.batch?.('g-senders-bulk', batch({ received: 10, outcome: 'retrying' }));
    observer.batch?.('g-senders-bulk', batch({ received: 10, attempt: 2, deadLetterCodes: { DECODE_FAILED: 2, VALIDATION_FAILED: 1 } }));
    observer.batch?.('g-senders-bulk', batch({ received: 1, topic: 'some.topic.from.a.test', deadLetterCodes: { NOT_A_CODE: 1 } }));
    expect(await series(registry, 'vestnik_kafka_records_consumed_total')).toEqual([
      { labels: { group: 'g-senders-bulk', topic: 'deliveries.bulk' }, value: 10 },
      { labels: { group: 'g-senders-bulk', topic: 'other' }, value: 1 },
    ]);
    expect(await series(registry, 'vestnik_dead_letters_total')).toEqual([
      { labels: { topic: 'deliveries.bulk', reason_code: 'DECODE_FAILED' }, value: 2 },
      { labels: { topic: 'deliveries.bulk', reason_code: 'VALIDATION_FAILED' }, value: 1 },
      { labels: { topic: 'other', reason_code: 'other' }, value: 1 },
    ]);
  });

  it('counts produce errors per topic and commit errors per group', async () => {
    const { registry, metrics } = setup();
    metrics.kafkaObserver.produceFailed?.(new Map([['deliveries.status', 5], ['deliveries.bulk', 5]]));
    metrics.kafkaObserver.commitFailed?.('g-analytics');
    expect(await series(registry, 'vestnik_kafka_produce_errors_total')).toEqual([
      { labels: { topic: 'deliveries.status' }, value: 1 }, { labels: { topic: 'deliveries.bulk' }, value: 1 },
    ]);
    expect(await series(registry, 'vestnik_kafka_commit_errors_total')).toEqual([{ labels: { group: 'g-analytics' }, value: 1 }]);
  });

  it('counts the records sent again after a produce answer without their partition, by n per topic', async () => {
    const { registry, metrics } = setup();
    metrics.kafkaObserver.produceResent?.(new Map([['deliveries.bulk', 40]]));
    metrics.kafkaObserver.produceResent?.(new Map([['deliveries.bulk', 2], ['deliveries.status', 7]]));
    expect(await series(registry, 'vestnik_kafka_produce_resent_records_total')).toEqual([
      { labels: { topic: 'deliveries.bulk' }, value: 42 }, { labels: { topic: 'deliveries.status' }, value: 7 },
    ]);
  });
});

describe('the status store', () => {
  it('counts rows per insert (by n), times it, and counts a failed insert as an error without rows', async () => {
    const { registry, metrics } = setup();
    let fail = false;
    const store = metrics.instrumentStatusStore({ insertBatch: async () => { if (fail) throw new Error('clickhouse down'); } });
    await store.insertBatch(new Array(7).fill({}));
    fail = true;
    await expect(store.insertBatch(new Array(3).fill({}))).rejects.toThrow('clickhouse down');
    expect(await series(registry, 'vestnik_clickhouse_rows_inserted_total')).toEqual([{ labels: { table: 'delivery_status' }, value: 7 }]);
    expect(await series(registry, 'vestnik_clickhouse_insert_errors_total')).toEqual([{ labels: { table: 'delivery_status' }, value: 1 }]);
    // One insert timed: the failed one is an error, not a duration.
    expect(await series(registry, 'vestnik_clickhouse_insert_duration_seconds')).toEqual([{ labels: { table: 'delivery_status' }, value: 1 }]);
  });
});

describe('sampled on scrape', () => {
  it('consumer lag per group, topic and partition; a partition or group that is gone loses its series', async () => {
    const { registry, metrics, advance } = setup();
    let lags = [
      { group: 'g-senders-bulk', lags: [
        { topic: 'deliveries.bulk', partition: 0, committed: '5', end: '9', lag: 4 },
        { topic: 'deliveries.bulk', partition: 1, committed: '3', end: '3', lag: 0 },
      ] },
      { group: 'g-analytics', lags: [{ topic: 'deliveries.status', partition: 0, committed: '1', end: '2', lag: 1 }] },
    ];
    let reads = 0;
    metrics.watchLag(async () => { reads += 1; return lags; });
    expect(await series(registry, 'vestnik_kafka_consumer_lag')).toEqual([
      { labels: { group: 'g-senders-bulk', topic: 'deliveries.bulk', partition: '0' }, value: 4 },
      { labels: { group: 'g-senders-bulk', topic: 'deliveries.bulk', partition: '1' }, value: 0 },
      { labels: { group: 'g-analytics', topic: 'deliveries.status', partition: '0' }, value: 1 },
    ]);
    // A second scrape within the cache period does not ask the broker again.
    await series(registry, 'vestnik_kafka_consumer_lag');
    expect(reads).toBe(1);
    lags = [{ group: 'g-senders-bulk', lags: [{ topic: 'deliveries.bulk', partition: 0, committed: '9', end: '9', lag: 0 }] }];
    advance(1_500);
    await series(registry, 'vestnik_kafka_consumer_lag'); // served the last value, refreshing behind it
    await new Promise((resolve) => setImmediate(resolve));
    expect(await series(registry, 'vestnik_kafka_consumer_lag')).toEqual([
      { labels: { group: 'g-senders-bulk', topic: 'deliveries.bulk', partition: '0' }, value: 0 },
    ]);
    expect(reads).toBe(2);
  });

  it('the delay queue: depth and how long the earliest due record has been due (0 when none is due)', async () => {
    const { registry, metrics, now } = setup();
    let stats: { depth: number; earliestDueAt: number | null } = { depth: 3, earliestDueAt: now() - 12_000 };
    metrics.watchDelayQueue(async () => stats);
    expect((await series(registry, 'vestnik_delay_queue_depth'))[0]?.value).toBe(3);
    expect((await series(registry, 'vestnik_delay_queue_oldest_due_age_seconds'))[0]?.value).toBe(12);
    const { metrics: fresh, registry: other, now: clock } = setup();
    stats = { depth: 1, earliestDueAt: clock() + 60_000 };
    fresh.watchDelayQueue(async () => stats);
    expect((await series(other, 'vestnik_delay_queue_oldest_due_age_seconds'))[0]?.value).toBe(0);
  });

  it('running mailings: a series per mailing while it runs, removed once it finished', async () => {
    const { registry, metrics, advance } = setup();
    let running: MailingProgress[] = [
      { mailingId: 'm-1', queued: 100, suppressed: 2, fanoutDone: false },
      { mailingId: 'm-2', queued: 10, suppressed: 0, fanoutDone: true },
    ];
    metrics.watchMailings(async () => running);
    expect((await series(registry, 'vestnik_mailings_running'))[0]?.value).toBe(2);
    expect(await series(registry, 'vestnik_mailing_fanout_recipients')).toEqual([
      { labels: { mailing_id: 'm-1', outcome: 'queued' }, value: 100 },
      { labels: { mailing_id: 'm-1', outcome: 'suppressed' }, value: 2 },
      { labels: { mailing_id: 'm-2', outcome: 'queued' }, value: 10 },
      { labels: { mailing_id: 'm-2', outcome: 'suppressed' }, value: 0 },
    ]);
    expect(await series(registry, 'vestnik_mailing_fanout_done')).toEqual([
      { labels: { mailing_id: 'm-1' }, value: 0 }, { labels: { mailing_id: 'm-2' }, value: 1 },
    ]);
    running = [{ mailingId: 'm-1', queued: 250, suppressed: 2, fanoutDone: true }]; // m-2 finished
    advance(1_500);
    await registry.metrics();
    await new Promise((resolve) => setImmediate(resolve));
    expect((await series(registry, 'vestnik_mailings_running'))[0]?.value).toBe(1);
    expect((await series(registry, 'vestnik_mailing_fanout_done')).map((s) => s.labels.mailing_id)).toEqual(['m-1']);
    expect((await series(registry, 'vestnik_mailing_fanout_recipients')).map((s) => s.labels.mailing_id)).toEqual(['m-1', 'm-1']);
  });

  it('running mailings: at most MAX_MAILING_SERIES get series; the count covers all', async () => {
    const { registry, metrics } = setup();
    const many = Array.from({ length: MAX_MAILING_SERIES + 30 }, (_, i) => ({
      mailingId: `m-${String(i).padStart(3, '0')}`, queued: i, suppressed: 0, fanoutDone: false,
    }));
    metrics.watchMailings(async () => many);
    expect((await series(registry, 'vestnik_mailings_running'))[0]?.value).toBe(MAX_MAILING_SERIES + 30);
    expect((await series(registry, 'vestnik_mailing_fanout_done'))).toHaveLength(MAX_MAILING_SERIES);
  });

  it('a failed read drops the labelled series (never a stale number per mailing) and is counted', async () => {
    const { registry, metrics, advance } = setup();
    let fail = false;
    metrics.watchMailings(async () => {
      if (fail) throw new Error('redis down');
      return [{ mailingId: 'm-1', queued: 1, suppressed: 0, fanoutDone: false }];
    });
    expect(await series(registry, 'vestnik_mailing_fanout_done')).toHaveLength(1);
    fail = true;
    advance(60_000); // past the stale limit: the scrape waits for the (failing) read
    expect(await series(registry, 'vestnik_mailing_fanout_done')).toEqual([]);
    expect(await series(registry, 'vestnik_mailing_fanout_recipients')).toEqual([]);
    expect(await series(registry, 'vestnik_metrics_sample_errors_total')).toEqual([{ labels: { source: 'mailings' }, value: 1 }]);
  });

  it('websocket connections are read on scrape', async () => {
    const { registry, metrics } = setup();
    let open = 3;
    metrics.watchWebsockets(() => open);
    expect((await series(registry, 'vestnik_websocket_connections'))[0]?.value).toBe(3);
    open = 0;
    expect((await series(registry, 'vestnik_websocket_connections'))[0]?.value).toBe(0);
  });
});
