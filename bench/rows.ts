import type { BulkResult } from './bulk';
import type { LoadResult } from './clients';
import type { CurrentTableState } from './current-parts';
import type { ClickHouseCpu } from './clickhouse-cpu';
import type { FanoutAloneResult } from './fanout-alone';
import type { RawKafkaResult } from './raw-kafka';
import type { RawProviderResult } from './raw-provider';
import { fmt, mib, ms, rate, share, times, type TableRow } from './report';
import type { latencySummary } from './stats';
import type { MeasuredProcess } from './world';

type Latencies = ReturnType<typeof latencySummary>;

export interface ExpressFigures {
  idle: Latencies;
  underLoad: Latencies & { lost: number; refused: number; firstRefusal: string | null };
}

/** One process's figures: peak RSS over its life, CPU in the bulk window (mailing start → last receipt). */
export interface ProcessFigures extends MeasuredProcess {
  peakRssBytes: number | null;
  bulkCpuSeconds: number | null;
  /** Its CPU per second while nothing was sent, measured before the mailing. */
  idleCpuPerSecond: number | null;
  /** bulkCpuSeconds less the idle rate over the window: what the mailing cost it. */
  bulkNetCpuSeconds: number | null;
}

export interface RawFigures {
  kafka: RawKafkaResult;
  /** The same records with @platformatic/kafka, on the same broker (each client's better of two runs). */
  platformaticKafka: RawKafkaResult;
  /** Before the mailing. */
  provider: RawProviderResult;
  /** After it, once Vestnik stopped. */
  providerAfter: RawProviderResult;
  /** The mean of the two: the rate the end-to-end figure is compared with. */
  providerMeanPerSecond: number;
}

/** One process's CPU over some stretch of the run. */
export interface ProcessCpu {
  name: string;
  cpuSeconds: number;
}

export interface RowInputs {
  clients: number;
  concurrency: number;
  raw: RawFigures;
  load: LoadResult;
  fanoutAlone: FanoutAloneResult;
  /** Each process's CPU from the fan-out alone's start to its checkpoint's done, most first. */
  fanoutAloneCpu: ProcessCpu[];
  bulk: BulkResult;
  express: ExpressFigures;
  processes: ProcessFigures[];
  /** The bulk window's length (mailing start → last receipt), over which CPU is counted. */
  windowMs: number;
  /** GET /api/stats/mailings/{id} once exact: the median of a few calls. */
  statsQueryMs: number | null;
  /** ClickHouse's queries in the window by shape (null: query_log could not be read). */
  clickhouseCpu: ClickHouseCpu | null;
  /** Its queries that started while the statistics calls ran (to the second), by shape; null: not timed or not read. */
  clickhouseDuringStats: ClickHouseCpu | null;
  /** delivery_current's parts (the mailing's partition's too) and running merges as the statistics calls began; null: not read. */
  currentAtStats: CurrentTableState | null;
}

const RSS_TARGET_BYTES = 512 * 1024 * 1024;
const MIB = 1024 * 1024;
/** Issue 15's targets, per message in CPU-ms. */
const CPU_MS_TARGETS = { vestnik: 0.3, senders: 0.15, fanout: 0.04, analytics: 0.06 };
const pcts = (l: Latencies) => `${ms(l.p50)} / ${ms(l.p95)} / ${ms(l.p99)} (n=${l.count})`;
const row = (figure: string, value: string, target = '', met: boolean | null = null): TableRow => ({ figure, value, target, met });

