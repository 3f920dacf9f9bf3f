import { monitorEventLoopDelay } from 'node:perf_hooks';
import { deliveryIdOf } from '../../platform/ids';
import { benchClient } from '../../bench/clients';
import { applyViewOps } from '../../processors/state-view/apply';
import { planClientWrites } from '../../processors/state-view/plan';
import type { Runtime } from '../../cli/runtime';
import { smsMessageId } from '../../senders/sms/message';
import type { MessageRecord } from '../../simulators/sms/ledger';
import { createSmsControlClient, type SmsControlClient } from '../../simulators/sms/control-client';
import { createSmsApiToken } from '../../simulators/sms/token';
import { stopStackSafely } from '../support/fault-scenario';
import { createRoleProcess, killAllChildren, type ManagedChild } from '../support/processes';
import { freePort } from '../../infra/local/private-services';
import { startStack, type TestStack } from '../support/stack';
import { uniqueName } from '../support/unique';
import { waitFor } from '../support/wait-for';
import { randomPhone } from '../support/clients';

jest.setTimeout(240_000);

/** The bulk audience, the express deadline (DESIGN.md: express never waits behind bulk) and the probe rate. */
const AUDIENCE = 100_000;
const EXPRESS_DEADLINE_MS = 1_000;
const EXPRESS_EVERY_MS = 250;
const EXPRESS_WINDOW_MS = 25_000;
const EXPRESS_USERS = 3;
/** Bulk acceptances seen before the express probes start: the mailing is really being delivered. */
const BULK_RUNNING_AT = 500;
const LOAD_BATCH = 2_000;

interface Probe {
  publishedAt: number;
  msgId: number;
}

const iso = (ms: number) => new Date(ms).toISOString();
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

/**
 * Writes the audience into the directory view the way the state-view consumer does (its own plan and
 * MULTI apply), under this stack's Redis prefix (the bulk process shares it). Not through state.clients:
 * 100,000 records per run on that shared compacted topic would be replayed by every later stack's view
 * (and tombstones would double it), slowing every other integration test; the fan-out reads only the view.
 */
async function loadAudience(runtime: Runtime, tag: string, count: number): Promise<void> {
  const redis = runtime.redis('test-audience');
  const now = Date.now();
  for (let offset = 0; offset < count; offset += LOAD_BATCH) {
    const ops = [];
    for (let i = offset; i < Math.min(count, offset + LOAD_BATCH); i++) {
      const client = benchClient(i, tag, now);
      ops.push(...planClientWrites(client.id, null, client));
    }
    await applyViewOps(redis, ops);
  }
}

/**
 * Express never waits behind bulk, measured end to end on the real stack deployed as production runs it:
 * the bulk lanes (LANES=bulk processors and senders) in a `vestnik` process of their own, the SMS provider
 * simulator in another, and the express lanes (LANES=express processors and senders) with the API and the
 * scheduler in this process. A 100,000-client bulk SMS mailing is delivering while express notifications go
 * through POST /api/notifications at a steady rate; each must reach the SMS provider within a second of its
 * publish, exactly once. (All in one process, the bulk work saturates the one event loop — GC, JSON, Avro —
 * and express p50 is over a second: the lanes must be separate processes, not just separate consumer groups.)
 * Bounded: setup ≤ 120 s (mostly the new view replaying the shared state topics), the test ≤ 110 s.
 */
