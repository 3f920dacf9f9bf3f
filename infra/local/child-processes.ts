/**
 * Real child processes for the fault tests and the benchmark: a Vestnik role (`node dist/cli/vestnik.js <role>`), a private
 * redis-server, clickhouse-server or Kafka broker. Each can be killed (SIGKILL by default: no shutdown hook
 * runs, exactly a crash) and started again with the same command and environment.
 *
 * No child outlives the test run: every child is spawned through `setpriv --pdeathsig KILL` (the kernel
 * kills it when the test process dies, even by SIGKILL), `killAllChildren()` belongs in afterAll, and an
 * exit hook of this process kills whatever is still registered.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, fstatSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Role } from '../../cli/roles';

/** The checkout's root: the nearest folder above with a package.json (this file runs from infra/ or dist/infra/). */
function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export const REPO_ROOT = findRepoRoot(__dirname);
const CLI = join(REPO_ROOT, 'dist/cli/vestnik.js');

export interface ChildSpec {
  /** For messages and the log file name. */
  name: string;
  command: string;
  args: string[];
  /** Added to this process's environment. */
  env?: Record<string, string>;
  cwd?: string;
  /** A line of its stdout/stderr that means "ready". */
  readyLine?: RegExp;
  /** Or a probe polled until it says ready (both may be given: both must hold). */
  readyProbe?: () => Promise<boolean>;
  readyTimeoutMs?: number;
  /** Runs before every start (e.g. to note where a log file ends). */
  beforeStart?: () => void;
}

export interface ManagedChild {
  readonly name: string;
  /** The pid of the running process, or null. */
  readonly pid: number | null;
  readonly running: boolean;
  /** Where its stdout and stderr go (one file over every start). */
  readonly logFile: string;
  /** Starts it and resolves once ready; rejects (and kills it) if it exits or times out first. */
  start(): Promise<void>;
  /** Sends the signal and resolves once the process has exited. SIGKILL by default. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** kill, then start; resolves with how long the start took (ms). */
  restart(signal?: NodeJS.Signals): Promise<number>;
  /** The last lines it wrote, for failure messages. */
  tail(lines?: number): string;
}

const registry = new Set<ManagedChild>();
const pids = new Set<number>();
let logDir: string | null = null;

