import type { Kafka, Producer } from 'kafkajs';
import { createClickHouseClient, type ClickHouseClient } from '../analytics/clickhouse-client';
import type { ClickHouseCluster } from '../analytics/cluster-schema';
import { createCodec } from '../platform/codec';
import type { Codec } from '../platform/codec/codec';
import type { Config } from '../platform/config';
import { describeError } from '../platform/errors';
import { createKafka, createRawProducer, createTypedProducer, javaCompatiblePartitioner, kafkaConnectionOptions, type TypedProducer } from '../platform/kafka';
import type { Logger } from '../platform/logger';
import { createRedis, type Redis } from '../platform/redis/client';
import type { PipelineMetrics } from './metrics/pipeline-metrics';
import { startTracing } from '../platform/tracing/tracer';

/** Something a role started and must stop on shutdown. */
export interface Stoppable {
  name: string;
  /** Where it listens, for parts that serve HTTP. */
  url?: string;
  /** Whether it is ready to work (a consumer: joined its group); parts without it do not count for /readyz. */
  ready?(): boolean;
  stop(): Promise<void>;
}

export interface RuntimeOptions {
  metrics?: PipelineMetrics | null;
  /**
   * The wall clock of the process's time-driven work (the scheduler: mailing starts, the daily report).
   * Only tests pass one, to move a scheduler to tomorrow instead of waiting for it.
   */
  clock?: { now(): number };
}

/**
 * The clients of one process, created on first use and shared by its roles, closed last on shutdown.
 * Express traffic gets its own Kafka client (own connections), so it never queues behind bulk requests.
 */
export function createRuntime(config: Readonly<Config>, logger: Logger, options: RuntimeOptions = {}) {
  const closers: (() => Promise<void>)[] = [];
  const kafkas = new Map<string, Kafka>();
  const producers = new Map<string, TypedProducer>();
  const rawProducers = new Map<string, Producer>();
  const redises = new Map<string, Redis>();
  let codec: Codec | null = null;
  let clickhouse: ClickHouseClient | null = null;
  let clickhouseCluster: ClickHouseCluster | null = null;
  // SASL and TLS files are read once, here at boot: a missing file stops the process with its variable named.
  const kafkaSecurity = kafkaConnectionOptions(config.kafka.security);
  // First, so every client below works inside traces; closed last, so spans of the last batches are flushed.
  const tracing = startTracing({ ...config.tracing, logger });
  closers.push(() => tracing.shutdown());
  // The consumer groups this process's roles asked for, so the metrics can sample their lag.
  const groups = new Set<string>();

  const runtime = {
    config,
    logger,
    /** The process's metrics (cli/metrics), or null with METRICS_ENABLED=false and in tests that build none. */
    metrics: options.metrics ?? null,
    clock: options.clock ?? { now: () => Date.now() },
    /** The consumer group id of a stage. */
    groupId(stage: string): string {
      const id = `${config.kafka.groupPrefix}-${stage}`;
      groups.add(id);
      return id;
    },
    /** Every group id handed out so far. */
    consumerGroups(): string[] {
      return [...groups];
    },
    codec(): Codec {
      codec ??= createCodec({ registryUrl: config.kafka.schemaRegistryUrl, logger });
      return codec;
    },
    kafka(lane = 'main'): Kafka {
      let kafka = kafkas.get(lane);
      if (!kafka) {
        kafka = createKafka({
          brokers: [...config.kafka.brokers], clientId: `${config.kafka.clientId}-${lane}`, logger,
          topicPrefix: config.kafka.topicPrefix, security: kafkaSecurity, observer: options.metrics?.kafkaObserver,
        });
        kafkas.set(lane, kafka);
      }
      return kafka;
    },
    async producer(lane = 'main'): Promise<TypedProducer> {
      let producer = producers.get(lane);
      if (!producer) {
        producer = createTypedProducer({ kafka: runtime.kafka(lane), codec: runtime.codec(), logger });
        producers.set(lane, producer);
        await producer.connect();
        closers.push(() => producer!.disconnect());
      }
      return producer;
    },
    /** A plain idempotent producer for records that are already encoded (the delay queue's); topics are logical. */
    async rawProducer(lane = 'main'): Promise<Producer> {
      let producer = rawProducers.get(lane);
      if (!producer) {
        const created = createRawProducer(runtime.kafka(lane), { idempotent: true, maxInFlightRequests: 1, createPartitioner: javaCompatiblePartitioner() });
        rawProducers.set(lane, created);
        await created.connect();
        closers.push(() => created.disconnect());
        producer = created;
      }
      return producer;
    },
    redis(name = 'main'): Redis {
      let redis = redises.get(name);
      if (!redis) {
        redis = createRedis({
          url: config.redis.url, clusterNodes: config.redis.clusterNodes ?? undefined, keyPrefix: config.redis.keyPrefix, logger, name: `vestnik-${name}`,
        });
        redises.set(name, redis);
        const client = redis;
        closers.push(async () => void (await client.quit()));
      }
      return redis;
    },
    clickhouse(): ClickHouseClient {
      if (!clickhouse) {
        const client = createClickHouseClient({
          url: config.clickhouse.url, username: config.clickhouse.user, password: config.clickhouse.password, logger,
          clustered: config.clickhouse.cluster !== null,
        });
        clickhouse = client;
        closers.push(() => client.close());
      }
      return clickhouse;
    },
    /**
     * The ClickHouse cluster (CLICKHOUSE_CLUSTER) with a client per shard, for what runs on each shard's own
     * tables (migrations, erasure); null on a single server.
     */
    clickhouseCluster(): ClickHouseCluster | null {
      const cluster = config.clickhouse.cluster;
      if (!cluster) return null;
      if (!clickhouseCluster) {
        const shards = cluster.shardUrls.map((url) => createClickHouseClient({
          url, username: config.clickhouse.user, password: config.clickhouse.password, logger, clustered: true,
        }));
        for (const shard of shards) closers.push(() => shard.close());
        clickhouseCluster = { name: cluster.name, shards };
      }
      return clickhouseCluster;
    },
    /** Closes every client, newest first; a failure to close one does not keep the others open. */
    async close(): Promise<void> {
      for (const close of closers.reverse()) {
        await close().catch((error) => logger.warn({ err: describeError(error) }, 'closing a client failed'));
      }
    },
  };
  return runtime;
}

export type Runtime = ReturnType<typeof createRuntime>;
