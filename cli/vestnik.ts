#!/usr/bin/env node
import { setPriority } from 'node:os';
import { loadConfig } from '../platform/config';
import { describeError, VestnikError } from '../platform/errors';
import { createLogger } from '../platform/logger';
import { startRoles, type Role } from './roles';
import { setup } from './commands/setup';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { watchConsumerLag } from './metrics/consumer-lag';
import { createPipelineMetrics } from './metrics/pipeline-metrics';
import { dependencyChecks } from './dependency-checks';
import { startProbeServer } from './probe-server';
import { runProgram } from './program';
import { createRuntime, type Runtime, type Stoppable } from './runtime';

/** Runs roles in this process until SIGINT/SIGTERM; only here and in the commands is configuration read. */
async function runRoles(roles: Role[]): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel });
  // Bulk work yields the CPU to express work on a shared machine (PROCESS_NICE); lowering is always allowed.
  if (config.processNice > 0) setPriority(config.processNice);
  // The process's one metrics registry (METRICS_ENABLED): every role records into it, /metrics serves it.
  const metrics = config.metricsEnabled ? createPipelineMetrics(processRegistry(), { providers: config.httpProviders.map((spec) => spec.name) }) : null;
  const runtime = createRuntime(config, logger, { metrics });
  await setup(runtime);
  const started: Stoppable[] = [];
  installShutdown(runtime, started);
  await startRoles(runtime, roles, started);
  if (metrics) started.push(watchConsumerLag(runtime, metrics));
  // Probes on a port of their own for an orchestrator; a process with the API also has /healthz and /readyz there.
  if (config.metricsPort !== undefined) started.push(await startProbes(runtime, started));
  const api = started.find((part) => part.name === 'api');
  logger.info({ roles, api: api?.url }, 'vestnik running');
}

/** The probe port (METRICS_PORT): liveness, readiness of what this process started, metrics. */
async function startProbes(runtime: Runtime, started: readonly Stoppable[]): Promise<Stoppable> {
  const { config } = runtime;
  const admin = runtime.kafka().admin();
  const probes = await startProbeServer({
    host: config.http.host, port: config.metricsPort ?? 0, metrics: runtime.metrics?.registry ?? null, logger: runtime.logger,
    parts: () => started.flatMap((part) => (part.ready ? [{ name: part.name, ready: part.ready }] : [])),
    checks: dependencyChecks(runtime, admin),
  });
  runtime.logger.info({ url: probes.url }, 'probes listening');
  return { name: 'probes', url: probes.url, stop: async () => { await probes.close(); await admin.disconnect(); } };
}

function processRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** SIGINT/SIGTERM: stop serving and consuming (newest first), let in-flight work commit, then close clients. */
function installShutdown(runtime: Runtime, started: Stoppable[]): void {
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    runtime.logger.info({ signal }, 'shutting down');
    for (const part of [...started].reverse()) {
      await part.stop().catch((error) => runtime.logger.warn({ part: part.name, err: describeError(error) }, 'stop failed'));
    }
    await runtime.close();
    runtime.logger.info('stopped');
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

/** One entry point for every role and command (cli/program.ts: commander, `vestnik --help`). */
runProgram(process.argv.slice(2), { runRoles }).catch((error) => {
  // A bad configuration names its variable; nothing else prints a stack to the operator.
  console.error(`vestnik: ${error instanceof VestnikError ? error.message : describeError(error)}`);
  process.exit(1);
});
