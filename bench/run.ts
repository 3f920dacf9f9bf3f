/**
 * Vestnik's benchmark (issues 5 and 15), on a world of its own (bench/world.ts: private Kafka, Redis,
 * ClickHouse and the provider simulators) with Vestnik deployed as separate processes (bench/deployment.ts).
 * Raw limits first (kafkajs and @platformatic/kafka alone on the same broker with the same records, twice each, the
 * simulator alone for --raw-seconds), then: load N clients, express probes on the idle system, a mailing to all
 * of them fanned out with no bulk sender running (then cancelled and its commands deleted), every process's
 * idle CPU, one bulk SMS mailing to all of them with an express probe every 100 ms on a fixed schedule until
 * the last bulk receipt; the audit, a mailing's statistics query, and the simulator alone again once Vestnik
 * stopped (the end-to-end share is of the mean of both raw rates). Prints a table with issue 15's targets met
 * or missed, writes the JSON, removes everything it started.
 * Usage: node dist/bench/run.js [--clients N] [--out F] [--raw-seconds S] [--cpu-prof]
 */
import { mkdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createClickHouseClient } from '../analytics/clickhouse-client';
import { DEFAULT_FOLD_POLICY } from '../analytics/fold-mailing';
import { loadConfig } from '../platform/config';
import { createKafka } from '../platform/kafka/client';
import { silentLogger } from '../platform/logger';
import { parseBenchArgs, type BenchArgs } from './args';
import { runBulkMailing, type BulkResult } from './bulk';
import { clickHouseCpuByQuery, type ClickHouseCpu } from './clickhouse-cpu';
import { loadClients, type LoadResult } from './clients';
import { deployVestnik, type Deployment } from './deployment';
import { measureFanoutAlone, type FanoutAloneResult } from './fanout-alone';
import { createExpressProber, settleProbes, type ExpressProbe } from './express';
import { readProcessUsage, type ProcessUsage } from './process-usage';
import { summariseProfiles } from './profile-summary';
import { measureRawKafka, type RawKafkaResult } from './raw-kafka';
import { measureRawPlatformaticKafka } from './raw-kafka-platformatic';
import { measureRawProvider, type RawProviderResult } from './raw-provider';
import { buildRows, type ExpressFigures, type ProcessCpu, type ProcessFigures } from './rows';
import { renderTable, writeJson } from './report';
import { commandRecordBytes } from './sample-command';
import { currentTableState, type CurrentTableState } from './current-parts';
import { latencySummary, percentile, pollUntil, sleep } from './stats';
import { startBenchWorld, type BenchWorld } from './world';

const SMS_LATENCY_MS = 2;
const EXPRESS_EVERY_MS = 100;
/** Enough for a p99 that is not simply the slowest one (with 20 it was), about 10 s. */
const IDLE_EXPRESS_PROBES = 100;
/** How long every process's idle CPU is measured, to take it off its CPU in the bulk window. */
const IDLE_CPU_WINDOW_MS = 10_000;
/** Calls of a mailing's statistics once exact; the median is reported. */
const STATS_QUERY_CALLS = 5;

interface RawLimits {
  kafka: RawKafkaResult;
  /** The same records with @platformatic/kafka instead of kafkajs (each client's better of two runs). */
  platformaticKafka: RawKafkaResult;
  provider: RawProviderResult;
}

/** The simulator alone for --raw-seconds, with the latency the mailing sees; it forgets those messages after. */
async function measureProviderAlone(world: BenchWorld, args: BenchArgs, concurrency: number, firstMsgId: number): Promise<RawProviderResult> {
  await world.sms.setFaults({ latencyMs: SMS_LATENCY_MS });
  const provider = await measureRawProvider(world.smsUrl, world.smsToken, { durationMs: args.rawSeconds * 1000, concurrency, firstMsgId });
  await world.sms.reset();
  await world.sms.setFaults({ latencyMs: SMS_LATENCY_MS });
  return provider;
}

/** Of two runs of one client, the one that produced faster. */
const betterRun = (a: RawKafkaResult, b: RawKafkaResult) => (a.produceRecordsPerSecond >= b.produceRecordsPerSecond ? a : b);

