/**
 * The pipeline's own metrics (issue 13), on the one registry the process's composition root owns
 * (cli/vestnik.ts) and passes in. Nothing below cli/ imports prom-client for these: the stages expose
 * plain hooks (the Kafka client's observer, the sender's onResult, a channel's onProviderCall, a breaker's
 * state changes) and read functions, and this module turns them into metrics. Conventions: `vestnik_`
 * prefix, `_total` counters, base units (`_seconds`), and every label bounded (labels.ts).
 *
 * Work done per batch is recorded per batch (a counter incremented by n). Values that live outside the
 * process (consumer lag, the delay queue, running mailings) are sampled when Prometheus scrapes, through
 * a cached sampler (sampler.ts), never per message. A failed read is counted in
 * vestnik_metrics_sample_errors_total; labelled series (lag, per-mailing) are then dropped rather than shown
 * stale, while a single-value gauge (depth, running count) keeps its last value (a gauge without labels
 * always has one).
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { StatusStore } from '../../analytics/status-store';
import type { BatchMetrics, KafkaObserver, PartitionLag } from '../../platform/kafka';
import type { ProviderConcurrency } from '../../senders/policy/adaptive-concurrency';
import type { BreakerState } from '../../senders/policy/circuit-breaker';
import type { SendResult } from '../../senders/policy/send-result';
import type { SenderResultKind } from '../../senders/core/consumer';
import type { AmbiguousOutcomeAction } from '../../senders/core/outcome';
import type { Channel } from '../../schemas/types';
import {
  ambiguousActionLabel, channelLabel, laneLabel, outcomeLabel, providerLabels, reasonCodeLabel, skipReasonLabel, statusLabel, topicLabel,
} from './labels';
import { createSampler, type Sampler } from './sampler';

/** At most this many running mailings get series of their own; more are counted in vestnik_mailings_running only. */
export const MAX_MAILING_SERIES = 50;

/** 0 closed, 1 half-open, 2 open (an isolated circuit is open by hand: 2). */
export const BREAKER_STATE_VALUE: Readonly<Record<BreakerState, number>> = { closed: 0, 'half-open': 1, open: 2, isolated: 2 };

export interface GroupLag {
  group: string;
  lags: readonly PartitionLag[];
}

export interface MailingProgress {
  mailingId: string;
  queued: number;
  suppressed: number;
  fanoutDone: boolean;
}

export interface PipelineMetricsOptions {
  /** How long a sampled value is reused (default 2 s: a 1 s scrape interval costs one read per 2 s). */
  maxAgeMs?: number;
  /** A read slower than this gives up (default 3 s, under Prometheus' default 10 s scrape timeout). */
  timeoutMs?: number;
  now?: () => number;
  /** The names of the providers defined in HTTP_PROVIDERS: label values besides the built-in ones. */
  providers?: readonly string[];
}

export type PipelineMetrics = ReturnType<typeof createPipelineMetrics>;