/** The printed table: each figure with issue 15's target where it sets one, marked met or missed. */
export function buildRows(input: RowInputs): TableRow[] {
  const { raw, load, bulk, express } = input;
  const e2eShare = raw.providerMeanPerSecond > 0 ? bulk.deliveriesPerSecond / raw.providerMeanPerSecond : 0;
  const netOf = (names: (p: ProcessFigures) => boolean) => input.processes.filter(names).reduce((sum, p) => sum + (p.bulkNetCpuSeconds ?? 0), 0);
  const cpuMsPerMessage = (seconds: number) => (seconds * 1000) / Math.max(1, bulk.accepted);
  const vestnik = cpuMsPerMessage(netOf((p) => p.kind === 'vestnik'));
  const senders = cpuMsPerMessage(netOf((p) => p.name === 'bulk-senders'));
  const fanout = cpuMsPerMessage(netOf((p) => p.name === 'bulk-processors'));
  const analytics = cpuMsPerMessage(netOf((p) => p.name === 'analytics' || isClickHouse(p.name)));
  const everything = cpuMsPerMessage(netOf(() => true));
  const cpuRow = (figure: string, value: number, target: number) => row(figure, `${fmt(value, 3)} ms`, `≤ ${target} ms`, value <= target);
  const exactAfterReceipt = bulk.statsMs === null ? null : bulk.statsMs - bulk.deliveryMs;
  return [
    row('client load (producer → view)', `${rate(load.clientsPerSecond)} (${ms(load.totalMs)})`),
    row('raw kafkajs produce+consume', `${rate(raw.kafka.recordsPerSecond)} (${raw.kafka.recordBytes} B records; produce alone ${rate(raw.kafka.produceRecordsPerSecond)})`),
    row('raw @platformatic/kafka produce alone', `${rate(raw.platformaticKafka.produceRecordsPerSecond)} (${times(raw.platformaticKafka.produceRecordsPerSecond, raw.kafka.produceRecordsPerSecond)} kafkajs; produce+consume ${rate(raw.platformaticKafka.recordsPerSecond)}, ${times(raw.platformaticKafka.recordsPerSecond, raw.kafka.recordsPerSecond)} kafkajs)`),
    row('raw simulator, before / after / mean', `${rate(raw.provider.requestsPerSecond)} / ${rate(raw.providerAfter.requestsPerSecond)} / ${rate(raw.providerMeanPerSecond)} (${fmt(raw.provider.ms / 1000)} s each, concurrency ${input.concurrency})`),
    row('fan-out alone (no bulk sender running)', `${rate(input.fanoutAlone.commandsPerSecond)} (${ms(input.fanoutAlone.fanoutMs)}; ${share(input.fanoutAlone.commandsPerSecond, raw.kafka.produceRecordsPerSecond)} of raw kafka produce)`,
      '≥ 40,000/s (stretch 100,000/s)', input.fanoutAlone.commandsPerSecond >= 40_000),
    row('CPU during the fan-out alone, in cores, by process', coresByProcess(input.fanoutAloneCpu, input.fanoutAlone.fanoutMs)),
    row('fan-out under load', bulk.fanoutMs === null ? 'never reported done' : `${rate(bulk.fanoutCommandsPerSecond)} (${ms(bulk.fanoutMs)}; ${share(bulk.fanoutCommandsPerSecond, raw.kafka.recordsPerSecond)} of raw kafka)`,
      '≥ 10,000/s', bulk.fanoutCommandsPerSecond >= 10_000),
    row('end to end, mailing start → last receipt', `${rate(bulk.deliveriesPerSecond)} (${ms(bulk.deliveryMs)}; ${share(e2eShare, 1)} of the mean raw provider)${bulk.stalled ? ' STALLED, partial' : ''}`,
      '≥ 50% of raw provider (stretch 65%)', e2eShare >= 0.5 && !bulk.stalled),
    row('statistics exact (every message final) after the last receipt', exactAfterReceipt === null ? 'never'
      : `${ms(exactAfterReceipt)} (${Object.entries(bulk.finalStatuses ?? {}).filter(([, n]) => n > 0).map(([status, n]) => `${status} ${fmt(n)}`).join(', ')})`,
    '≤ 5,000 ms', exactAfterReceipt !== null && exactAfterReceipt <= 5_000),
    row('mailing shown finished (the scheduler\'s lifecycle check) after the last receipt',
      bulk.finishedMs === null ? 'never' : ms(bulk.finishedMs - bulk.deliveryMs)),
    row('a mailing\'s statistics (GET /api/stats/mailings/{id}), once finished', ms(input.statsQueryMs), '≤ 100 ms', input.statsQueryMs !== null && input.statsQueryMs <= 100),
    row('delivery_current as the statistics calls began (what their FINAL folds)', currentText(input.currentAtStats)),
    row('ClickHouse CPU while the statistics calls ran, by query', input.clickhouseDuringStats === null ? 'n/a'
      : shapesText(input.clickhouseDuringStats, (seconds) => `${fmt(seconds * 1000)} ms`).join('; ')),
    row('accepted / duplicates / missing', `${fmt(bulk.accepted)} / ${bulk.duplicates} / ${bulk.missing}`, `${fmt(input.clients)} / 0 / 0`,
      bulk.accepted === input.clients && bulk.duplicates === 0 && bulk.missing === 0),
    row('express idle p50/p95/p99', pcts(express.idle), 'p99 ≤ 50 ms', express.idle.p99 !== null && express.idle.p99 <= 50),
    row('express during the bulk run p50/p95/p99', `${pcts(express.underLoad)}${express.underLoad.lost ? `, ${express.underLoad.lost} never accepted` : ''}${express.underLoad.refused ? `, ${express.underLoad.refused} refused by the API` : ''}`,
      'p99 ≤ 250 ms', express.underLoad.p99 !== null && express.underLoad.p99 <= 250 && express.underLoad.lost === 0 && express.underLoad.refused === 0),
    cpuRow('CPU per message, Vestnik processes (less idle)', vestnik, CPU_MS_TARGETS.vestnik),
    cpuRow('CPU per message, bulk senders', senders, CPU_MS_TARGETS.senders),
    cpuRow('CPU per message, fan-out (bulk processors)', fanout, CPU_MS_TARGETS.fanout),
    cpuRow('CPU per message, analytics with ClickHouse', analytics, CPU_MS_TARGETS.analytics),
    row('CPU per message, everything (with Kafka, Redis, simulators)', `${fmt(everything, 3)} ms over a ${fmt(input.windowMs / 1000)} s window`),
    clickhouseRow(input),
    ...input.processes.map((p) => row(`peak RSS, ${p.kind === 'vestnik' ? 'vestnik ' : ''}${p.name}`,
      `${p.peakRssBytes === null ? 'n/a' : mib(p.peakRssBytes)}; CPU ${p.bulkCpuSeconds === null ? 'n/a' : `${fmt(p.bulkCpuSeconds, 1)} s, idle ${fmt(p.idleCpuPerSecond ?? 0, 3)}/s, net ${fmt(p.bulkNetCpuSeconds ?? 0, 1)} s`}`,
      p.kind === 'vestnik' ? `< ${RSS_TARGET_BYTES / MIB} MiB` : '', p.kind === 'vestnik' ? p.peakRssBytes !== null && p.peakRssBytes < RSS_TARGET_BYTES : null)),
  ];
}

