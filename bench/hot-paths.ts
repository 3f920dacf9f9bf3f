/**
 * Per-message costs of the pipeline's hot paths, each beside what it replaced, in one process and one run
 * (issue 15: per-message work is what bounds the fan-out). Prints µs per call and writes the JSON.
 * Usage: node dist/bench/hot-paths.js [--out F]
 */
import { performance } from 'node:perf_hooks';
import { v5 as uuidPackageV5 } from 'uuid';
import { callDeadline } from '../platform/http/deadline';
import { uuidv5, VESTNIK_NAMESPACE } from '../platform/ids';
import { murmur2 } from '../platform/kafka/partitioner';
import { fmt, renderTable, writeJson, type TableRow } from './report';

// kafkajs's Long-based murmur2, which its default partitioner runs per record.
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2') as (key: string) => number;

const CALLS = 300_000;
const WARM_UP = 30_000;

/** µs per call of `fn` over CALLS calls after a warm-up; the best of three rounds (the machine is shared). */
function microsPerCall(fn: (i: number) => unknown): number {
  let sink = 0;
  for (let i = 0; i < WARM_UP; i++) sink += String(fn(i)).length;
  const rounds: number[] = [];
  for (let round = 0; round < 3; round++) {
    const started = performance.now();
    for (let i = 0; i < CALLS; i++) sink += String(fn(i)).length;
    rounds.push(((performance.now() - started) * 1000) / CALLS);
  }
  if (sink === 0) throw new Error('nothing computed');
  return Math.min(...rounds);
}

const DEADLINES = 200_000;
const DEADLINE_MS = 50;

/** A call's deadline as a bench sees it: its signal, and how the call ends in time (absent: it cannot). */
interface BenchDeadline {
  signal: AbortSignal;
  release?(): void;
}

/**
 * CPU µs per call deadline: `DEADLINES` of them set back to back and then, for a call that ends in time,
 * released at once, or for one that times out, left to fire; measured until the last has come due (a
 * timer's cost is in its firing and collection too, not only its setting). A sentinel set after them and
 * never released marks that moment.
 */
async function deadlineMicros(make: (timeoutMs: number) => BenchDeadline, endsInTime: boolean): Promise<number> {
  const rounds: number[] = [];
  for (let round = 0; round < 3; round++) {
    const cpu = process.cpuUsage();
    const deadlines: BenchDeadline[] = [];
    for (let i = 0; i < DEADLINES; i++) {
      const deadline = make(DEADLINE_MS);
      if (endsInTime) deadline.release?.();
      deadlines.push(deadline);
    }
    const sentinel = make(DEADLINE_MS).signal;
    // Both kinds of deadline timer are unref'd: without this the process would exit before they fire.
    const keepAlive = setInterval(() => undefined, 1_000);
    await new Promise<void>((resolve) => (sentinel.aborted ? resolve() : sentinel.addEventListener('abort', () => resolve(), { once: true })));
    clearInterval(keepAlive);
    const fired = deadlines.filter((deadline) => deadline.signal.aborted).length;
    if (fired !== (endsInTime ? 0 : DEADLINES)) throw new Error(`${fired} of ${DEADLINES} deadlines fired`);
    const used = process.cpuUsage(cpu);
    rounds.push((used.user + used.system) / DEADLINES);
  }
  return Math.min(...rounds);
}

async function main(): Promise<void> {
  const outIndex = process.argv.indexOf('--out');
  const out = outIndex >= 0 ? process.argv[outIndex + 1]! : `bench/results/hot-paths-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  // A delivery id's name, as the fan-out builds one per recipient (platform/ids.ts deliveryIdOf).
  const nameOf = (i: number) => `mailing:0b7d3c3e-2f7a-4a8e-9a61-1c1d7a9d4f10:client-${i}:sms`;
  const figures = {
    uuidPackageV5Us: microsPerCall((i) => uuidPackageV5(nameOf(i), VESTNIK_NAMESPACE)),
    idsUuidV5Us: microsPerCall((i) => uuidv5(nameOf(i))),
    kafkajsMurmur2Us: microsPerCall((i) => kafkajsMurmur2(`client-${i}`)),
    murmur2Us: microsPerCall((i) => murmur2(`client-${i}`)),
    // AbortSignal.timeout fires whether or not its call has ended: there is nothing to release.
    abortSignalTimeoutUs: await deadlineMicros((ms) => ({ signal: AbortSignal.timeout(ms) }), false),
    deadlineEndedInTimeUs: await deadlineMicros(callDeadline, true),
    deadlineTimedOutUs: await deadlineMicros(callDeadline, false),
  };
  const rows: TableRow[] = [
    { figure: 'delivery id: the uuid package\'s v5', value: `${fmt(figures.uuidPackageV5Us, 2)} µs`, target: '', met: null },
    { figure: 'delivery id: platform/ids.ts uuidv5 (same ids)', value: `${fmt(figures.idsUuidV5Us, 2)} µs`, target: 'faster', met: figures.idsUuidV5Us < figures.uuidPackageV5Us },
    { figure: 'partition of a record\'s key: kafkajs\'s murmur2', value: `${fmt(figures.kafkajsMurmur2Us, 2)} µs`, target: '', met: null },
    { figure: 'partition of a record\'s key: platform/kafka/partitioner.ts (same hash)', value: `${fmt(figures.murmur2Us, 2)} µs`, target: 'faster', met: figures.murmur2Us < figures.kafkajsMurmur2Us },
    { figure: 'call deadline: AbortSignal.timeout, set and fired (CPU)', value: `${fmt(figures.abortSignalTimeoutUs, 2)} µs`, target: '', met: null },
    { figure: 'call deadline: platform/http/deadline.ts, call ended in time (CPU)', value: `${fmt(figures.deadlineEndedInTimeUs, 2)} µs`, target: 'faster', met: figures.deadlineEndedInTimeUs < figures.abortSignalTimeoutUs },
    { figure: 'call deadline: platform/http/deadline.ts, call timed out (CPU)', value: `${fmt(figures.deadlineTimedOutUs, 2)} µs`, target: '', met: null },
  ];
  process.stdout.write(`${renderTable(rows)}\n`);
  await writeJson(out, { calls: CALLS, deadlines: DEADLINES, ...figures });
  process.stdout.write(`written to ${out}\n`);
}

void main();
