import { statusTable } from '../../analytics/schema';
import { sql } from '../../analytics/sql-escape';
import { deliveryIdOf } from '../../platform/ids';
import { KEYS } from '../../platform/redis/keys';
import { TOPICS } from '../../platform/topics';
import { createSmsSimulator, type SmsSimulator } from '../../simulators/sms';
import { createSmsApiToken } from '../../simulators/sms/token';
import {
  acceptedCount, checkLedger, loadAudience, nonZero, recordsOn, startMailing, stopStackSafely, waitForAllSent, when,
} from '../support/fault-scenario';
import { killAllChildren } from '../support/processes';
import { startPrivateClickHouse, startPrivateKafka, startPrivateRedis, type PrivateService } from '../../infra/local/private-services';
import { startStack, type TestStack } from '../support/stack';
import { uniqueName } from '../support/unique';

jest.setTimeout(300_000);

const ALL = ['api', 'processors', 'senders', 'analytics', 'scheduler'] as const;
const CLIENTS = 600;
const secret = 'faults-infra-sms-secret';

/**
 * Issue 5, infrastructure: Kafka, Redis and ClickHouse each go away in the middle of a mailing and come
 * back. Each runs as a private instance of the same binaries (tests/support/private-services.ts), so the
 * restart never touches the services the rest of the run shares. The SMS simulator answers after 50 ms and
 * the senders use 4 connections: the mailing of 600 clients takes several seconds, and the fault lands in
 * its middle.
 */
