import type { BulkResult } from './bulk';
import type { LoadResult } from './clients';
import type { RawKafkaResult } from './raw-kafka';
import type { RawProviderResult } from './raw-provider';
import { fmt, mib, ms, rate, share, type TableRow } from './report';
import type { latencySummary } from './stats';
import type { MeasuredProcess } from './world';

type Latencies = ReturnType<typeof latencySummary>;

export interface ExpressFigures {
  idle: Latencies;
  underLoad: Latencies & { lost: number; refused: number; firstRefusal: string | null };
}

/** One process's figures: peak RSS over its life, CPU during the bulk phase (mailing start → stats exact). */
export interface ProcessFigures extends MeasuredProcess {
  peakRssBytes: number | null;
  bulkCpuSeconds: number | null;
}

export interface RowInputs {
  clients: number;
  concurrency: number;
  raw: { kafka: RawKafkaResult; provider: RawProviderResult };
  load: LoadResult;
  bulk: BulkResult;
  express: ExpressFigures;
  processes: ProcessFigures[];
}

const RSS_TARGET_BYTES = 512 * 1024 * 1024;
const pcts = (l: Latencies) => `${ms(l.p50)} / ${ms(l.p95)} / ${ms(l.p99)} (n=${l.count})`;
const row = (figure: string, value: string, target = '', met: boolean | null = null): TableRow => ({ figure, value, target, met });

/** The printed table: each figure with its target where issue 5 sets one. */
export function buildRows(input: RowInputs): TableRow[] {
  const { raw, load, bulk, express } = input;
  const e2eShare = raw.provider.requestsPerSecond > 0 ? bulk.deliveriesPerSecond / raw.provider.requestsPerSecond : 0;
  const vestnik = input.processes.filter((p) => p.kind === 'vestnik');
  const vestnikCpu = vestnik.reduce((sum, p) => sum + (p.bulkCpuSeconds ?? 0), 0);
  const allCpu = input.processes.reduce((sum, p) => sum + (p.bulkCpuSeconds ?? 0), 0);
  const perThousand = (seconds: number) => `${fmt((seconds * 1000) / input.clients, 3)} s`;
  return [
    row('client load (producer → view)', `${rate(load.clientsPerSecond)} (${ms(load.totalMs)})`),
    row('raw kafkajs produce+consume', `${rate(raw.kafka.recordsPerSecond)} (${raw.kafka.recordBytes} B records; produce alone ${rate(raw.kafka.produceRecordsPerSecond)})`),
    row('raw simulator (undici loop)', `${rate(raw.provider.requestsPerSecond)} (${fmt(raw.provider.requests)} req, concurrency ${input.concurrency})`),
    row('fan-out', bulk.fanoutMs === null ? 'never reported done' : `${rate(bulk.fanoutCommandsPerSecond)} (${ms(bulk.fanoutMs)}; ${share(bulk.fanoutCommandsPerSecond, raw.kafka.recordsPerSecond)} of raw kafka)`,
      '>= 100,000/s', bulk.fanoutCommandsPerSecond >= 100_000),
    row('end-to-end delivery', `${rate(bulk.deliveriesPerSecond)} (${ms(bulk.deliveryMs)}; ${share(e2eShare, 1)} of raw provider)${bulk.stalled ? ' STALLED, partial' : ''}`,
      '>= 50% of raw provider', e2eShare >= 0.5 && !bulk.stalled),
    row('stats show sent == N after', bulk.statsMs === null ? 'never' : ms(bulk.statsMs)),
    row('accepted / duplicates / missing', `${fmt(bulk.accepted)} / ${bulk.duplicates} / ${bulk.missing}`, `${fmt(input.clients)} / 0 / 0`,
      bulk.accepted === input.clients && bulk.duplicates === 0 && bulk.missing === 0),
    row('express idle p50/p95/p99', pcts(express.idle)),
    row('express under load p50/p95/p99', `${pcts(express.underLoad)}${express.underLoad.lost ? `, ${express.underLoad.lost} never accepted` : ''}${express.underLoad.refused ? `, ${express.underLoad.refused} refused by the API` : ''}`,
      'p99 < 500 ms', express.underLoad.p99 !== null && express.underLoad.p99 < 500 && express.underLoad.lost === 0 && express.underLoad.refused === 0),
    row('CPU per 1000 messages (Vestnik processes)', `${perThousand(vestnikCpu)} (${fmt(vestnikCpu, 1)} s; with infrastructure and simulator ${perThousand(allCpu)})`),
    ...input.processes.map((p) => row(`peak RSS, ${p.kind === 'vestnik' ? 'vestnik ' : ''}${p.name}`,
      `${p.peakRssBytes === null ? 'n/a' : mib(p.peakRssBytes)}; CPU ${p.bulkCpuSeconds === null ? 'n/a' : `${fmt(p.bulkCpuSeconds, 1)} s (${perThousand(p.bulkCpuSeconds)}/1000)`}`,
      p.kind === 'vestnik' ? '< 512 MiB' : '', p.kind === 'vestnik' ? p.peakRssBytes !== null && p.peakRssBytes < RSS_TARGET_BYTES : null)),
  ];
}
