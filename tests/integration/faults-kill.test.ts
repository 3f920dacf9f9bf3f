import { KEYS } from '../../platform/redis/keys';
import { createSmsSimulator, type SmsSimulator } from '../../simulators/sms';
import { createSmsApiToken } from '../../simulators/sms/token';
import {
  acceptedCount, checkLedger, loadAudience, nonZero, startMailing, stopStackSafely, timed, waitForAllSent, when, type Audience,
} from '../support/fault-scenario';
import { createRoleProcess, killAllChildren, type ManagedChild } from '../support/processes';
import { startPrivateKafka, type PrivateService } from '../../infra/local/private-services';
import { startStack, waitForViewCaughtUp, type TestStack } from '../support/stack';
import { uniqueName } from '../support/unique';

jest.setTimeout(300_000);

const CLIENTS = 3000;
const OTHERS = 100;

/**
 * Issue 5, crashes: `kill -9` of each role in the middle of a mailing, then a restart. The processors,
 * senders and analytics run as real `vestnik` processes (the API and the scheduler in this process, on the
 * same isolation id), on a Kafka broker of the test's own and the shared Redis and ClickHouse; the SMS simulator answers after 40 ms and the senders use 8 connections, so the
 * mailing of 3000 clients takes long enough to be killed in the middle of each stage.
 */
describe('kill -9 of each role in the middle of a mailing', () => {
  const secret = 'faults-kill-sms-secret';
  const id = uniqueName('kill', { separator: '_' });
  let sms: SmsSimulator;
  let stack: TestStack;
  let kafka: PrivateService | undefined;
  let audience: Audience | null = null;
  const roles: Record<'processors' | 'senders' | 'analytics', ManagedChild> = {} as never;
  const measured: Record<string, number> = {};

  beforeAll(async () => {
    sms = createSmsSimulator({ jwtSecret: secret, faults: { latencyMs: 40 } });
    await sms.start();
    // A broker of its own: the view starts empty instead of replaying every earlier run's clients.
    kafka = await startPrivateKafka();
    const env = {
      // The per-request deadline also counts the wait for one of the 8 connections; 15 s keeps a busy
      // machine from tripping the circuit breaker, which is not what this test is about.
      KAFKA_BROKERS: kafka.url, SMS_API_URL: sms.url, SMS_API_TOKEN: createSmsApiToken(secret), SMS_CONCURRENCY: '8', SMS_TIMEOUT_MS: '15000',
      // Small fan-out pages: the fan-out is many checkpoints long, so the kill lands in its middle.
      FANOUT_BATCH_SIZE: '10', RETRY_BASE_MS: '200', RETRY_MAX_MS: '2000',
    };
    stack = await startStack({ roles: ['api', 'scheduler'], env, id });
    for (const role of ['processors', 'senders', 'analytics'] as const) roles[role] = createRoleProcess({ roles: [role], id, env });
    await Promise.all(Object.values(roles).map((child) => child.start()));
    // The processors' directory view replays the shared state topics first (as in startStack).
    const viewBegan = Date.now();
    await waitForViewCaughtUp(stack.runtime);
    measured.viewCatchUpMs = Date.now() - viewBegan;
  });

  afterAll(async () => {
    await killAllChildren();
    await stopStackSafely(stack);
    await kafka?.remove();
    await sms?.stop();
    // The figures of the run, for the README (jest prints console output of a passing test too).
    console.log(`faults-kill measured: ${JSON.stringify(measured)}`);
  });

  it('every matching client gets exactly one message id, nobody else any, and the statistics are exact', async () => {
    audience = await loadAudience(stack, { tag: uniqueName('kill'), operatorCode: '961', otherOperatorCode: '962', count: CLIENTS, others: OTHERS });
    const redis = stack.runtime.redis();
    const began = Date.now();
    const mailingId = await startMailing(stack, audience);

    // 1. The processors, while the fan-out is between two checkpoints.
    await when('the fan-out under way', async () => Number(await redis.hget(KEYS.fanoutCursor(mailingId), 'queued')) > 0);
    await roles.processors.kill();
    const queuedAtKill = Number(await redis.hget(KEYS.fanoutCursor(mailingId), 'queued'));
    measured.processorsKilledAtQueued = queuedAtKill;
    expect(queuedAtKill).toBeLessThan(CLIENTS);
    measured.processorsStartMs = await timed(() => roles.processors.start());
    await when('the fan-out finished after the restart', async () => (await redis.hget(KEYS.fanoutCursor(mailingId), 'done')) === '1');
    measured.fanoutDoneAfterKillMs = Date.now() - began;

    // 2. The senders (both lanes), with messages in flight.
    await when('a third of the messages accepted', () => acceptedCount(sms, mailingId, audience!) >= CLIENTS / 3);
    await roles.senders.kill();
    const acceptedAtKill = acceptedCount(sms, mailingId, audience);
    measured.sendersKilledAtAccepted = acceptedAtKill;
    expect(acceptedAtKill).toBeLessThan(CLIENTS);
    const sendersKilledAt = Date.now();
    measured.sendersStartMs = await timed(() => roles.senders.start());
    await when('sending resumed', () => acceptedCount(sms, mailingId, audience!) > acceptedAtKill, 120_000);
    measured.sendingResumedAfterKillMs = Date.now() - sendersKilledAt;

    // 3. Analytics, with statuses streaming in.
    await when('two thirds of the messages accepted', () => acceptedCount(sms, mailingId, audience!) >= (2 * CLIENTS) / 3, 180_000);
    await roles.analytics.kill();
    measured.analyticsKilledAtAccepted = acceptedCount(sms, mailingId, audience);
    measured.analyticsStartMs = await timed(() => roles.analytics.start());

    const stats = await waitForAllSent(stack, mailingId, CLIENTS, 240_000);
    measured.mailingDoneMs = Date.now() - began;
    expect(stats.total).toBe(CLIENTS);
    expect(nonZero(stats.byStatus)).toEqual({ sent: CLIENTS });
    const ledger = checkLedger(sms, mailingId, audience);
    measured.resentSameMessageId = ledger.resentSameId;
    expect({ missing: ledger.missing, toOthers: ledger.toOthers }).toEqual({ missing: 0, toOthers: 0 });
    // Re-sends of an id whose answer was lost with the killed sender: bounded by what was in flight then.
    expect(ledger.resentSameId).toBeLessThanOrEqual(3 * 256);
    const list = await stack.api('GET', '/api/stats/mailings');
    expect(list.body.items.find((item: { id: string }) => item.id === mailingId)?.byStatus).toMatchObject({ sent: CLIENTS, failed: 0, expired: 0 });
  });
});