/** Both raw limits on the world's broker (with each Kafka client) and simulator, before any Vestnik process runs. */
async function measureRawLimits(world: BenchWorld, args: BenchArgs, concurrency: number): Promise<RawLimits> {
  const brokers = (world.env.KAFKA_BROKERS as string).split(',');
  const kafka = createKafka({ brokers, clientId: 'vestnik-bench-raw', logger: silentLogger });
  const topic = `bench-raw-${Date.now().toString(36)}`;
  const recordBytes = await commandRecordBytes();
  const kafkajsRun = (name: string) => measureRawKafka(kafka, name, `${name}-group`, args.clients, recordBytes);
  const platformaticRun = (name: string) => measureRawPlatformaticKafka(brokers, name, args.clients, recordBytes);
  // In the order kafkajs, platformatic, platformatic, kafkajs, each client's better run: on a fresh broker
  // whichever client runs second was 15–40% faster (the broker warming up), so one fixed order favours one.
  const kafkajsFirst = await kafkajsRun(`${topic}-a`);
  const platformaticFirst = await platformaticRun(`${topic}-platformatic-a`);
  const platformaticSecond = await platformaticRun(`${topic}-platformatic-b`);
  const kafkajsSecond = await kafkajsRun(`${topic}-b`);
  return {
    kafka: betterRun(kafkajsFirst, kafkajsSecond),
    platformaticKafka: betterRun(platformaticFirst, platformaticSecond),
    provider: await measureProviderAlone(world, args, concurrency, 1_000_000_000),
  };
}

type Usage = Map<string, ProcessUsage | null>;
const usageOf = (world: BenchWorld): Usage => new Map(world.processes().map((p) => [p.name, p.pid === null ? null : readProcessUsage(p.pid)]));
const cpuBetween = (before: Usage, after: Usage, name: string) => {
  const [a, b] = [before.get(name), after.get(name)];
  return a && b ? b.cpuSeconds - a.cpuSeconds : null;
};

/** Each process's CPU seconds between two readings, most first (none when either reading is missing). */
function cpuByProcess(world: BenchWorld, readings: [Usage, Usage] | null): ProcessCpu[] {
  if (!readings) return [];
  return world.processes()
    .map((p) => ({ name: p.name, cpuSeconds: cpuBetween(readings[0], readings[1], p.name) }))
    .filter((p): p is ProcessCpu => p.cpuSeconds !== null)
    .sort((a, b) => b.cpuSeconds - a.cpuSeconds);
}

/** Every process's CPU per second while nothing is sent. */
async function measureIdleCpu(world: BenchWorld): Promise<Map<string, number | null>> {
  const before = usageOf(world);
  await sleep(IDLE_CPU_WINDOW_MS);
  const after = usageOf(world);
  return new Map(world.processes().map((p) => {
    const cpu = cpuBetween(before, after, p.name);
    return [p.name, cpu === null ? null : cpu / (IDLE_CPU_WINDOW_MS / 1000)];
  }));
}

