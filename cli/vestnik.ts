#!/usr/bin/env node
import { loadConfig } from '../platform/config';
import { describeError, VestnikError } from '../platform/errors';
import { createLogger } from '../platform/logger';
import { ALL_ROLES, ROLES, startRoles, type Role } from './roles';
import { rebuildDirectoryView } from './commands/rebuild-view';
import { setup } from './commands/setup';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { dependencyChecks } from './dependency-checks';
import { startProbeServer } from './probe-server';
import { createRuntime, type Runtime, type Stoppable } from './runtime';

const USAGE = `usage: vestnik <role|all> [role...] | setup | rebuild-view
  roles: ${Object.keys(ROLES).join(', ')}; "all" = ${ALL_ROLES.join(', ')} in one process`;

/** One entry point for every role; only here is configuration read and are clients built. */
async function main(argv: string[]): Promise<void> {
  const command = argv[0];
  if (!command || command === '--help') {
    console.log(USAGE);
    process.exitCode = command ? 0 : 2;
    return;
  }
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel });
  const runtime = createRuntime(config, logger);
  if (command === 'setup' || command === 'rebuild-view') {
    try {
      await setup(runtime);
      if (command === 'rebuild-view') await rebuildDirectoryView(runtime);
    } finally {
      await runtime.close();
    }
    return;
  }
  const roles = [...new Set(argv.flatMap((arg) => (arg === 'all' ? ALL_ROLES : [arg as Role])))];
  const unknown = roles.filter((role) => !(role in ROLES));
  if (unknown.length > 0) throw new VestnikError('CONFIG_INVALID', `unknown role ${unknown.join(', ')}\n${USAGE}`);
  await setup(runtime);
  const started: Stoppable[] = [];
  installShutdown(runtime, started);
  await startRoles(runtime, roles, started);
  // Probes on a port of their own for an orchestrator; a process with the API also has /healthz and /readyz there.
  if (config.metricsPort !== undefined) started.push(await startProbes(runtime, started));
  const api = started.find((part) => part.name === 'api');
  logger.info({ roles, api: api?.url }, 'vestnik running');
}

/** The probe port (METRICS_PORT): liveness, readiness of what this process started, metrics. */
async function startProbes(runtime: Runtime, started: readonly Stoppable[]): Promise<Stoppable> {
  const { config } = runtime;
  const admin = runtime.kafka().admin();
  let metrics: Registry | null = null;
  if (config.metricsEnabled) {
    metrics = new Registry();
    collectDefaultMetrics({ register: metrics });
  }
  const probes = await startProbeServer({
    host: config.http.host, port: config.metricsPort ?? 0, metrics, logger: runtime.logger,
    parts: () => started.flatMap((part) => (part.ready ? [{ name: part.name, ready: part.ready }] : [])),
    checks: dependencyChecks(runtime, admin),
  });
  runtime.logger.info({ url: probes.url }, 'probes listening');
  return { name: 'probes', url: probes.url, stop: async () => { await probes.close(); await admin.disconnect(); } };
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

main(process.argv.slice(2)).catch((error) => {
  // A bad configuration names its variable; nothing else prints a stack to the operator.
  console.error(`vestnik: ${error instanceof VestnikError ? error.message : describeError(error)}`);
  process.exit(1);
});
