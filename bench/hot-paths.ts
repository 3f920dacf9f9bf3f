/**
 * Per-message costs of the pipeline's hot paths, each beside what it replaced, in one process and one run
 * (issue 15: per-message work is what bounds the fan-out). Prints µs per call and writes the JSON.
 * Usage: node dist/bench/hot-paths.js [--out F]
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { v5 as uuidPackageV5 } from 'uuid';
import { callDeadline } from '../platform/http/deadline';
import { exchange } from '../platform/http/exchange';
import { trackRequestsWritten } from '../platform/http/request-sent';
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

const ASYNC_CHAINS = 200_000;
/** Async calls per chain: about a provider call's nesting in the senders (consumer, breaker, channel, client). */
const ASYNC_CALLS_PER_CHAIN = 12;

/**
 * CPU µs per async call, in chains of ASYNC_CALLS_PER_CHAIN nested awaits, 256 chains at a time. Measured
 * twice in this process: first with no AsyncLocalStorage, then with one active, as in every Vestnik process
 * (tracing's context manager carries each message's trace through its awaits, and on Node 20 that hooks
 * every promise). An active store cannot be switched off again, hence that order.
 */
async function asyncCallMicros(): Promise<number> {
  const innermost = async (x: number) => x + 1;
  const middle = async (x: number) => await innermost(x);
  const outer = async (x: number) => await middle(x);
  const chain = async (x: number) => {
    let value = x;
    for (let i = 0; i < ASYNC_CALLS_PER_CHAIN / 3; i++) value = await outer(value);
    return value;
  };
  const rounds: number[] = [];
  for (let round = 0; round < 4; round++) {
    const cpu = process.cpuUsage();
    let pending: Promise<number>[] = [];
    for (let i = 0; i < ASYNC_CHAINS; i++) {
      pending.push(chain(i));
      if (pending.length === 256) {
        await Promise.all(pending);
        pending = [];
      }
    }
    await Promise.all(pending);
    const used = process.cpuUsage(cpu);
    rounds.push((used.user + used.system) / (ASYNC_CHAINS * ASYNC_CALLS_PER_CHAIN));
  }
  return Math.min(...rounds.slice(1)); // the first round warms the code up
}

const PROVIDER_CALLS = 60_000;
const PROVIDER_CONCURRENCY = 64;
const PROVIDER_TIMEOUT_MS = 5_000;

/**
 * A loopback provider in a process of its own (its CPU is not the client's), answering every POST with
 * a small JSON body as the SMS simulator does. Returns its origin and how to stop it.
 */
