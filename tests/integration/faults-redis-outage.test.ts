import { TOPICS } from '../../platform/topics';
import { startPrivateRedis, type PrivateService } from '../../infra/local/private-services';
import { createSmsSimulator, type SmsSimulator } from '../../simulators/sms';
import { createSmsApiToken } from '../../simulators/sms/token';
import {
  acceptedCount, checkLedger, loadAudience, nonZero, recordsOn, startMailing, stopStackSafely, waitForAllSent, when, type Audience,
} from '../support/fault-scenario';
import { killAllChildren } from '../support/processes';
import { startStack, type TestStack } from '../support/stack';
import { uniqueName } from '../support/unique';

jest.setTimeout(420_000);

const ALL = ['api', 'processors', 'senders', 'analytics', 'scheduler'] as const;
const CLIENTS = 400;
/** Longer than a Redis client's retry budget (20 reconnect attempts, about 75 s with ioredis 6's backoff): commands in flight fail. */
const OUTAGE_MS = 90_000;
const secret = 'faults-redis-outage-sms-secret';

/**
 * A Redis outage longer than the client's retry budget, once while a mailing starts (its fan-out) and once
 * while it sends. Every command that fails for it is a retriable REDIS_UNAVAILABLE (platform/redis/client.ts),
 * so the batch is paused and read again after the outage: nothing is dead-lettered, the mailing finishes, and
 * every client gets exactly one message. The Redis is a private one (AOF, fsync always), SIGKILLed and
 * restarted from its file, so the shared one is never touched.
 */
describe('Redis down for 90 s, longer than the client retry budget', () => {
  let sms: SmsSimulator;
  let redis: PrivateService;
  let stack: TestStack;
  const measured: Record<string, Record<string, number>> = {};

  beforeAll(async () => {
    // 40 ms per request and 4 connections: 400 messages take a few seconds, so the kill lands mid-send.
    sms = createSmsSimulator({ jwtSecret: secret, faults: { latencyMs: 40 } });
    await sms.start();
    redis = await startPrivateRedis({ appendfsync: 'always' });
    stack = await startStack({
      roles: [...ALL],
      env: {
        REDIS_URL: redis.url, SMS_API_URL: sms.url, SMS_API_TOKEN: createSmsApiToken(secret), SMS_CONCURRENCY: '4',
        FANOUT_BATCH_SIZE: '10', RETRY_BASE_MS: '200', RETRY_MAX_MS: '2000', RATE_LIMIT_ENABLED: 'false',
      },
    });
  });

  afterAll(async () => {
    if (redis && !redis.process.running) await redis.process.start().catch(() => undefined);
    await stopStackSafely(stack);
    await redis?.remove();
    await killAllChildren();
    await sms?.stop();
    console.log(`faults-redis-outage measured: ${JSON.stringify(measured)}`);
  });

  /** Kills Redis when `moment` holds, keeps it down OUTAGE_MS, brings it back, and checks the mailing. */
  async function outageDuring(name: string, operatorCode: string, moment: (mailingId: string, audience: Audience) => boolean | Promise<boolean>) {
    const figures: Record<string, number> = {};
    measured[name] = figures;
    const audience = await loadAudience(stack, { tag: uniqueName(name), operatorCode, otherOperatorCode: '969', count: CLIENTS, others: 10 });
    const mailingId = await startMailing(stack, audience);
    await when(name, () => moment(mailingId, audience), 60_000);
    await redis.process.kill('SIGKILL');
    const killedAt = Date.now();
    figures.acceptedAtKill = acceptedCount(sms, mailingId, audience);
    // The one deliberate wait of this file: the outage itself, 90 s from the kill.
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS - (Date.now() - killedAt)));
    figures.acceptedWhileDown = acceptedCount(sms, mailingId, audience) - figures.acceptedAtKill;
    await redis.process.start();
    const back = Date.now();
    const stats = await waitForAllSent(stack, mailingId, CLIENTS, 180_000);
    figures.allSentAfterRedisBackMs = Date.now() - back;
    expect(stats.total).toBe(CLIENTS);
    expect(nonZero(stats.byStatus)).toEqual({ sent: CLIENTS });
    const ledger = checkLedger(sms, mailingId, audience);
    figures.resentSameMessageId = ledger.resentSameId;
    expect({ missing: ledger.missing, toOthers: ledger.toOthers }).toEqual({ missing: 0, toOthers: 0 });
    // Nothing of this stack went to its dead-letter topic, whatever failed during the outage.
    expect(await recordsOn(stack, TOPICS.deliveriesDeadLetter)).toBe(0);
    await when(`${name}: the mailing finishes`, async () => (await stack.api('GET', `/api/mailings/${mailingId}`)).body.status === 'finished', 60_000);
    return figures;
  }

  it('while the mailing starts: its start and fan-out wait for Redis, then every client gets one message', async () => {
    // The moment the start event is on Kafka: the fan-out is reading the audience from Redis.
    const before = await recordsOn(stack, TOPICS.mailingStarted);
    const figures = await outageDuring('start', '961', async () => (await recordsOn(stack, TOPICS.mailingStarted)) > before);
    expect(figures.acceptedAtKill).toBeLessThan(CLIENTS);
  });

  it('while the mailing sends: claims and statuses wait for Redis, then the rest goes out once', async () => {
    const figures = await outageDuring('send', '962', (mailingId, audience) => acceptedCount(sms, mailingId, audience) >= CLIENTS / 4);
    expect(figures.acceptedAtKill).toBeLessThan(CLIENTS);
  });
});