// Last resort: whatever is still registered dies with this process (the kernel's pdeathsig covers SIGKILL).
process.once('exit', () => {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

const hasSetpriv = (() => {
  const probe = spawnSync('setpriv', ['--pdeathsig', 'KILL', '--', 'true']);
  return probe.status === 0;
})();

/** The folder of this run's child logs (one per test process). */
export function childLogDir(): string {
  logDir ??= mkdtempSync(join(tmpdir(), 'vestnik-children-'));
  return logDir;
}

/** A child process under the test's control; not started until start(). */
export function createChild(spec: ChildSpec): ManagedChild {
  const logFile = join(childLogDir(), `${spec.name.replace(/[^A-Za-z0-9_.-]/g, '_')}.log`);
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  // Where this start's output begins in the log file.
  let startOffset = 0;
  const output = () => (existsSync(logFile) ? readFileSync(logFile).subarray(startOffset).toString('utf8') : '');

  const managed: ManagedChild = {
    name: spec.name,
    logFile,
    get pid() {
      return child?.pid ?? null;
    },
    get running() {
      return child !== null;
    },
    async start() {
      if (child) throw new Error(`${spec.name} is already running`);
      spec.beforeStart?.();
      // Output goes straight to the file: a pipe the test does not drain fast enough would block the child.
      const fd = openSync(logFile, 'a');
      startOffset = fstatSync(fd).size;
      const [command, args] = hasSetpriv
        ? ['setpriv', ['--pdeathsig', 'KILL', '--', spec.command, ...spec.args]]
        : [spec.command, spec.args];
      let started: ChildProcess;
      try {
        started = spawn(command as string, args as string[], {
          cwd: spec.cwd ?? REPO_ROOT,
          env: { ...process.env, ...spec.env },
          stdio: ['ignore', fd, fd],
        });
      } finally {
        closeSync(fd);
      }
      child = started;
      registry.add(managed);
      if (started.pid) pids.add(started.pid);
      exited = new Promise((resolveExit) => {
        started.once('exit', () => {
          if (started.pid) pids.delete(started.pid);
          if (child === started) child = null;
          resolveExit();
        });
      });
      const lineSeen = async (stopped: () => boolean) => {
        while (spec.readyLine && !stopped() && !spec.readyLine.test(output())) await new Promise((r) => setTimeout(r, 100));
      };
      try {
        await readyOrFail(spec, started, exited, lineSeen);
      } catch (error) {
        await managed.kill();
        throw new Error(`${spec.name} did not start: ${(error as Error).message} (log: ${logFile})\n${managed.tail(30)}`);
      }
    },
    async kill(signal = 'SIGKILL') {
      const current = child;
      if (!current) return;
      current.kill(signal);
      await exited;
    },
    async restart(signal = 'SIGKILL') {
      await managed.kill(signal);
      const began = Date.now();
      await managed.start();
      return Date.now() - began;
    },
    tail(lines = 40) {
      return output().split('\n').slice(-lines - 1).join('\n').slice(-8_000);
    },
  };
  return managed;
}

async function readyOrFail(spec: ChildSpec, child: ChildProcess, exited: Promise<void>, lineSeen: (stopped: () => boolean) => Promise<void>): Promise<void> {
  const timeoutMs = spec.readyTimeoutMs ?? 90_000;
  let timer: NodeJS.Timeout | undefined;
  let done = false;
  const probed = (async () => {
    await lineSeen(() => done);
    while (spec.readyProbe && !done && !(await spec.readyProbe().catch(() => false))) {
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  try {
    await Promise.race([
      probed,
      exited.then(() => {
        // Once ready, a later exit (a kill by the test) is not a failed start.
        if (!done) throw new Error(`exited early (code ${child.exitCode}, signal ${child.signalCode})`);
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`not ready within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    done = true;
    clearTimeout(timer);
  }
}

/**
 * Runs a one-shot command to completion (also under pdeathsig); rejects on a non-zero exit with its output.
 * Resolves with the last 64 KiB of what it printed: enough for the bench's whole table (every row is padded
 * to its widest value) and the profile summaries after it.
 */
export async function runCommand(command: string, args: string[], options: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<string> {
  const [file, argv] = hasSetpriv ? ['setpriv', ['--pdeathsig', 'KILL', '--', command, ...args]] : [command, args];
  return new Promise((resolveRun, reject) => {
    const child = spawn(file as string, argv as string[], { cwd: REPO_ROOT, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer) => void (output = (output + chunk.toString('utf8')).slice(-64 * 1024));
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolveRun(output);
      else reject(new Error(`${command} exited with ${code ?? signal}: ${output.slice(-2000)}`));
    });
  });
}

/** SIGKILLs every child this process started and waits for them to exit: put it in afterAll. */
export async function killAllChildren(): Promise<void> {
  await Promise.all([...registry].map((child) => child.kill('SIGKILL')));
  registry.clear();
}

/**
 * A Vestnik role (or several in one process) as a real `node dist/cli/vestnik.js` process, isolated like
 * the tests' startStack: `id` is the consumer-group prefix, the topic prefix, the Redis key prefix (`<id>:`) and the ClickHouse database,
 * so a stack started in the parent with the same id shares its data. `apiKeys` is API_KEYS; `nodeFlags` go
 * to node itself (`--cpu-prof` is refused in NODE_OPTIONS). Ready when it logs "vestnik running".
 */
export function createRoleProcess(options: {
  roles: Role[]; id: string; apiKeys: string; env?: Record<string, string>; name?: string; nodeFlags?: string[];
}): ManagedChild {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run infra/up.sh (it builds dist/)`);
  return createChild({
    name: options.name ?? `vestnik-${options.roles.join('-')}`,
    command: process.execPath,
    args: [...(options.nodeFlags ?? []), CLI, ...options.roles],
    env: {
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      KAFKA_GROUP_PREFIX: options.id,
      KAFKA_TOPIC_PREFIX: options.id,
      REDIS_KEY_PREFIX: `${options.id}:`,
      CLICKHOUSE_DATABASE: options.id,
      HTTP_PORT: '0',
      API_KEYS: options.apiKeys,
      METRICS_ENABLED: 'false',
      ...options.env,
    },
    readyLine: /"msg":"vestnik running"/,
    readyTimeoutMs: 120_000,
  });
}
