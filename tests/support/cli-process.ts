/**
 * `vestnik` (dist/cli/vestnik.js) as a child process, the way an operator runs it: plainly (a pipe, as in
 * CI logs) or under a pseudo-terminal (util-linux `script`, no native module), so what a person would see,
 * progress-bar redraws included, is what the test reads.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../infra/local/child-processes';
import type { TestStack } from './stack';

const CLI = join(REPO_ROOT, 'dist/cli/vestnik.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment that points a CLI at a test stack: its topic, group and Redis prefixes and ClickHouse database. */
export function stackEnv(stack: TestStack): Record<string, string> {
  return {
    NODE_ENV: 'test', KAFKA_GROUP_PREFIX: stack.id, KAFKA_TOPIC_PREFIX: stack.id, REDIS_KEY_PREFIX: `${stack.id}:`,
    CLICKHOUSE_DATABASE: stack.id, API_KEYS: 'test-admin-key:admin',
  };
}

function run(command: string, args: string[], env: Record<string, string>, timeoutMs: number): Promise<CliRun> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build with npx tsc -p tsconfig.build.json`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString('utf8'); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8'); });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${args.join(' ')} still running after ${timeoutMs} ms; output so far:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** `vestnik <args>` with stdout a pipe (not a terminal). */
export function runCli(args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<CliRun> {
  return run(process.execPath, [CLI, ...args], env, timeoutMs);
}

/** `vestnik <args>` under a pseudo-terminal: stdout and stderr are the terminal, both captured in `stdout`. */
export function runCliInPty(args: string[], env: Record<string, string>, timeoutMs = 120_000): Promise<CliRun> {
  const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;
  const commandLine = [process.execPath, CLI, ...args].map(quote).join(' ');
  // -q quiet, -e the child's exit code, -f flush at once, -c the command; /dev/null: no typescript file.
  return run('script', ['-qefc', commandLine, '/dev/null'], { COLUMNS: '120', LINES: '30', ...env }, timeoutMs);
}
