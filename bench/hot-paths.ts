/**
 * Per-message costs of the pipeline's hot paths, each beside what it replaced, in one process and one run
 * (issue 15: per-message work is what bounds the fan-out). Prints µs per call and writes the JSON.
 * Usage: node dist/bench/hot-paths.js [--out F]
 */
import { performance } from 'node:perf_hooks';
import { v5 as uuidPackageV5 } from 'uuid';
import { deadlineSignal } from '../platform/http/deadline';
import { uuidv5, VESTNIK_NAMESPACE } from '../platform/ids';
import { fmt, renderTable, writeJson, type TableRow } from './report';

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

/**
 * CPU µs per call deadline, set and then expired: `DEADLINES` of them set back to back, then waited for
 * until every one has aborted (a timer's cost is in its firing and collection too, not only its setting).
 */
async function deadlineMicros(make: (timeoutMs: number) => AbortSignal): Promise<number> {
  const rounds: number[] = [];
  for (let round = 0; round < 3; round++) {
    const cpu = process.cpuUsage();
    const signals: AbortSignal[] = [];
    for (let i = 0; i < DEADLINES; i++) signals.push(make(DEADLINE_MS));
    const last = signals[signals.length - 1]!;
    // Both kinds of deadline timer are unref'd: without this the process would exit before they fire.
    const keepAlive = setInterval(() => undefined, 1_000);
    await new Promise<void>((resolve) => (last.aborted ? resolve() : last.addEventListener('abort', () => resolve(), { once: true })));
    clearInterval(keepAlive);
    if (!signals.every((signal) => signal.aborted)) throw new Error('a deadline did not fire');
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
    abortSignalTimeoutUs: await deadlineMicros((ms) => AbortSignal.timeout(ms)),
    deadlineSweepUs: await deadlineMicros(deadlineSignal),
  };
  const rows: TableRow[] = [
    { figure: 'delivery id: the uuid package\'s v5', value: `${fmt(figures.uuidPackageV5Us, 2)} µs`, target: '', met: null },
    { figure: 'delivery id: platform/ids.ts uuidv5 (same ids)', value: `${fmt(figures.idsUuidV5Us, 2)} µs`, target: 'faster', met: figures.idsUuidV5Us < figures.uuidPackageV5Us },
    { figure: 'call deadline: AbortSignal.timeout, set and fired (CPU)', value: `${fmt(figures.abortSignalTimeoutUs, 2)} µs`, target: '', met: null },
    { figure: 'call deadline: platform/http/deadline.ts sweep, set and fired (CPU)', value: `${fmt(figures.deadlineSweepUs, 2)} µs`, target: 'faster', met: figures.deadlineSweepUs < figures.abortSignalTimeoutUs },
  ];
  process.stdout.write(`${renderTable(rows)}\n`);
  await writeJson(out, { calls: CALLS, deadlines: DEADLINES, ...figures });
  process.stdout.write(`written to ${out}\n`);
}

void main();