/** GET /api/stats/mailings/{id} (counts and the first page), the median of a few calls. */
async function timeStatsQuery(vestnik: Deployment, mailingId: string): Promise<number | null> {
  const times: number[] = [];
  for (let i = 0; i < STATS_QUERY_CALLS; i++) {
    const started = performance.now();
    const response = await vestnik.api('GET', `/api/stats/mailings/${mailingId}?limit=100`);
    if (response.status !== 200) return null;
    times.push(performance.now() - started);
  }
  return percentile(times, 50);
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
  fanoutAlone: FanoutAloneResult;
  fanoutAloneCpu: ProcessCpu[];
  bulk: BulkResult;
  express: ExpressFigures;
  processes: ProcessFigures[];
  windowMs: number;
  statsQueryMs: number | null;
  clickhouseCpu: ClickHouseCpu | null;
  clickhouseDuringStats: ClickHouseCpu | null;
  currentAtStats: CurrentTableState | null;
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
  console.log(`fan-out alone: a mailing to all ${clients} with no bulk sender running…`);
  const walkCpu: Usage[] = [];
  const fanoutAlone = await measureFanoutAlone(vestnik, tag, clients, {
    started: () => void walkCpu.push(usageOf(world)),
    done: () => void walkCpu.push(usageOf(world)),
  });
  const fanoutAloneCpu = cpuByProcess(world, walkCpu.length === 2 ? [walkCpu[0]!, walkCpu[1]!] : null);
  await vestnik.startBulkSenders();
  console.log(`every process's idle CPU for ${IDLE_CPU_WINDOW_MS / 1000} s…`);
  const idleCpu = await measureIdleCpu(world);
  console.log(`bulk mailing to ${clients} with an express probe every ${EXPRESS_EVERY_MS} ms…`);
  // The window: mailing start → last receipt. The probes and the CPU count stop there, before the audit.
  const cpuBefore = usageOf(world);
  const windowStartedAt = Date.now();
  let cpuAfter: Usage | null = null;
  let windowEndedAt = windowStartedAt;
  let probing: ReturnType<typeof prober.every> | null = null;
  let probesStopped: Promise<ExpressProbe[]> = Promise.resolve([]);
  const bulk = await runBulkMailing(vestnik, world.sms, tag, clientIds, {
    onStarted: () => {
      const started = prober.every(EXPRESS_EVERY_MS);
      probing = started;
      return () => started.probes;
    },
    onDelivered: () => {
      [cpuAfter, windowEndedAt] = [usageOf(world), Date.now()];
      probesStopped = probing?.stop() ?? Promise.resolve([]);
    },
  });
  const windowMs = windowEndedAt - windowStartedAt;
  const end: Usage = cpuAfter ?? usageOf(world);
  const processes = world.processes().map((p): ProcessFigures => {
    const bulkCpuSeconds = cpuBetween(cpuBefore, end, p.name);
    const idleCpuPerSecond = idleCpu.get(p.name) ?? null;
    return {
      ...p, peakRssBytes: (p.pid === null ? null : readProcessUsage(p.pid))?.peakRssBytes ?? null, bulkCpuSeconds, idleCpuPerSecond,
      bulkNetCpuSeconds: bulkCpuSeconds === null ? null : Math.max(0, bulkCpuSeconds - (idleCpuPerSecond ?? 0) * (windowMs / 1000)),
    };
  });
  const probes = await probesStopped;
  const underLoad = await settleProbes(world.sms, probes, 30_000);
  const refused = (probing as ReturnType<typeof prober.every> | null)?.refused ?? [];
  const clickhouses = world.clickhouseUrls.map((url) => createClickHouseClient({ url }));
  try {
    // The counts read delivery_current with FINAL, whose cost is the parts not yet merged: the mailing's fold
    // (by the scheduler, once finished) is waited for, and the parts are printed beside the figure.
    const foldPolicy = { ...DEFAULT_FOLD_POLICY, minMessages: vestnik.runtime.config.clickhouse.foldMinMessages };
    const currentAtStats = await currentTableState(clickhouses, world.id, { id: bulk.mailingId, messages: clients }, foldPolicy).catch((error: unknown) => {
      console.warn(`delivery_current's parts could not be read: ${String(error)}`);
      return null;
    });
    const statsStartedAt = Date.now();
    const statsQueryMs = bulk.statsMs === null ? null : await timeStatsQuery(vestnik, bulk.mailingId);
    const statsEndedAt = Date.now();
    const cpuByQuery = (fromMs: number, toMs: number) => clickHouseCpuByQuery(clickhouses, world.id, fromMs, toMs).catch((error: unknown) => {
      console.warn(`ClickHouse's CPU could not be broken down by query: ${String(error)}`);
      return null;
    });
    const clickhouseCpu = await cpuByQuery(windowStartedAt, windowEndedAt);
    // What the statistics calls ran beside: their own queries, and the scheduler's checks of the mailing just finished.
    const clickhouseDuringStats = statsQueryMs === null ? null : await cpuByQuery(statsStartedAt, statsEndedAt);
    return {
      load, bulk, fanoutAlone, fanoutAloneCpu, processes, windowMs, statsQueryMs, clickhouseCpu, clickhouseDuringStats, currentAtStats,
      express: {
        idle: latencySummary(idle),
        underLoad: { ...latencySummary(underLoad.latencies), lost: underLoad.lost, refused: refused.length, firstRefusal: refused[0] ?? null },
      },
    };
  } finally {
    await Promise.all(clickhouses.map((client) => client.close()));
  }
}

async function main(): Promise<void> {
  const args = parseBenchArgs(process.argv.slice(2));
  const concurrency = loadConfig(process.env).sms.concurrency;
  const profileDir = args.cpuProf ? args.out.replace(/\.json$/, '-profiles') : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  console.log(args.cluster
    ? 'starting the cluster world (3 Kafka nodes, a Redis Cluster of 3 masters and 3 replicas, 2 ClickHouse shards) and the simulators…'
    : 'starting a private Kafka, Redis, ClickHouse and the simulators…');
  const world = await startBenchWorld({ cluster: args.cluster });
  // Ctrl-C (or a CI timeout) still removes the private services' data folders.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void world.remove().finally(() => process.exit(130)));
  }
  let rows;
  let result;
  try {
    console.log(`raw limits: kafkajs and @platformatic/kafka with ${args.clients} records each, the simulator alone for ${args.rawSeconds} s…`);
    const before = await measureRawLimits(world, args, concurrency);
    const vestnik = await deployVestnik(world, { cpuProfileDir: profileDir, holdBulkSenders: true });
    let pipeline: PipelineFigures;
    try {
      pipeline = await measurePipeline(world, vestnik, args.clients);
    } finally {
      await vestnik.stop();
    }
    console.log(`the simulator alone again for ${args.rawSeconds} s…`);
    const providerAfter = await measureProviderAlone(world, args, concurrency, 1_500_000_000);
    const raw = { ...before, providerAfter, providerMeanPerSecond: (before.provider.requestsPerSecond + providerAfter.requestsPerSecond) / 2 };
    rows = buildRows({ clients: args.clients, raw, ...pipeline, concurrency });
    const profiles = profileDir ? summariseProfiles(profileDir, new Map(pipeline.processes.map((p) => [p.pid ?? -1, p.name]))) : null;
    result = { at: new Date().toISOString(), clients: args.clients, smsLatencyMs: SMS_LATENCY_MS, smsConcurrency: concurrency, rawSeconds: args.rawSeconds, raw, ...pipeline, profiles, table: rows };
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
