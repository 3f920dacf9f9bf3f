/**
 * Vestnik's benchmark (issue 5), on a world of its own (bench/world.ts: private Kafka, Redis, ClickHouse
 * and the provider simulators) with Vestnik deployed as separate processes (bench/deployment.ts). Raw
 * limits first (kafkajs alone on the same broker, the simulator alone), then: load N clients, express
 * probes on the idle system, one bulk SMS mailing to all of them with express probes every 100 ms.
 * Prints a table, writes the JSON, removes everything it started.
 * Usage: node dist/bench/run.js [--clients N] [--out F] [--cpu-prof]
 */
import { mkdirSync } from 'node:fs';
import { loadConfig } from '../platform/config';
import { createKafka } from '../platform/kafka/client';
import { silentLogger } from '../platform/logger';
import { parseBenchArgs, type BenchArgs } from './args';
import { runBulkMailing, type BulkResult } from './bulk';
import { loadClients, type LoadResult } from './clients';
import { deployVestnik, type Deployment } from './deployment';
import { createExpressProber, settleProbes } from './express';
import { readProcessUsage } from './process-usage';
import { summariseProfiles } from './profile-summary';
import { measureRawKafka, type RawKafkaResult } from './raw-kafka';
import { measureRawProvider, type RawProviderResult } from './raw-provider';
import { buildRows, type ExpressFigures, type ProcessFigures } from './rows';
import { renderTable, writeJson } from './report';
import { commandRecordBytes } from './sample-command';
import { latencySummary, pollUntil } from './stats';
import { startBenchWorld, type BenchWorld } from './world';

const SMS_LATENCY_MS = 2;
const EXPRESS_EVERY_MS = 100;
const IDLE_EXPRESS_PROBES = 20;
/** The raw provider loop needs enough requests to reach a steady rate, not N of them. */
const RAW_PROVIDER_REQUESTS = 50_000;

interface RawLimits {
  kafka: RawKafkaResult;
  provider: RawProviderResult;
}

/** Both raw limits on the world's broker and simulator, before any Vestnik process runs. */
async function measureRawLimits(world: BenchWorld, args: BenchArgs, concurrency: number): Promise<RawLimits> {
  const kafka = createKafka({ brokers: [world.env.KAFKA_BROKERS as string], clientId: 'vestnik-bench-raw', logger: silentLogger });
  const topic = `bench-raw-${Date.now().toString(36)}`;
  const kafkaResult = await measureRawKafka(kafka, topic, `${topic}-group`, args.clients, await commandRecordBytes());
  await world.sms.setFaults({ latencyMs: SMS_LATENCY_MS });
  const provider = await measureRawProvider(world.smsUrl, world.smsToken, Math.min(args.clients, RAW_PROVIDER_REQUESTS), concurrency);
  await world.sms.reset();
  await world.sms.setFaults({ latencyMs: SMS_LATENCY_MS });
  return { kafka: kafkaResult, provider };
}

/**
 * The express probes' one client, through the API. A fresh state view answers 503 (view behind) until it
 * caught up: retried, which also means the measurements below start on a caught-up view.
 */
async function createExpressClient(vestnik: Deployment, tag: string): Promise<string> {
  const body = { phone: '79010000001', tags: [tag], timezone: 'Europe/Moscow', name: 'Express' };
  return pollUntil(async () => {
    const response = await vestnik.api('POST', '/api/clients', body);
    if (response.status === 201) return response.body.id as string;
    if (response.status === 503) return null;
    throw new Error(`express client refused: ${response.status} ${JSON.stringify(response.body)}`);
  }, { timeoutMs: 300_000, intervalMs: 500, what: 'the state view to catch up (express client created)' });
}

/** The express probes' SMS template, through the API. */
async function createExpressTemplate(vestnik: Deployment): Promise<string> {
  const created = await vestnik.api('POST', '/api/templates', { defaultLocale: 'en', variants: { en: { sms: 'Express {{n}} for {{name}}' } } });
  if (created.status !== 201) throw new Error(`express template refused: ${created.status} ${JSON.stringify(created.body)}`);
  return created.body.id as string;
}