export function createPipelineMetrics(registry: Registry, options: PipelineMetricsOptions = {}) {
  const registers = [registry];
  const providerLabel = providerLabels(options.providers ?? []);
  const sampleErrors = new Counter({
    name: 'vestnik_metrics_sample_errors_total', help: 'Failed reads of a sampled metric source (lag, delay queue, mailings)',
    labelNames: ['source'] as const, registers,
  });
  const sampler = <T>(source: string, read: () => Promise<T>): Sampler<T> => createSampler(read, {
    maxAgeMs: options.maxAgeMs ?? 2_000, timeoutMs: options.timeoutMs ?? 3_000, now: options.now,
    onError: () => sampleErrors.inc({ source }),
  });

  // Senders.
  const deliveries = new Counter({
    name: 'vestnik_deliveries_total', help: 'Delivery statuses written by the senders, by channel, provider, lane and status',
    labelNames: ['channel', 'provider', 'lane', 'status'] as const, registers,
  });
  const skipped = new Counter({
    name: 'vestnik_sender_commands_skipped_total',
    help: 'Commands a sender did not send now: deferred (not before / send window), replay (already done), leased (another sender holds it)',
    labelNames: ['channel', 'lane', 'reason'] as const, registers,
  });
  const retries = new Counter({
    name: 'vestnik_delivery_retries_scheduled_total', help: 'Retries put in the delay queue after a retriable failure',
    labelNames: ['channel', 'lane'] as const, registers,
  });
  const ambiguousOutcomes = new Counter({
    name: 'vestnik_ambiguous_outcomes_total',
    help: 'Provider calls written but not answered (the provider may have sent the message), by what the channel policy did: resend, fail or expire',
    labelNames: ['channel', 'provider', 'action'] as const, registers,
  });
  const overRate = new Counter({
    name: 'vestnik_provider_rate_deferred_total',
    help: "Messages a provider's rate limit had no slot for at once, put back in the delay queue (booked for a later slot, or after it)",
    labelNames: ['channel', 'provider', 'lane'] as const, registers,
  });
  const recordRetries = new Counter({
    name: 'vestnik_sender_record_retries_total',
    help: "Failed recordings of a sent chunk (statuses, claims) retried in place rather than replayed, which would call the providers again",
    labelNames: ['lane'] as const, registers,
  });
  const providerDuration = new Histogram({
    name: 'vestnik_provider_request_duration_seconds', help: 'Provider calls (those the circuit let through), by outcome',
    labelNames: ['channel', 'provider', 'outcome'] as const, registers,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });
  const concurrencyLimit = new Gauge({
    name: 'vestnik_provider_concurrency_limit', help: 'Requests a provider may have in flight from this process, found while sending (adaptive)',
    labelNames: ['channel', 'provider', 'lane'] as const, registers,
  });
  const breakerState = new Gauge({
    name: 'vestnik_circuit_breaker_state', help: 'Circuit breaker per provider and lane: 0 closed, 1 half-open, 2 open',
    labelNames: ['provider', 'lane'] as const, registers,
  });

  // Kafka.
  const consumed = new Counter({
    name: 'vestnik_kafka_records_consumed_total', help: 'Records a consumer group settled (handled or dead-lettered), per topic',
    labelNames: ['group', 'topic'] as const, registers,
  });
  const deadLetters = new Counter({
    name: 'vestnik_dead_letters_total', help: 'Records dead-lettered, by original topic and reason code',
    labelNames: ['topic', 'reason_code'] as const, registers,
  });
  const produceErrors = new Counter({
    name: 'vestnik_kafka_produce_errors_total', help: 'Failed produce requests, per topic they carried records for',
    labelNames: ['topic'] as const, registers,
  });
  const produceResent = new Counter({
    name: 'vestnik_kafka_produce_resent_records_total',
    help: 'Records sent again because kafkajs answered a produce request without their partition (a leader change mid-send)',
    labelNames: ['topic'] as const, registers,
  });
  const commitErrors = new Counter({
    name: 'vestnik_kafka_commit_errors_total', help: 'Failed offset commits (the batch is read again)',
    labelNames: ['group'] as const, registers,
  });
  const lagSources: Sampler<GroupLag[]>[] = [];
  new Gauge({
    name: 'vestnik_kafka_consumer_lag', help: 'Records between a group\'s committed offset and the end of the partition',
    labelNames: ['group', 'topic', 'partition'] as const, registers,
    async collect() {
      this.reset();
      for (const source of lagSources) {
        for (const { group, lags } of (await source.get()) ?? []) {
          for (const lag of lags) this.set({ group, topic: topicLabel(lag.topic), partition: String(lag.partition) }, lag.lag);
        }
      }
    },
  });

  // ClickHouse.
  const rowsInserted = new Counter({
    name: 'vestnik_clickhouse_rows_inserted_total', help: 'Rows inserted into ClickHouse', labelNames: ['table'] as const, registers,
  });
  const insertErrors = new Counter({
    name: 'vestnik_clickhouse_insert_errors_total', help: 'Failed ClickHouse inserts', labelNames: ['table'] as const, registers,
  });
  const insertDuration = new Histogram({
    name: 'vestnik_clickhouse_insert_duration_seconds', help: 'ClickHouse insert duration (one insert per consumed batch)',
    labelNames: ['table'] as const, registers, buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });

  const kafkaObserver: KafkaObserver = {
    batch(group: string, batch: BatchMetrics) {
      const topic = topicLabel(batch.topic);
      // A retried batch is read again: its records count once, when it settles.
      if (batch.outcome !== 'retrying' && batch.received > 0) consumed.inc({ group, topic }, batch.received);
      for (const [code, n] of Object.entries(batch.deadLetterCodes)) deadLetters.inc({ topic, reason_code: reasonCodeLabel(code) }, n);
    },
    produceFailed(records) {
      for (const topic of records.keys()) produceErrors.inc({ topic: topicLabel(topic) });
    },
    produceResent(records) {
      for (const [topic, n] of records) produceResent.inc({ topic: topicLabel(topic) }, n);
    },
    commitFailed(group) {
      commitErrors.inc({ group });
    },
  };

  return {
    registry,
    /** Give to createKafka: every consumer and producer of the client reports through it. */
    kafkaObserver,

    /** A sender lane's onResult: statuses per channel and provider, retries, and what was not sent now. */
    senderResults(lane: string): (channel: Channel, kind: SenderResultKind, count: number, provider: string | null) => void {
      const laneValue = laneLabel(lane);
      return (channel, kind, count, provider) => {
        if (count <= 0) return;
        const channelValue = channelLabel(channel);
        if (statusLabel(kind) !== 'other') {
          deliveries.inc({ channel: channelValue, provider: providerLabel(channel, provider), lane: laneValue, status: kind }, count);
          if (kind === 'retrying') retries.inc({ channel: channelValue, lane: laneValue }, count);
        } else {
          skipped.inc({ channel: channelValue, lane: laneValue, reason: skipReasonLabel(kind) }, count);
        }
      };
    },

    /** A sender lane's onAmbiguous: ambiguous results per channel and what its policy did with them. */
    ambiguousResults(): (channel: Channel, action: AmbiguousOutcomeAction, count: number) => void {
      return (channel, action, count) => {
        if (count <= 0) return;
        ambiguousOutcomes.inc({ channel: channelLabel(channel), provider: providerLabel(channel), action: ambiguousActionLabel(action) }, count);
      };
    },

    /** A sender lane's onOverRate: messages of a chunk the provider's rate deferred, per channel. */
    overRateDeferrals(lane: string): (channel: Channel, count: number) => void {
      return (channel, count) => {
        if (count > 0) overRate.inc({ channel: channelLabel(channel), provider: providerLabel(channel), lane: laneLabel(lane) }, count);
      };
    },

    /** A sender lane's onRecordRetry: one failed recording of a sent chunk, retried in place. */
    recordRetries(lane: string): () => void {
      const labels = { lane: laneLabel(lane) };
      return () => recordRetries.inc(labels);
    },

    /** A channel's onProviderCall: the call's duration by outcome. */
    providerCalls(channel: Channel, provider?: string): (result: SendResult, seconds: number) => void {
      const labels = { channel: channelLabel(channel), provider: providerLabel(channel, provider) };
      return (result, seconds) => providerDuration.observe({ ...labels, outcome: outcomeLabel(result.kind) }, seconds);
    },

    /** Follows a channel's breaker: its state now, then every change. Returns the unsubscribe function. */
    watchBreaker(channel: Channel, lane: string, breaker: { state(): BreakerState; onStateChange(listener: (state: BreakerState) => void): () => void }, provider?: string): () => void {
      const labels = { provider: providerLabel(channel, provider), lane: laneLabel(lane) };
      breakerState.set(labels, BREAKER_STATE_VALUE[breaker.state()]);
      return breaker.onStateChange((state) => breakerState.set(labels, BREAKER_STATE_VALUE[state]));
    },

    /** Follows a provider's adaptive concurrency limit: its value now, then every change. */
    watchConcurrency(channel: Channel, lane: string, concurrency: ProviderConcurrency, provider?: string): void {
      const labels = { channel: channelLabel(channel), provider: providerLabel(channel, provider), lane: laneLabel(lane) };
      concurrencyLimit.set(labels, concurrency.limit());
      concurrency.onLimitChange((limit) => concurrencyLimit.set(labels, limit));
    },

    /** The status store with its inserts counted and timed. */
    instrumentStatusStore(store: StatusStore, table = 'delivery_status'): StatusStore {
      return {
        async insertBatch(statuses) {
          if (statuses.length === 0) return store.insertBatch(statuses);
          const stop = insertDuration.startTimer({ table });
          try {
            await store.insertBatch(statuses);
          } catch (error) {
            insertErrors.inc({ table });
            throw error;
          }
          stop();
          rowsInserted.inc({ table }, statuses.length);
        },
      };
    },

    /** Consumer lag of the groups `read` names, sampled on scrape. */
    watchLag(read: () => Promise<GroupLag[]>): void {
      lagSources.push(sampler('kafka-lag', read));
    },

    /** The delay queue's depth and how long its earliest due record has been waiting, sampled on scrape. */
    watchDelayQueue(read: () => Promise<{ depth: number; earliestDueAt: number | null }>): void {
      const now = options.now ?? Date.now;
      const source = sampler('delay-queue', read);
      new Gauge({
        name: 'vestnik_delay_queue_depth', help: 'Records waiting in the delay queue (retries, deferrals), due or not', registers,
        async collect() {
          const stats = await source.get();
          if (stats) this.set(stats.depth);
        },
      });
      new Gauge({
        name: 'vestnik_delay_queue_oldest_due_age_seconds',
        help: 'How long the earliest due record of the delay queue has been due (0 when none is due)', registers,
        async collect() {
          const stats = await source.get();
          if (!stats) return;
          const overdue = stats.earliestDueAt === null ? 0 : Math.max(0, now() - stats.earliestDueAt);
          this.set(overdue / 1000);
        },
      });
    },

    /** Running mailings and the fan-out progress of each, sampled on scrape; a finished mailing's series go. */
    watchMailings(read: () => Promise<MailingProgress[]>): void {
      const source = sampler('mailings', read);
      new Gauge({
        name: 'vestnik_mailings_running', help: 'Mailings started and not yet finished', registers,
        async collect() {
          const running = await source.get();
          if (running) this.set(running.length);
        },
      });
      new Gauge({
        name: 'vestnik_mailing_fanout_recipients', help: 'Recipients a running mailing\'s fan-out has decided, by outcome',
        labelNames: ['mailing_id', 'outcome'] as const, registers,
        async collect() {
          this.reset();
          for (const mailing of mailingSeries(await source.get())) {
            this.set({ mailing_id: mailing.mailingId, outcome: 'queued' }, mailing.queued);
            this.set({ mailing_id: mailing.mailingId, outcome: 'suppressed' }, mailing.suppressed);
          }
        },
      });
      new Gauge({
        name: 'vestnik_mailing_fanout_done', help: 'A running mailing\'s fan-out walked its whole audience (1) or is walking it (0)',
        labelNames: ['mailing_id'] as const, registers,
        async collect() {
          this.reset();
          for (const mailing of mailingSeries(await source.get())) this.set({ mailing_id: mailing.mailingId }, mailing.fanoutDone ? 1 : 0);
        },
      });
    },

    /** Open websocket connections of this process's in-app gateway, read on scrape. */
    watchWebsockets(count: () => number): void {
      new Gauge({
        name: 'vestnik_websocket_connections', help: 'Open in-app websocket connections', registers,
        collect() {
          this.set(count());
        },
      });
    },
  };
}

/** The running mailings that get series: at most MAX_MAILING_SERIES, the same ones from scrape to scrape. */
export function mailingSeries(running: readonly MailingProgress[] | null): MailingProgress[] {
  if (!running) return [];
  return [...running].sort((a, b) => a.mailingId.localeCompare(b.mailingId)).slice(0, MAX_MAILING_SERIES);
}
