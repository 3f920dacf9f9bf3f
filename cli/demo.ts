#!/usr/bin/env node
import { mkdirSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import pino from 'pino';
import { createStatsQueries } from '../analytics/stats-queries';
import { statsFromAnalytics } from '../analytics/stats-api';
import { createMailingStore } from '../domain/resources/stores';
import { loadConfig } from '../platform/config';
import { describeError } from '../platform/errors';
import { createLogger } from '../platform/logger';
import { newId } from '../platform/ids';
import { createMailingProgressReader, watchMailing } from './commands/mailing-watch';
import { outputModeOf } from './output/mode';
import { createProgressView } from './output/progress';
import { renderTable } from './output/tables';
import { ALL_ROLES, startRoles } from './roles';
import { setup } from './commands/setup';
import { createRuntime, type Runtime, type Stoppable } from './runtime';

/**
 * The demo: every role and the SMS simulator in this process, then what an admin does — create clients
 * and a mailing filtered by tag and operator code through the API — and the mailing's progress as
 * `vestnik mailing watch` draws it. Exits when the mailing is finished (so it can be run again at once);
 * `npm start` keeps Vestnik running.
 *
 * The console shows only these human lines: the roles' JSON logs (kafkajs' start-up warnings and its
 * retried "coordinator not available" errors included, which are normal on a fresh broker) go to a file,
 * DEMO_LOG_FILE, by default .cache/logs/demo.log, at LOG_LEVEL (default info).
 */
const say = (line = '') => process.stdout.write(`${line}\n`);

/** `label… done (1.2 s)` around one step, so a slow first start on a cold broker does not look hung. */
async function step<T>(label: string, run: () => Promise<T>): Promise<T> {
  process.stdout.write(`${label}… `);
  const started = Date.now();
  const result = await run();
  say(`done (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return result;
}

async function demo(): Promise<void> {
  const logFile = resolve(process.env.DEMO_LOG_FILE ?? '.cache/logs/demo.log');
  mkdirSync(dirname(logFile), { recursive: true });
  const config = loadConfig({ LOG_LEVEL: 'info', ...process.env });
  const logger = createLogger({ level: config.logLevel, destination: pino.destination({ dest: logFile, append: true, sync: true }) });
  const runtime = createRuntime(config, logger);
  say(`\nVestnik demo (the roles' logs go to ${relative(process.cwd(), logFile)})\n`);
  await step('creating topics and ClickHouse tables', () => setup(runtime));
  const started: Stoppable[] = await step(`starting ${['simulators', ...ALL_ROLES].join(', ')}`, () => startRoles(runtime, ['simulators', ...ALL_ROLES]));
  try {
    const apiUrl = started.find((part) => part.url)?.url as string;
    say(`API ${apiUrl} (Swagger UI at ${apiUrl}/docs)\n`);
    await runMailing(runtime, apiUrl);
  } finally {
    await step('stopping the roles (consumers leave their groups, clients close)', async () => {
      for (const part of [...started].reverse()) await part.stop().catch(() => undefined);
      await runtime.close();
    });
  }
}

async function runMailing(runtime: Runtime, apiUrl: string): Promise<void> {
  const adminKey = runtime.config.auth.apiKeys.find((k) => k.roles.includes('admin'))?.key as string;
  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${apiUrl}${path}`, {
      method, body: body === undefined ? undefined : JSON.stringify(body),
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    });
    const json = (await response.json()) as any;
    if (response.status >= 400) throw new Error(`${method} ${path} → ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
  const tag = `demo-${newId().slice(0, 8)}`;
  await step(`creating 12 clients tagged "${tag}" (4 on operator 916, 8 on operator 900) with POST /api/clients`, async () => {
    for (let i = 0; i < 12; i++) {
      const operatorCode = i % 3 === 0 ? '916' : '900'; // a third are on another operator: filtered out
      const phone = `7${operatorCode}${String(1000000 + i * 7919).padStart(7, '0')}`;
      await api('POST', '/api/clients', { phone, tags: [tag], timezone: 'Europe/Moscow', name: `Client ${i + 1}` });
    }
  });
  const mailing = await api('POST', '/api/mailings', {
    text: 'Hello {{name}}, this is Vestnik.', startAt: new Date().toISOString(),
    endAt: new Date(Date.now() + 3600_000).toISOString(), filter: { tags: [tag], operatorCodes: ['900'] },
  });
  say(`mailing ${mailing.id}: to tag "${tag}" on operator 900, starting now\n`);
  // The same progress as `vestnik mailing watch <id>`: final deliveries of those queued, rate, ETA.
  const reader = createMailingProgressReader({
    mailings: createMailingStore({ producer: await runtime.producer(), redis: runtime.redis() }),
    stats: statsFromAnalytics(createStatsQueries({ client: runtime.clickhouse(), database: runtime.config.clickhouse.database })),
  });
  const view = createProgressView({ label: 'mailing', mode: outputModeOf({}), lineEveryMs: 1000 });
  const outcome = await watchMailing({ id: mailing.id, reader, view, intervalMs: 250, timeoutMs: 60_000 });
  say(`\nthe mailing is ${outcome.progress.status}: ${outcome.progress.final} of ${outcome.progress.total} messages final`);
  const stats = await api('GET', `/api/stats/mailings/${mailing.id}`);
  say(renderTable(['message (delivery id)', 'client', 'channel', 'status'], stats.messages.slice(0, 8)
    .map((m: { deliveryId: string; clientId: string; channel: string; status: string }) => [m.deliveryId, m.clientId, m.channel, m.status]), { color: process.stdout.isTTY }));
  say(`\nGET ${apiUrl}/api/stats/mailings shows every mailing by status. Run \`npm start\` to keep Vestnik running;`);
  say(`then open ${apiUrl}/console (the operator console; without an OIDC provider, sign in with an admin API key),`);
  say('or `node dist/cli/vestnik.js --help`: lag, topics, mailing watch <id>, dlq list|show|replay.\n');
}

demo().then(
  () => process.exit(0),
  (error) => {
    say();
    console.error(`demo failed: ${describeError(error)}`);
    process.exit(1);
  },
);
