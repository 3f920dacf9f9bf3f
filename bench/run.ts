/**
 * Vestnik's benchmark (issue 5): one process runs every role, the SMS simulator and the driver, on the real
 * Kafka, Redis and ClickHouse. Raw limits first (kafkajs alone, the simulator alone), then: load N clients,
 * express probes (express SMS notifications) on the idle system, one bulk SMS mailing to all of them with
 * express probes every 100 ms.
 * Prints a table, writes the JSON, removes what it created. Usage: node dist/bench/run.js --clients N --out F
 */
import { loadConfig } from '../platform/config';
import { createKafka } from '../platform/kafka/client';
import { silentLogger } from '../platform/logger';
import { createSmsApiToken, createSmsSimulator, type SmsSimulator } from '../simulators/sms';
import { parseBenchArgs, type BenchArgs } from './args';
import { runBulkMailing, type BulkResult } from './bulk';
import { deleteKafkaLeftovers, deleteKeysWithPrefix } from './cleanup';
import { loadClients, tombstoneRecords, type LoadResult } from './clients';
import { createExpressProber, settleProbes } from './express';
import { measureRawKafka, type RawKafkaResult } from './raw-kafka';
import { measureRawProvider, type RawProviderResult } from './raw-provider';
import { buildRows, type ExpressFigures } from './rows';
import { renderTable, writeJson } from './report';
import { startResourceSampler, type ResourceSample } from './sampler';
import { commandRecordBytes } from './sample-command';
import { dropBenchDatabase, startBenchStack, type BenchStack } from './stack';
import { latencySummary, pollUntil } from './stats';

const SMS_SECRET = 'bench-sms-simulator-secret';
const SMS_LATENCY_MS = 2;
const EXPRESS_EVERY_MS = 100;
const IDLE_EXPRESS_PROBES = 20;

interface RawLimits {
  kafka: RawKafkaResult;
  provider: RawProviderResult;
}

async function measureRawLimits(args: BenchArgs, concurrency: number): Promise<RawLimits> {
  const config = loadConfig(process.env);
  const kafka = createKafka({ brokers: [...config.kafka.brokers], clientId: 'vestnik-bench-raw', logger: silentLogger });
  const topic = `bench-raw-${Date.now().toString(36)}`;
  const recordBytes = await commandRecordBytes();
  let kafkaResult: RawKafkaResult;
  try {
    kafkaResult = await measureRawKafka(kafka, topic, `${topic}-group`, args.clients, recordBytes);
  } finally {
    await deleteKafkaLeftovers(kafka, topic, [topic]);
  }
  const alone = createSmsSimulator({ jwtSecret: SMS_SECRET, faults: { latencyMs: SMS_LATENCY_MS } });
  await alone.start();
  try {
    const provider = await measureRawProvider(alone.url, createSmsApiToken(SMS_SECRET), Math.min(args.clients, 50_000), concurrency);
    return { kafka: kafkaResult, provider };
  } finally {
    await alone.stop();
  }
}

interface PipelineFigures {
  load: LoadResult;
  bulk: BulkResult;
  express: ExpressFigures;
  bulkResources: ResourceSample;
}

/**
 * The express probes' one client, through the API. A fresh state view first replays state.* from the
 * beginning, and the API answers 503 (view behind) until it caught up: retried, which also means the
 * measurements below start on a caught-up view.
 */
async function createExpressClient(stack: BenchStack, tag: string): Promise<string> {
  const body = { phone: '79010000001', tags: [tag], timezone: 'Europe/Moscow', name: 'Express' };
  return pollUntil(async () => {
    const response = await stack.api('POST', '/api/clients', body);
    if (response.status === 201) return response.body.id as string;
    if (response.status === 503) return null;
    throw new Error(`express client refused: ${response.status} ${JSON.stringify(response.body)}`);
  }, { timeoutMs: 300_000, intervalMs: 500, what: 'the state view to catch up (express client created)' });
}

/** The express probes' SMS template, through the API. */
async function createExpressTemplate(stack: BenchStack): Promise<string> {
  const created = await stack.api('POST', '/api/templates', { defaultLocale: 'en', variants: { en: { sms: 'Express {{n}} for {{name}}' } } });
  if (created.status !== 201) throw new Error(`express template refused: ${created.status} ${JSON.stringify(created.body)}`);
  return created.body.id as string;
}