interface PipelineFigures {
  load: LoadResult;
  bulk: BulkResult;
  express: ExpressFigures;
  processes: ProcessFigures[];
}

async function measurePipeline(world: BenchWorld, vestnik: Deployment, clients: number): Promise<PipelineFigures> {
  const tag = `${world.id}_all`;
  const expressClientId = await createExpressClient(vestnik, `${world.id}_express`);
  const templateId = await createExpressTemplate(vestnik);
  const prober = createExpressProber(vestnik, world.sms, templateId, expressClientId);
  console.log(`loading ${clients} clients…`);
  const clientIds: string[] = [];
  const load = await loadClients(vestnik, clients, tag, clientIds);
  console.log(`loaded in ${load.totalMs} ms; ${IDLE_EXPRESS_PROBES} idle express probes…`);
  const idle = await prober.idle(IDLE_EXPRESS_PROBES);
  console.log(`bulk mailing to ${clients} with express probes every ${EXPRESS_EVERY_MS} ms…`);
  const cpuBefore = new Map(world.processes().map((p) => [p.name, p.pid === null ? null : readProcessUsage(p.pid)]));
  let during: ReturnType<typeof prober.every> | null = null;
  const bulk = await runBulkMailing(vestnik, world.sms, tag, clientIds, () => {
    const started = prober.every(EXPRESS_EVERY_MS);
    during = started;
    return () => started.probes;
  });
  const processes = world.processes().map((p): ProcessFigures => {
    const [before, after] = [cpuBefore.get(p.name), p.pid === null ? null : readProcessUsage(p.pid)];
    return { ...p, peakRssBytes: after?.peakRssBytes ?? null, bulkCpuSeconds: before && after ? after.cpuSeconds - before.cpuSeconds : null };
  });
  const probing = during as ReturnType<typeof prober.every> | null;
  const probes = probing ? await probing.stop() : [];
  const underLoad = await settleProbes(world.sms, probes, 30_000);
  const refused = probing?.refused ?? [];
  return {
    load, bulk, processes,
    express: {
      idle: latencySummary(idle),
      underLoad: { ...latencySummary(underLoad.latencies), lost: underLoad.lost, refused: refused.length, firstRefusal: refused[0] ?? null },
    },
  };
}

async function main(): Promise<void> {
  const args = parseBenchArgs(process.argv.slice(2));
  const concurrency = loadConfig(process.env).sms.concurrency;
  const profileDir = args.cpuProf ? args.out.replace(/\.json$/, '-profiles') : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  console.log('starting a private Kafka, Redis, ClickHouse and the simulators…');
  const world = await startBenchWorld();
  // Ctrl-C (or a CI timeout) still removes the private services' data folders.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void world.remove().finally(() => process.exit(130)));
  }
  let rows;
  let result;
  try {
    console.log(`raw limits: kafkajs with ${args.clients} records, the simulator alone with ${Math.min(args.clients, RAW_PROVIDER_REQUESTS)} requests…`);
    const raw = await measureRawLimits(world, args, concurrency);
    const vestnik = await deployVestnik(world, { cpuProfileDir: profileDir });
    let pipeline: PipelineFigures;
    try {
      pipeline = await measurePipeline(world, vestnik, args.clients);
    } finally {
      await vestnik.stop();
    }
    rows = buildRows({ clients: args.clients, raw, ...pipeline, concurrency });
    const profiles = profileDir ? summariseProfiles(profileDir, new Map(pipeline.processes.map((p) => [p.pid ?? -1, p.name]))) : null;
    result = { at: new Date().toISOString(), clients: args.clients, smsLatencyMs: SMS_LATENCY_MS, smsConcurrency: concurrency, raw, ...pipeline, profiles, table: rows };
  } finally {
    await world.remove();
  }
  console.log(`\nVestnik benchmark, ${args.clients} clients, Vestnik as 4 processes (bench/deployment.ts), SMS latency ${SMS_LATENCY_MS} ms\n`);
  console.log(renderTable(rows));
  if (result.profiles) console.log(`\nCPU profiles (self time by package) in ${profileDir}:\n${result.profiles.text}`);
  await writeJson(args.out, result);
  console.log(`\nwritten to ${args.out}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error('bench failed:', error);
    process.exit(1);
  },
);
