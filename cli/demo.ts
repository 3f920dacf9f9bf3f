#!/usr/bin/env node
import { loadConfig } from '../platform/config';
import { describeError } from '../platform/errors';
import { createLogger } from '../platform/logger';
import { newId } from '../platform/ids';
import { ALL_ROLES, startRoles } from './roles';
import { setup } from './commands/setup';
import { createRuntime, type Stoppable } from './runtime';

/**
 * The demo: every role and the SMS simulator in this process, then what an admin does — create clients
 * and a mailing filtered by tag and operator code through the API — and the statistics as they arrive.
 * Exits when the mailing is finished (so it can be run again at once); `npm start` keeps Vestnik running.
 */
async function demo(): Promise<void> {
  const config = loadConfig({ LOG_LEVEL: 'warn', ...process.env });
  const runtime = createRuntime(config, createLogger({ level: config.logLevel }));
  await setup(runtime);
  const started: Stoppable[] = await startRoles(runtime, ['simulators', ...ALL_ROLES]);
  try {
    const apiUrl = started.find((part) => part.url)?.url as string;
    const adminKey = config.auth.apiKeys.find((k) => k.roles.includes('admin'))?.key as string;
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
    console.log(`\nVestnik demo — API ${apiUrl} (Swagger UI at ${apiUrl}/docs)\n`);
    for (let i = 0; i < 12; i++) {
      const operatorCode = i % 3 === 0 ? '916' : '900'; // a third are on another operator: filtered out
      const phone = `7${operatorCode}${String(1000000 + i * 7919).padStart(7, '0')}`;
      await api('POST', '/api/clients', { phone, tags: [tag], timezone: 'Europe/Moscow', name: `Client ${i + 1}` });
    }
    console.log(`created 12 clients tagged "${tag}" (4 on operator 916, 8 on operator 900)`);
    const mailing = await api('POST', '/api/mailings', {
      text: 'Hello {{name}}, this is Vestnik.', startAt: new Date().toISOString(),
      endAt: new Date(Date.now() + 3600_000).toISOString(), filter: { tags: [tag], operatorCodes: ['900'] },
    });
    console.log(`mailing ${mailing.id}: to tag "${tag}" on operator 900, starting now\n`);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const stats = await api('GET', `/api/stats/mailings/${mailing.id}`);
      const status = (await api('GET', `/api/mailings/${mailing.id}`)).status;
      const counts = Object.entries(stats.byStatus as Record<string, number>).filter(([, n]) => n > 0);
      console.log(`  ${new Date().toISOString().slice(11, 19)} status=${status} total=${stats.total} ${counts.map(([s, n]) => `${s}=${n}`).join(' ')}`);
      if (status === 'finished' || Date.now() > deadline) {
        console.log('\nmessages:');
        for (const m of stats.messages.slice(0, 8)) console.log(`  ${m.deliveryId}  client ${m.clientId}  ${m.channel}  ${m.status}`);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    console.log(`\nGET ${apiUrl}/api/stats/mailings shows every mailing by status. Run \`npm start\` to keep Vestnik running.`);
  } finally {
    for (const part of [...started].reverse()) await part.stop().catch(() => undefined);
    await runtime.close();
  }
}

demo().then(
  () => process.exit(0),
  (error) => {
    console.error(`demo failed: ${describeError(error)}`);
    process.exit(1);
  },
);
