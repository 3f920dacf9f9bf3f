/**
 * What every operator command (lag, topics, dlq, mailing watch) shares: the deployment's configuration from
 * the environment (the same variables as its roles), clients built by the runtime, logs kept off stdout,
 * and one exit-code rule (0 done, 1 failed; 2 usage is commander's, cli/program.ts).
 *
 * Logs: stdout is the command's output (a table, JSON), so the clients' logs go to stderr and only with
 * `--log-level` (default silent). LOG_LEVEL is deliberately ignored: a pod's LOG_LEVEL=info would otherwise
 * put kafkajs' connection chatter under every `kubectl exec … vestnik lag`.
 */
import { loadConfig } from '../../platform/config';
import { describeError, VestnikError } from '../../platform/errors';
import { createLogger } from '../../platform/logger';
import { createRuntime, type Runtime } from '../runtime';

export interface OperatorOptions {
  json?: boolean;
  logLevel?: string;
}

export const LOG_LEVELS = ['silent', 'fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

/** Runs `command` with a runtime of its own, closes it, and exits with the command's code (1 on an error). */
export async function runOperatorCommand(options: OperatorOptions, command: (runtime: Runtime) => Promise<number>): Promise<never> {
  let code = 1;
  let runtime: Runtime | null = null;
  try {
    const config = loadConfig();
    runtime = createRuntime(config, createLogger({ level: options.logLevel ?? 'silent', destination: process.stderr }));
    code = await command(runtime);
  } catch (error) {
    process.stderr.write(`vestnik: ${error instanceof VestnikError ? error.message : describeError(error)}\n`);
    code = 1;
  } finally {
    await runtime?.close().catch(() => undefined);
  }
  // kafkajs keeps timers after disconnect; an operator command is done when its output is written.
  process.exit(code);
}
