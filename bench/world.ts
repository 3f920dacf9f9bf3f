import { randomBytes } from 'node:crypto';
import type { Role } from '../cli/roles';
import { createRoleProcess, killAllChildren, type ManagedChild } from '../infra/local/child-processes';
import { startClusterWorld } from '../infra/local/cluster-world';
import { freePort, startPrivateClickHouse, startPrivateKafka, startPrivateRedis } from '../infra/local/private-services';
import { createSmsApiToken } from '../simulators/sms';
import { createSmsControlClient, type SmsControlClient } from '../simulators/sms/control-client';

/**
 * The run's secrets, new for each run: Vestnik's processes run with NODE_ENV=production, as deployed,
 * which refuses development defaults and short secrets (platform/config-production.ts).
 */
const secret = (bytes: number) => randomBytes(bytes).toString('base64url');
export const BENCH_ADMIN_KEY = `bench-${secret(24)}`;
const SMS_SECRET = secret(32);
const RUN_SECRETS = { JWT_SECRET: secret(32), UNSUBSCRIBE_SECRET: secret(32), PUSH_API_TOKEN: secret(24) };

/** A process the benchmark reports on: Vestnik's own (held to the RSS target), the infrastructure, the simulators. */
export interface MeasuredProcess {
  name: string;
  kind: 'vestnik' | 'infrastructure' | 'simulator';
  pid: number | null;
}

export interface BenchWorld {
  /** Consumer-group prefix, Redis key prefix (`<id>:`) and ClickHouse database of the run. */
  id: string;
  /** What every Vestnik process of the run gets: the private services' and the simulators' addresses. */
  env: Record<string, string>;
  /** Every ClickHouse server of the run (one, or each shard of the cluster world). */
  clickhouseUrls: string[];
  sms: SmsControlClient;
  smsUrl: string;
  smsToken: string;
  processes(): MeasuredProcess[];
  /** A `vestnik <roles>` process in this world (started by the caller), reported among processes(). */
  vestnikProcess(name: string, roles: Role[], env?: Record<string, string>, nodeFlags?: string[]): ManagedChild;
  /** Kills every process and deletes the private services' data. */
  remove(): Promise<void>;
}

/**
 * Everything Vestnik runs on, private to this run: a Kafka broker, a redis-server (AOF `appendfsync
 * always`, as infra/redis.sh) and a clickhouse-server of their own on free loopback ports with data in
 * temporary folders, and the provider simulators as a `vestnik simulators` process. Nothing of a run is
 * left on the shared services (a million clients on the shared state.clients topic would be replayed by
 * every later stack's view), and the figures are not disturbed by other runs' data.
 */
export async function startBenchWorld(options: { cluster?: boolean } = {}): Promise<BenchWorld> {
  const id = `bench_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  let infrastructure: Infrastructure | null = null;
  const children: { name: string; child: ManagedChild; kind: MeasuredProcess['kind'] }[] = [];
  const remove = async () => {
    await killAllChildren();
    await infrastructure?.remove().catch(() => undefined);
  };
  try {
    infrastructure = options.cluster ? await startClusterServices() : await startSingleServices();
    const { measured } = infrastructure;
    const [smsPort, pushPort, smtpPort, userDataPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const smsUrl = `http://127.0.0.1:${smsPort}`;
    const smsToken = createSmsApiToken(SMS_SECRET);
    const env = {
      NODE_ENV: 'production', ...RUN_SECRETS, ...infrastructure.env,
      SMS_API_URL: smsUrl, SMS_API_TOKEN: smsToken, SMS_SIMULATOR_SECRET: SMS_SECRET,
      PUSH_API_URL: `http://127.0.0.1:${pushPort}`, SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, USER_DATA_URL: `http://127.0.0.1:${userDataPort}`,
    };
    const vestnikProcess = (name: string, roles: Role[], extra: Record<string, string> = {}, nodeFlags: string[] = []) => {
      const child = createRoleProcess({ roles, id, apiKeys: `${BENCH_ADMIN_KEY}:admin|stats`, env: { ...env, ...extra }, name: `bench-${name}`, nodeFlags });
      children.push({ name, child, kind: roles.includes('simulators') ? 'simulator' : 'vestnik' });
      return child;
    };
    await vestnikProcess('simulators', ['simulators']).start();
    return {
      id, env, clickhouseUrls: infrastructure.clickhouseUrls, smsUrl, smsToken, sms: createSmsControlClient(smsUrl), vestnikProcess, remove,
      processes: () => [
        ...measured.map(({ name, process }) => ({ name, kind: 'infrastructure' as const, pid: process.pid })),
        ...children.map(({ name, child, kind }) => ({ name, kind, pid: child.pid })),
      ],
    };
  } catch (error) {
    await remove();
    throw error;
  }
}

interface Infrastructure {
  /** Each server, by the name the figures give it. */
  measured: { name: string; process: ManagedChild }[];
  env: Record<string, string>;
  clickhouseUrls: string[];
  /** Kills the servers and deletes their data. */
  remove(): Promise<void>;
}

/** One Kafka broker, one Redis, one ClickHouse: the single-node deployment. */
async function startSingleServices(): Promise<Infrastructure> {
  const [kafka, redis, clickhouse] = await Promise.all([startPrivateKafka(), startPrivateRedis(), startPrivateClickHouse()]);
  const services = { kafka, redis, clickhouse };
  return {
    measured: Object.entries(services).map(([name, service]) => ({ name, process: service.process })),
    env: { KAFKA_BROKERS: kafka.url, REDIS_URL: redis.url, CLICKHOUSE_URL: clickhouse.url },
    clickhouseUrls: [clickhouse.url],
    remove: async () => void (await Promise.all(Object.values(services).map((service) => service.remove()))),
  };
}

/** `--cluster`: the cluster world (three Kafka nodes, a Redis Cluster of three masters and three replicas, two ClickHouse shards). */
async function startClusterServices(): Promise<Infrastructure> {
  const world = await startClusterWorld();
  return {
    measured: [
      ...world.kafka.nodes.map((node) => ({ name: `kafka-${node.nodeId}`, process: node.process })),
      ...world.redis.nodes.map((node, i) => ({ name: `redis-${i + 1}`, process: node.process })),
      ...world.clickhouse.shards.map((shard, i) => ({ name: `clickhouse-${i + 1}`, process: shard.process })),
    ],
    env: world.env,
    clickhouseUrls: world.clickhouse.shards.map((shard) => shard.url),
    remove: () => world.remove(),
  };
}
