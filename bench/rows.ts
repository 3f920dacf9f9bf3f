import type { BulkResult } from './bulk';
import type { LoadResult } from './clients';
import type { RawKafkaResult } from './raw-kafka';
import type { RawProviderResult } from './raw-provider';
import { fmt, mib, ms, rate, share, type TableRow } from './report';
import type { ResourceSample } from './sampler';
import type { latencySummary } from './stats';

type Latencies = ReturnType<typeof latencySummary>;

export interface ExpressFigures {
  idle: Latencies;
  underLoad: Latencies & { lost: number; refused: number; firstRefusal: string | null };
}

export interface RowInputs {
  clients: number;
  concurrency: number;
  raw: { kafka: RawKafkaResult; provider: RawProviderResult };
  load: LoadResult;
  bulk: BulkResult;
  express: ExpressFigures;
  bulkResources: ResourceSample;
}

const MIB = 1024 * 1024;
const pcts = (l: Latencies) => `${ms(l.p50)} / ${ms(l.p95)} / ${ms(l.p99)} (n=${l.count})`;

/** The printed table: each figure with its target where issue 5 sets one. */
export function buildRows(input: RowInputs): TableRow[] {
  const { raw, load, bulk, express, bulkResources } = input;
  const e2eShare = raw.provider.requestsPerSecond > 0 ? bulk.deliveriesPerSecond / raw.provider.requestsPerSecond : 0;
  const row = (figure: string, value: string, target = '', met: boolean | null = null): TableRow => ({ figure, value, target, met });
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
    row('peak RSS (bulk phase, whole process)', mib(bulkResources.peakRssBytes), '< 512 MiB', bulkResources.peakRssBytes < 512 * MIB),
    row('event-loop delay p50/p99/max (bulk phase)', `${ms(bulkResources.eventLoopDelayMs.p50)} / ${ms(bulkResources.eventLoopDelayMs.p99)} / ${ms(bulkResources.eventLoopDelayMs.max)}`),
    row('CPU per 1000 messages', `${fmt((bulkResources.cpuSeconds * 1000) / input.clients, 3)} s (${fmt(bulkResources.cpuSeconds, 1)} s total)`),
  ];
}