async function measurePipeline(stack: BenchStack, sms: SmsSimulator, clients: number, created: Created): Promise<PipelineFigures> {
  const tag = `${stack.id}_all`;
  const expressTag = `${stack.id}_express`;
  const expressClientId = await createExpressClient(stack, expressTag);
  created.otherClientIds.push(expressClientId);
  const templateId = await createExpressTemplate(stack);
  created.templateIds.push(templateId);
  const prober = createExpressProber(stack, sms, templateId, expressClientId);
  console.log(`loading ${clients} clients…`);
  const load = await loadClients(stack, clients, tag, created.clientIds);
  console.log(`loaded in ${load.totalMs} ms; ${IDLE_EXPRESS_PROBES} idle express probes…`);
  const idle = await prober.idle(IDLE_EXPRESS_PROBES);
  console.log('bulk mailing with express probes every 100 ms…');
  const sampler = startResourceSampler();
  let loop: ReturnType<typeof prober.every> | null = null;
  const bulk = await runBulkMailing(stack, sms, tag, created, () => {
    const started = prober.every(EXPRESS_EVERY_MS);
    loop = started;
    return () => started.probes;
  });
  const bulkResources = sampler.stop();
  const during = loop as ReturnType<typeof prober.every> | null;
  const probes = during ? await during.stop() : [];
  const underLoad = await settleProbes(probes, prober.acceptedAt, 30_000);
  const refused = during?.refused ?? [];
  return {
    load, bulk, bulkResources,
    express: {
      idle: latencySummary(idle),
      underLoad: { ...latencySummary(underLoad.latencies), lost: underLoad.lost, refused: refused.length, firstRefusal: refused[0] ?? null },
    },
  };
}

/** What the run wrote to the shared state topics, to tombstone at the end. */
interface Created {
  /** The bulk audience. */
  clientIds: string[];
  otherClientIds: string[];
  mailingIds: string[];
  templateIds: string[];
}

/**
 * Stops the roles, tombstones the bench clients and mailings on the shared compacted topics (a later run's
 * state view, which replays them from the beginning, would otherwise hold them and start the mailings
 * again), drops the database, deletes the Redis keys and consumer groups.
 */
async function cleanUp(stack: BenchStack, created: Created): Promise<void> {
  const attempt = (what: string, step: () => Promise<unknown>) =>
    step().catch((error: unknown) => console.error(`cleanup: ${what} failed:`, (error as Error).message));
  await attempt('stopping the roles', () => stack.stop());
  await attempt('tombstoning the clients and mailings', () => tombstoneRecords(stack, [...created.clientIds, ...created.otherClientIds], created.mailingIds, created.templateIds));
  await attempt('dropping the ClickHouse database', () => dropBenchDatabase(stack));
  await attempt('closing the clients', () => stack.runtime.close());
  await attempt('deleting the Redis keys', () => deleteKeysWithPrefix(stack.runtime.config.redis.url, stack.runtime.config.redis.keyPrefix));
  await attempt('deleting the consumer groups', () => deleteKafkaLeftovers(stack.runtime.kafka('bench-cleanup'), `${stack.id}-`, []));
}

async function main(): Promise<void> {
  const args = parseBenchArgs(process.argv.slice(2));
  const concurrency = loadConfig(process.env).sms.concurrency;
  const whole = startResourceSampler();
  console.log(`raw limits: kafkajs with ${args.clients} records, the simulator alone with ${Math.min(args.clients, 50_000)} requests…`);
  const raw = await measureRawLimits(args, concurrency);
  const sms = createSmsSimulator({ jwtSecret: SMS_SECRET, faults: { latencyMs: SMS_LATENCY_MS } });
  await sms.start();
  const stack = await startBenchStack({
    roles: ['api', 'processors', 'senders', 'analytics', 'scheduler'],
    env: { SMS_API_URL: sms.url, SMS_API_TOKEN: createSmsApiToken(SMS_SECRET) },
  });
  const created: Created = { clientIds: [], otherClientIds: [], mailingIds: [], templateIds: [] };
  let pipeline: PipelineFigures;
  try {
    pipeline = await measurePipeline(stack, sms, args.clients, created);
  } finally {
    await cleanUp(stack, created);
    await sms.stop();
  }
  const rows = buildRows({ clients: args.clients, raw, ...pipeline, concurrency });
  console.log(`\nVestnik benchmark, ${args.clients} clients, one process (all roles + SMS simulator + driver), SMS latency ${SMS_LATENCY_MS} ms\n`);
  console.log(renderTable(rows));
  const result = { at: new Date().toISOString(), clients: args.clients, smsLatencyMs: SMS_LATENCY_MS, smsConcurrency: concurrency,
    raw, ...pipeline, wholeRun: whole.stop(), table: rows };
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
