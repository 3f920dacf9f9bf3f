import type { Role } from '../cli/roles';
import { setup } from '../cli/commands/setup';
import { createRuntime, type Runtime } from '../cli/runtime';
import type { ManagedChild } from '../infra/local/child-processes';
import { createAdminApi, type AdminApi } from '../infra/local/admin-api';
import { freePort } from '../infra/local/private-services';
import { loadConfig } from '../platform/config';
import { topicNamesOf } from '../platform/kafka';
import { TOPICS } from '../platform/topics';
import { createLogger } from '../platform/logger';
import { BENCH_ADMIN_KEY, type BenchWorld } from './world';

/**
 * Vestnik as production deploys it on one machine: the express lanes with the API and the scheduler in one
 * process, the bulk fan-outs, the bulk senders and analytics in a process each. Every process has its own
 * event loop, so the bulk mailing's CPU work never queues ahead of an express message, and the two cores
 * work on fan-out and sending at once. PROCESS_NICE is not set here: at nice 10 the bulk senders lost the
 * cores to everything else on a busy machine long enough for provider answers to sit unread past their
 * deadline (README "Benchmark").
 */
const BULK_SENDERS = 'bulk-senders';
const PROCESSES: readonly { name: string; roles: Role[]; env?: Record<string, string> }[] = [
  { name: 'express', roles: ['api', 'processors', 'senders', 'scheduler'], env: { LANES: 'express' } },
  { name: 'bulk-processors', roles: ['processors'], env: { LANES: 'bulk' } },
  { name: BULK_SENDERS, roles: ['senders'], env: { LANES: 'bulk' } },
  { name: 'analytics', roles: ['analytics'] },
];

/**
 * The V8 heap of each process, as the Kubernetes manifests set it (deploy/k8s/base, NODE_OPTIONS).
 * - The old-generation cap: uncapped, V8 sizes its heap by this machine's 24 GiB and collects late (the
 *   express process reached 493 MiB RSS at 100k clients; capped, 262 MiB at a million). With a cap, a
 *   process that held the audience would die here instead of passing.
 * - A young generation larger than V8's default (16 MiB semi-spaces): every message makes short-lived
 *   objects (records, statuses, requests), and a small young generation collects them often and promotes
 *   some of them to be collected again. 100k runs with profiles, one each: the bulk senders' time in the GC
 *   fell from 18.3% (16 MiB) to 16.5% (32) and 12.5% (64), Vestnik's CPU per message from 0.570 to 0.517
 *   and 0.458 ms, while peak RSS rose to 351 and 419 MiB. 48 MiB keeps old cap + young generation (3 ×
 *   semi-space) at 464 MiB, under the pods' 512 MiB limit; at 200k it gave 0.398 ms against 0.480 the same
 *   day at 16 MiB, at peak RSS up to 405 MiB (README "Benchmark").
 */
const V8_HEAP_FLAGS = ['--max-old-space-size=320', '--max-semi-space-size=48'];

/** A graceful stop writes the CPU profiles; one that takes longer than this is killed. */
const STOP_GRACE_MS = 30_000;

export interface Deployment {
  /** Calls the API as the admin; JSON in, JSON out. */
  api: AdminApi;
  /**
   * With `holdBulkSenders`, starts the bulk senders and resolves once their consumer group is stable (a new
   * group starts at the end of its topics: a command produced before it joined would not be read).
   */
  startBulkSenders(): Promise<void>;
  /** The benchmark driver's own clients on the same data (load producer, Redis reads); not a Vestnik role. */
  runtime: Runtime;
  /** SIGTERM to every Vestnik process (they finish in-flight work and write their profiles), then the driver's clients. */
  stop(): Promise<void>;
}

/**
 * Starts the processes; with `cpuProfileDir`, each writes a V8 CPU profile there when it stops. With
 * `holdBulkSenders`, the bulk senders wait for startBulkSenders() (the fan-out measured alone).
 */
export async function deployVestnik(world: BenchWorld, options: { cpuProfileDir?: string; holdBulkSenders?: boolean } = {}): Promise<Deployment> {
  const apiPort = await freePort();
  const config = loadConfig({
    ...process.env, ...world.env, KAFKA_GROUP_PREFIX: world.id, KAFKA_TOPIC_PREFIX: world.id, REDIS_KEY_PREFIX: `${world.id}:`, CLICKHOUSE_DATABASE: world.id,
    API_KEYS: `${BENCH_ADMIN_KEY}:admin`, METRICS_ENABLED: 'false', HTTP_PORT: '0',
  });
  const runtime = createRuntime(config, createLogger({ level: process.env.BENCH_LOG_LEVEL ?? 'error' }));
  // Topics and tables once, before the processes start (each would otherwise race to create them).
  await setup(runtime);
  const nodeFlags = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
  const children: ManagedChild[] = PROCESSES.map(({ name, roles, env }) =>
    world.vestnikProcess(name, roles, { ...env, HTTP_PORT: roles.includes('api') ? String(apiPort) : '0' }, [...V8_HEAP_FLAGS, ...nodeFlags]));
  const held = options.holdBulkSenders ? children[PROCESSES.findIndex((p) => p.name === BULK_SENDERS)] : undefined;
  await Promise.all(children.filter((child) => child !== held).map((child) => child.start()));
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  return {
    runtime,
    api: createAdminApi(apiUrl, BENCH_ADMIN_KEY),
    async startBulkSenders() {
      if (!held) return;
      await held.start();
      await waitForStableGroup(runtime, runtime.groupId('senders-bulk'));
    },
    async stop() {
      await Promise.all(children.map(async (child) => {
        const killer = setTimeout(() => void child.kill('SIGKILL'), STOP_GRACE_MS);
        await child.kill('SIGTERM');
        clearTimeout(killer);
      }));
      await runtime.close();
    },
  };
}

/**
 * Polls until the group is Stable with a member and has a committed offset on every partition of the bulk
 * topic (a new group pins its start there on joining, platform/kafka/consumer.ts): from then on, every
 * command produced is read (a mailing's pages on deliveries.bulk-pages are read from the topic's beginning).
 */
async function waitForStableGroup(runtime: Runtime, groupId: string): Promise<void> {
  const kafka = runtime.kafka();
  const admin = kafka.admin();
  const topic = topicNamesOf(kafka).physical(TOPICS.deliveriesBulk);
  await admin.connect();
  try {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const { groups } = await admin.describeGroups([groupId]);
      const stable = groups[0]?.state === 'Stable' && groups[0].members.length > 0;
      const offsets = stable ? await admin.fetchOffsets({ groupId, topics: [topic] }) : [];
      if (stable && offsets[0]?.partitions.every((p) => Number(p.offset) >= 0)) return;
      if (Date.now() > deadline) throw new Error(`bench: consumer group ${groupId} not reading ${topic} within 120 s (${groups[0]?.state})`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    await admin.disconnect();
  }
}