describe('infrastructure restarts in the middle of a mailing', () => {
  let sms: SmsSimulator;
  // One private broker for the file: the views start empty, and the Kafka test may restart it.
  let kafka: PrivateService;
  const measured: Record<string, Record<string, number>> = {};

  beforeAll(async () => {
    sms = createSmsSimulator({ jwtSecret: secret, faults: { latencyMs: 50 } });
    await sms.start();
    kafka = await startPrivateKafka();
  });

  afterAll(async () => {
    await kafka?.remove();
    await killAllChildren();
    await sms?.stop();
    console.log(`faults-infra measured: ${JSON.stringify(measured)}`);
  });

  const env = (extra: Record<string, string>) => ({
    KAFKA_BROKERS: kafka.url, SMS_API_URL: sms.url, SMS_API_TOKEN: createSmsApiToken(secret), SMS_CONCURRENCY: '4', FANOUT_BATCH_SIZE: '50',
    RETRY_BASE_MS: '200', RETRY_MAX_MS: '2000', ...extra,
  });

  /** Runs a mailing, takes `service` down once a third is accepted, for `downMs`, and checks the outcome. */
  async function mailingThrough(stack: TestStack, service: PrivateService, options: { name: string; downMs: number; operatorCode: string; signal?: NodeJS.Signals; maxResent?: number }) {
    const figures: Record<string, number> = {};
    measured[options.name] = figures;
    const audience = await loadAudience(stack, { tag: uniqueName(options.name), operatorCode: options.operatorCode, otherOperatorCode: '969', count: CLIENTS, others: 20 });
    const began = Date.now();
    const mailingId = await startMailing(stack, audience);
    await when('a third of the messages accepted', () => acceptedCount(sms, mailingId, audience) >= CLIENTS / 3);
    await service.process.kill(options.signal ?? 'SIGKILL');
    const acceptedAtStop = acceptedCount(sms, mailingId, audience);
    figures.acceptedAtStop = acceptedAtStop;
    expect(acceptedAtStop).toBeLessThan(CLIENTS);
    await new Promise((resolve) => setTimeout(resolve, options.downMs));
    figures.acceptedWhileDown = acceptedCount(sms, mailingId, audience) - acceptedAtStop;
    const restarted = Date.now();
    await service.process.start();
    figures.serviceStartMs = Date.now() - restarted;
    const stats = await waitForAllSent(stack, mailingId, CLIENTS, 180_000);
    figures.allSentInStatsAfterRestartMs = Date.now() - restarted;
    figures.mailingMs = Date.now() - began;
    expect(stats.total).toBe(CLIENTS);
    expect(nonZero(stats.byStatus)).toEqual({ sent: CLIENTS });
    const ledger = checkLedger(sms, mailingId, audience);
    figures.resentSameMessageId = ledger.resentSameId;
    expect({ missing: ledger.missing, toOthers: ledger.toOthers }).toEqual({ missing: 0, toOthers: 0 });
    // A batch whose outcome could not be recorded is sent again after its lease, under the same message id
    // (which the provider de-duplicates): at most what one settle chunk per partition holds.
    expect(ledger.resentSameId).toBeLessThanOrEqual(options.maxResent ?? 3 * 256);
    return { mailingId, audience, figures };
  }

  describe('Redis restart (append-only file, fsync always)', () => {
    let redis: PrivateService;
    let stack: TestStack;

    beforeAll(async () => {
      redis = await startPrivateRedis({ appendfsync: 'always' });
      stack = await startStack({ roles: [...ALL], env: env({ REDIS_URL: redis.url }) });
    });

    afterAll(async () => {
      if (redis && !redis.process.running) await redis.process.start().catch(() => undefined);
      await stopStackSafely(stack);
      await redis?.remove();
    });

    it('a SIGKILLed Redis comes back with every claim: nothing sent twice, nothing lost', async () => {
      const { mailingId, audience } = await mailingThrough(stack, redis, { name: 'redis', downMs: 5_000, operatorCode: '965', maxResent: 0 });
      // Every claim survived as final: a replay of any command now would be dropped, not sent.
      const claims = await stack.runtime.redis().mget(...audience.matching.map((clientId) => KEYS.deliveryClaim(deliveryOf(mailingId, clientId))));
      expect(claims.filter((claim) => claim === 'done:sent')).toHaveLength(CLIENTS);
    });
  });

  describe('ClickHouse unavailable for a while', () => {
    let clickhouse: PrivateService;
    let stack: TestStack;

    beforeAll(async () => {
      clickhouse = await startPrivateClickHouse();
      stack = await startStack({ roles: [...ALL], env: env({ CLICKHOUSE_URL: clickhouse.url }) });
    });

    afterAll(async () => {
      if (clickhouse && !clickhouse.process.running) await clickhouse.process.start().catch(() => undefined);
      await stopStackSafely(stack);
      await clickhouse?.remove();
    });

    it('statuses wait in Kafka and are inserted once it is back: none lost, none counted twice', async () => {
      const { mailingId, figures } = await mailingThrough(stack, clickhouse, { name: 'clickhouse', downMs: 20_000, operatorCode: '966' });
      // Sending went on without ClickHouse; only the statistics waited.
      expect(figures.acceptedWhileDown).toBeGreaterThan(0);
      // The analytics consumer retried its batches: none went to the dead-letter topic (this broker's own).
      expect(await recordsOn(stack, TOPICS.deliveriesDeadLetter)).toBe(0);
      const table = statusTable(stack.id);
      const [row] = await stack.runtime.clickhouse().query<{ deliveries: string; sentStatuses: string; rows: string }>(sql`
        SELECT uniqExact(deliveryId) AS deliveries, uniqExactIf(statusId, status = 'sent') AS sentStatuses, count() AS rows
        FROM ${table} WHERE sourceId = ${mailingId}`);
      expect(Number(row!.deliveries)).toBe(CLIENTS);
      expect(Number(row!.sentStatuses)).toBe(CLIENTS);
      figures.statusRows = Number(row!.rows);
    });
  });

  describe('Kafka broker restart', () => {
    let stack: TestStack;

    beforeAll(async () => {
      stack = await startStack({ roles: [...ALL], env: env({}) });
    });

    afterAll(async () => {
      // The broker may be down if the test failed mid-way: the stack's clients need it to leave cleanly.
      if (kafka && !kafka.process.running) await kafka.process.start().catch(() => undefined);
      await stopStackSafely(stack);
    });

    it('sends every message exactly once with exact statistics, and every consumer comes back', async () => {
      const { figures } = await mailingThrough(stack, kafka, { name: 'kafka', downMs: 10_000, operatorCode: '963' });
      // The consumers are back: a mailing started after the restart goes through fan-out, senders and analytics.
      const began = Date.now();
      const audience = await loadAudience(stack, { tag: uniqueName('after-kafka'), operatorCode: '964', otherOperatorCode: '969', count: 20, others: 0 });
      const mailingId = await startMailing(stack, audience);
      await waitForAllSent(stack, mailingId, 20, 60_000);
      figures.secondMailingMs = Date.now() - began;
      expect(checkLedger(sms, mailingId, audience)).toEqual({ missing: 0, toOthers: 0, resentSameId: 0 });
    });
  });
});

function deliveryOf(mailingId: string, clientId: string): string {
  return deliveryIdOf('mailing', mailingId, clientId, 'sms');
}