/** `name 0.93, name 0.41, …`: each process's CPU seconds over `ms` of wall time, the busiest first. */
function coresByProcess(cpu: readonly ProcessCpu[], ms: number): string {
  if (cpu.length === 0 || ms <= 0) return 'n/a';
  const shown = cpu.filter((p) => p.cpuSeconds * 1000 >= ms * 0.01);
  const total = cpu.reduce((sum, p) => sum + p.cpuSeconds, 0);
  return `${shown.map((p) => `${p.name} ${fmt((p.cpuSeconds * 1000) / ms, 2)}`).join(', ')}; all ${fmt((total * 1000) / ms, 2)}`;
}

/** ClickHouse's CPU in the window: each query shape's, then the rest (merges, background) as its process's less the queries'. */
function clickhouseRow(input: RowInputs): TableRow {
  const figure = 'ClickHouse CPU in the window, by query (system.query_log)';
  if (!input.clickhouseCpu) return row(figure, 'n/a: query_log not read');
  const servers = input.processes.filter((p) => isClickHouse(p.name));
  const net = servers.length === 0 || servers.some((p) => p.bulkNetCpuSeconds === null)
    ? null : servers.reduce((sum, p) => sum + p.bulkNetCpuSeconds!, 0);
  const shapes = shapesText(input.clickhouseCpu, (seconds) => `${fmt(seconds, 1)} s`);
  const rest = net === null ? [] : [`${fmt(Math.max(0, net - input.clickhouseCpu.queriesCpuSeconds), 1)} s merges and other background work`];
  return row(figure, [...shapes, ...rest].join('; '));
}

/** Each query shape as `<its CPU> <shape> (×<queries>)`, its CPU written by `cpu`. */
function shapesText(clickhouse: ClickHouseCpu, cpu: (seconds: number) => string): string[] {
  return clickhouse.shapes.map((s) => `${cpu(s.cpuSeconds)} ${s.shape} (×${fmt(s.queries)})`);
}

/** `clickhouse`, or `clickhouse-N` for each shard of the cluster world. */
function isClickHouse(name: string): boolean {
  return name === 'clickhouse' || name.startsWith('clickhouse-');
}

/** The mailing's partition (folded or not, and why), then the whole table. */
function currentText(state: CurrentTableState | null): string {
  if (state === null) return 'n/a';
  const fold = state.unfolded === null ? `folded, waited ${fmt(state.waitedMs ?? 0)} ms for it` : `not folded: ${state.unfolded}`;
  const parts = (n: number) => `${n} part${n === 1 ? '' : 's'}`;
  return `the mailing's partition ${parts(state.partitionParts)} (${fold}); the table ${parts(state.parts)}, ${state.merges} merges running`;
}