async function startLoopbackProvider(): Promise<{ origin: string; stop(): void }> {
  const child = spawn(process.execPath, ['-e', `
    require('node:http').createServer((req, res) => {
      req.resume();
      req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"code":0}'); });
    }).listen(0, '127.0.0.1', function () { process.stdout.write(this.address().port + '\\n'); });
  `], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  return { origin: `http://127.0.0.1:${line.toString().trim()}`, stop: () => child.kill() };
}

/**
 * Client CPU µs per provider call: PROVIDER_CALLS POSTs, PROVIDER_CONCURRENCY at a time, over one
 * keep-alive pool, each with its deadline and the whole answer read. Rounds of each way alternate (the
 * machine is shared); the best round of each counts.
 */
async function providerCallMicros(): Promise<{ requestUs: number; exchangeUs: number }> {
  trackRequestsWritten(); // as the senders run: the "written" judgement listens on undici's channels
  const provider = await startLoopbackProvider();
  const pool = new Pool(provider.origin, { connections: PROVIDER_CONCURRENCY, pipelining: 1, keepAliveTimeout: 30_000 });
  const body = JSON.stringify({ id: 4_503_599_627_370_496, phone: 79_001_234_567, text: 'Your order 1042 has shipped and arrives tomorrow' });
  const options = { method: 'POST' as const, path: '/v1/send/1', headers: { 'content-type': 'application/json' }, body, headersTimeout: PROVIDER_TIMEOUT_MS, bodyTimeout: PROVIDER_TIMEOUT_MS };
  // What provider-http.ts did before exchange.ts: request() with a call deadline's signal, the body read as text.
  const viaRequest = async () => {
    const deadline = callDeadline(PROVIDER_TIMEOUT_MS);
    try {
      const response = await pool.request({ ...options, signal: deadline.signal });
      return `${response.statusCode}${await response.body.text()}`;
    } finally {
      deadline.release();
    }
  };
  const viaExchange = async () => {
    const done = await exchange(pool, options, PROVIDER_TIMEOUT_MS);
    if (done.kind !== 'answer') throw new Error('the loopback provider did not answer', { cause: done.error });
    return `${done.status}${done.body}`;
  };
  const round = async (call: () => Promise<string>, calls: number) => {
    let next = 0;
    let sink = 0;
    const cpu = process.cpuUsage();
    const worker = async () => {
      while (next < calls) {
        next += 1;
        sink += (await call()).length;
      }
    };
    await Promise.all(Array.from({ length: PROVIDER_CONCURRENCY }, worker));
    const used = process.cpuUsage(cpu);
    if (sink === 0) throw new Error('nothing answered');
    return (used.user + used.system) / calls;
  };
  try {
    await round(viaRequest, PROVIDER_CALLS / 10); // warm-up: connections made, code optimised
    await round(viaExchange, PROVIDER_CALLS / 10);
    const requestRounds: number[] = [];
    const exchangeRounds: number[] = [];
    for (let i = 0; i < 3; i++) {
      requestRounds.push(await round(viaRequest, PROVIDER_CALLS));
      exchangeRounds.push(await round(viaExchange, PROVIDER_CALLS));
    }
    return { requestUs: Math.min(...requestRounds), exchangeUs: Math.min(...exchangeRounds) };
  } finally {
    await pool.close();
    provider.stop();
  }
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
    ...(await providerCallMicros()),
    asyncCallUs: await asyncCallMicros(),
    asyncCallWithContextUs: await (async () => {
      new AsyncLocalStorage<object>().enterWith({}); // from here on, this process hooks every promise
      return asyncCallMicros();
    })(),
  };
  const rows: TableRow[] = [
    { figure: 'delivery id: the uuid package\'s v5', value: `${fmt(figures.uuidPackageV5Us, 2)} µs`, target: '', met: null },
    { figure: 'delivery id: platform/ids.ts uuidv5 (same ids)', value: `${fmt(figures.idsUuidV5Us, 2)} µs`, target: 'faster', met: figures.idsUuidV5Us < figures.uuidPackageV5Us },
    { figure: 'partition of a record\'s key: kafkajs\'s murmur2', value: `${fmt(figures.kafkajsMurmur2Us, 2)} µs`, target: '', met: null },
    { figure: 'partition of a record\'s key: platform/kafka/partitioner.ts (same hash)', value: `${fmt(figures.murmur2Us, 2)} µs`, target: 'faster', met: figures.murmur2Us < figures.kafkajsMurmur2Us },
    { figure: 'call deadline: AbortSignal.timeout, set and fired (CPU)', value: `${fmt(figures.abortSignalTimeoutUs, 2)} µs`, target: '', met: null },
    { figure: 'call deadline: platform/http/deadline.ts, call ended in time (CPU)', value: `${fmt(figures.deadlineEndedInTimeUs, 2)} µs`, target: 'faster', met: figures.deadlineEndedInTimeUs < figures.abortSignalTimeoutUs },
    { figure: 'call deadline: platform/http/deadline.ts, call timed out (CPU)', value: `${fmt(figures.deadlineTimedOutUs, 2)} µs`, target: '', met: null },
    { figure: 'provider call on loopback: undici request() with a deadline signal (client CPU)', value: `${fmt(figures.requestUs, 1)} µs`, target: '', met: null },
    { figure: 'provider call on loopback: platform/http/exchange.ts (client CPU)', value: `${fmt(figures.exchangeUs, 1)} µs`, target: 'faster', met: figures.exchangeUs < figures.requestUs },
    { figure: 'an async call (CPU)', value: `${fmt(figures.asyncCallUs, 3)} µs`, target: '', met: null },
    { figure: 'an async call with an AsyncLocalStorage active, as with tracing (CPU)', value: `${fmt(figures.asyncCallWithContextUs, 3)} µs`, target: '', met: null },
  ];
  process.stdout.write(`${renderTable(rows)}\n`);
  await writeJson(out, {
    calls: CALLS, deadlines: DEADLINES, providerCalls: PROVIDER_CALLS, providerConcurrency: PROVIDER_CONCURRENCY, asyncCalls: ASYNC_CHAINS * ASYNC_CALLS_PER_CHAIN, ...figures,
  });
  process.stdout.write(`written to ${out}\n`);
}

void main();