describe('express under bulk load (bulk lanes in their own process)', () => {
  const secret = 'express-under-load-secret';
  const id = uniqueName('express', { separator: '_' });
  let stack: TestStack | undefined;
  let ledger: SmsControlClient;
  let simulators: ManagedChild;
  let bulk: ManagedChild;
  let templateId: string | undefined;
  const expressUsers: string[] = [];
  let mailingId: string | null = null;

  beforeAll(async () => {
    const [smsPort, pushPort, smtpPort, userDataPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const smsUrl = `http://127.0.0.1:${smsPort}`;
    const env = {
      SMS_API_URL: smsUrl, SMS_API_TOKEN: createSmsApiToken(secret), SMS_SIMULATOR_SECRET: secret,
      PUSH_API_URL: `http://127.0.0.1:${pushPort}`, SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, USER_DATA_URL: `http://127.0.0.1:${userDataPort}`,
    };
    ledger = createSmsControlClient(smsUrl);
    simulators = createRoleProcess({ roles: ['simulators'], id, env, name: 'express-load-simulators' });
    bulk = createRoleProcess({ roles: ['processors', 'senders'], id, env: { ...env, LANES: 'bulk' }, name: 'express-load-bulk' });
    await simulators.start();
    // A provider answering in 30 ms: the bulk lane's 64 connections carry at most ~2,100/s, so the mailing is
    // still delivering when the window ends however fast the senders get (at 2 ms it once finished inside it).
    await ledger.setFaults({ latencyMs: 30 });
    [stack] = await Promise.all([
      startStack({ roles: ['api', 'processors', 'senders', 'scheduler'], env: { ...env, LANES: 'express' }, id }),
      bulk.start(),
    ]);
    const template = await stack.api('POST', '/api/templates', { defaultLocale: 'en', variants: { en: { sms: 'Express {{n}} for {{name}}' } } });
    expect(template.status).toBe(201);
    templateId = template.body.id;
    for (let i = 0; i < EXPRESS_USERS; i++) {
      const phone = randomPhone();
      const created = await stack.api('POST', '/api/clients', { phone, timezone: 'UTC', name: `Express ${i}` });
      expect(created.status).toBe(201);
      expressUsers.push(created.body.id);
    }
  }, 150_000);

  afterAll(async () => {
    // Whatever the test reached: the mailing is cancelled and deleted and the API-made records deleted
    // (tombstones on the shared state topics), then the children die and the stack's data is removed.
    if (stack) {
      if (mailingId) {
        await stack.api('POST', `/api/mailings/${mailingId}/cancel`).catch(() => undefined);
        await stack.api('DELETE', `/api/mailings/${mailingId}`).catch(() => undefined);
      }
      for (const user of expressUsers) await stack.api('DELETE', `/api/clients/${user}`).catch(() => undefined);
      if (templateId) await stack.api('DELETE', `/api/templates/${templateId}`).catch(() => undefined);
    }
    await killAllChildren();
    await stopStackSafely(stack);
  }, 60_000);

  it('delivers every express notification within a second while a 100k-recipient bulk mailing is running', async () => {
    const api = stack!.api.bind(stack);
    const tag = uniqueName('bulk', { separator: '_' });
    await loadAudience(stack!.runtime, tag, AUDIENCE);

    const startedAt = Date.now();
    const mailing = await api('POST', '/api/mailings', {
      text: 'Bulk {{name}}', startAt: iso(startedAt), endAt: iso(startedAt + 3_600_000), filter: { tags: [tag], operatorCodes: [] },
    });
    expect(mailing.status).toBe(201);
    mailingId = mailing.body.id as string;
    // No express message yet: every acceptance is the mailing's.
    await waitFor(async () => (await ledger.stats()).acceptedMessages >= BULK_RUNNING_AT, {
      timeoutMs: 60_000, intervalMs: 200, description: 'the bulk mailing delivering',
    });

    // A steady stream of express requests, round-robin over the dedicated users; this process's event-loop
    // delay is sampled meanwhile (it runs the express lanes), to tell a slow loop from a slow pipeline.
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const probes: Probe[] = [];
    const bulkAtWindowStart = (await ledger.stats()).acceptedMessages;
    const windowEnd = Date.now() + EXPRESS_WINDOW_MS;
    for (let n = 0; Date.now() < windowEnd; n++) {
      const publishedAt = Date.now();
      const userId = expressUsers[n % expressUsers.length] as string;
      const accepted = await api('POST', '/api/notifications', {
        templateId, userIds: [userId], priority: 'express', channels: ['sms'], contextJson: JSON.stringify({ n }),
      });
      expect(accepted.status).toBe(202);
      probes.push({ publishedAt, msgId: smsMessageId(deliveryIdOf('notification', accepted.body.id, userId, 'sms')) });
      await sleep(Math.max(0, EXPRESS_EVERY_MS - (Date.now() - publishedAt)));
    }
    // Every probe counted as bulk-free: a lower bound of the bulk acceptances at the window's end.
    const acceptedAtWindowEnd = (await ledger.stats()).acceptedMessages;
    const bulkAtWindowEnd = acceptedAtWindowEnd - probes.length;
    loop.disable();

    // Stragglers get a few seconds more than the deadline, so a late one is measured rather than lost.
    const ids = probes.map((p) => p.msgId);
    const records = new Map<number, MessageRecord>();
    const readAll = async () => (await ledger.messages(ids)).forEach((record) => record && records.set(record.msgId, record));
    await waitFor(async () => {
      await readAll();
      return probes.every((p) => records.get(p.msgId)?.firstAcceptedAt != null);
    }, { timeoutMs: 5_000, intervalMs: 100, description: 'every express SMS' }).catch(() => undefined);
    // Re-read once settled: a duplicate acceptance after the first read would otherwise go unseen.
    await readAll();

    const latencies = probes.map((p) => {
      const at = records.get(p.msgId)?.firstAcceptedAt;
      return at == null ? Infinity : at - p.publishedAt;
    });
    const sorted = [...latencies].sort((a, b) => a - b);
    const ms = (ns: number) => Math.round(ns / 1e6);
    console.log(`express under bulk load: n=${probes.length} p50=${percentile(sorted, 50)} ms p95=${percentile(sorted, 95)} ms `
      + `max=${percentile(sorted, 100)} ms; bulk accepted ${bulkAtWindowStart} → ≥${bulkAtWindowEnd} of ${AUDIENCE} during the window; `
      + `express process loop delay p50=${ms(loop.percentile(50))} p99=${ms(loop.percentile(99))} max=${ms(loop.max)} ms`);

    // The bulk mailing really ran through the whole window: it grew and had not finished.
    expect(bulkAtWindowEnd).toBeGreaterThan(bulkAtWindowStart + BULK_RUNNING_AT);
    expect(acceptedAtWindowEnd).toBeLessThan(AUDIENCE);
    expect(probes.length).toBeGreaterThanOrEqual((EXPRESS_WINDOW_MS / EXPRESS_EVERY_MS) / 2);
    // Every express message arrived once, within the deadline.
    expect(probes.filter((p) => records.get(p.msgId)?.accepted !== 1)).toEqual([]);
    expect(latencies.filter((latency) => latency > EXPRESS_DEADLINE_MS)).toEqual([]);

    // Cancelling stops the bulk mailing: acceptances stop growing, and the test ends by itself.
    const cancelled = await api('POST', `/api/mailings/${mailingId}/cancel`);
    expect(cancelled.status).toBe(200);
    let last = -1;
    await waitFor(async () => {
      const now = (await ledger.stats()).acceptedMessages;
      const settled = now === last;
      last = now;
      return settled;
    }, { timeoutMs: 20_000, intervalMs: 2_000, description: 'bulk deliveries to stop after the cancel' });
    expect(last).toBeLessThan(AUDIENCE);
  }, 110_000);
});
