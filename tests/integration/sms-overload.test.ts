/**
 * Issue 14's overload case: an SMS provider that works on only a few requests at once, with a small
 * backlog (the simulator's `capacity`: 8 workers of 20 ms, 8 more waiting, 503 beyond). A fixed 64
 * requests in flight would keep its backlog full and be refused or time out after sending (the
 * ambiguous case, where a re-send is a second SMS). The senders' adaptive limit finds what the provider
 * takes: a 20,000-client mailing keeps the provider's workers busy at least 80% of the time (runs within
 * 20% of the provider's rate) and no message is accepted twice.
 *
 * Why worker time and not the idle rate: the simulator shares this process and its event loop with the
 * whole stack, and CI runs other tiers beside it. While the mailing runs, a 20 ms wait takes longer than
 * when the rate is measured alone (seen: 74% of the idle rate in a CI run, 104% alone), so the idle rate
 * says more about the machine than about the senders. The share of worker time in use is the provider's
 * rate as it is at that moment; a limit that kept too few requests in flight leaves workers idle and fails
 * it (seen: 32% with SMS_CONCURRENCY=5). The idle-rate share is still measured and printed.
 *
 * A request that timed out after it was sent stays possible on a machine this busy (the simulator shares
 * the test's process and cores): issue 14 allows those as long as they are counted and under 0.1%.
 * With AMBIGUOUS_POLICY_SMS=fail each ends `failed` with its `ambiguous:` reason; every other is `sent`.
 */
import { Pool } from 'undici';
import { createSmsSimulator, type SmsSimulator } from '../../simulators/sms';
import { createSmsApiToken } from '../../simulators/sms/token';
import { checkLedger, loadAudience, nonZero, removeAudience, startMailing, stopStackSafely, type Audience } from '../support/fault-scenario';
import { smsIdOf } from '../support/mailings';
import { startStack, type TestStack } from '../support/stack';
import { uniqueName } from '../support/unique';
import { waitFor } from '../support/wait-for';

jest.setTimeout(600_000);

const secret = 'sms-overload-secret';
const CAPACITY = { workers: 8, queue: 8, serviceMs: 20 };
const AUDIENCE = 20_000;

/**
 * The provider's own rate: `workers` requests kept in flight, no more, for `ms` (what a client that knew the
 * provider's capacity would get). Ids far above the mailing's (which are below 2^53 but spread) do not matter:
 * the simulator is reset afterwards.
 */
async function rawRate(sms: SmsSimulator, ms: number): Promise<number> {
  const pool = new Pool(sms.url, { connections: CAPACITY.workers });
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${createSmsApiToken(secret)}` };
  let next = 1;
  let accepted = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: CAPACITY.workers }, async () => {
    while (performance.now() - started < ms) {
      const id = next++;
      const response = await pool.request({ method: 'POST', path: `/v1/send/${id}`, headers, body: JSON.stringify({ id, phone: 79000000000 + id, text: 'raw' }) });
      const body = await response.body.json() as { code: number };
      if (response.statusCode === 200 && body.code === 0) accepted += 1;
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  await pool.close();
  return accepted / seconds;
}

/** The simulator's worker time at `at`, between the two readings around it (taken a second apart). */
function busyMsAt(readings: readonly { at: number; busyMs: number }[], at: number): number {
  const after = readings.findIndex((reading) => reading.at >= at);
  if (after <= 0) throw new Error(`no worker-time readings around ${at}`);
  const [a, b] = [readings[after - 1]!, readings[after]!];
  return a.busyMs + (b.busyMs - a.busyMs) * ((at - a.at) / (b.at - a.at));
}

describe('an SMS provider of small capacity', () => {
  let sms: SmsSimulator;
  let stack: TestStack;
  let audience: Audience | undefined;
  const measured: Record<string, unknown> = {};

  beforeAll(async () => {
    sms = createSmsSimulator({ jwtSecret: secret, faults: { capacity: CAPACITY } });
    await sms.start();
    stack = await startStack({
      roles: ['api', 'processors', 'senders', 'analytics', 'scheduler'],
      env: { SMS_API_URL: sms.url, SMS_API_TOKEN: createSmsApiToken(secret), RETRY_BASE_MS: '200', RETRY_MAX_MS: '2000' },
    });
  });

  afterAll(async () => {
    if (audience) await removeAudience(stack, audience);
    await stopStackSafely(stack);
    await sms?.stop();
    console.log(`sms-overload measured: ${JSON.stringify(measured)}`);
  });

  it('a 20,000-client mailing keeps the provider\'s workers 80% busy, none accepted twice, at most 0.1% ambiguous', async () => {
    const before = await rawRate(sms, 5_000);
    await sms.reset();
    audience = await loadAudience(stack, { tag: uniqueName('overload'), operatorCode: '931', otherOperatorCode: '932', count: AUDIENCE, others: 0 });

    const mailingId = await startMailing(stack, audience);
    const workerTime: { at: number; busyMs: number }[] = [];
    const stats = await waitFor(async () => {
      workerTime.push({ at: Date.now(), busyMs: sms.stats().busyWorkerMs });
      const body = (await stack.api('GET', `/api/stats/mailings/${mailingId}?limit=1`)).body;
      const final = ['sent', 'failed', 'expired', 'suppressed'].reduce((n, status) => n + (body?.byStatus?.[status] ?? 0), 0);
      return final === AUDIENCE ? body : null;
    }, { timeoutMs: 480_000, intervalMs: 1000, description: `${AUDIENCE} messages final in the statistics` });
    const simulator = sms.stats();
    const after = await rawRate(sms, 5_000);

    // The send rate while it ran: the middle 80% of first acceptances, so start-up and the tail do not count.
    const acceptedAt = audience.matching.map((clientId) => sms.message(smsIdOf(mailingId, clientId))?.firstAcceptedAt ?? Number.NaN).sort((a, b) => a - b);
    const from = acceptedAt[Math.floor(AUDIENCE * 0.1)]!;
    const to = acceptedAt[Math.floor(AUDIENCE * 0.9)]!;
    const mailingRate = (AUDIENCE * 0.8) / ((to - from) / 1000);
    const providerRate = (before + after) / 2;
    const workersBusy = (busyMsAt(workerTime, to) - busyMsAt(workerTime, from)) / (CAPACITY.workers * (to - from));
    Object.assign(measured, {
      providerRatePerS: Math.round(providerRate), mailingRatePerS: Math.round(mailingRate), share: +(mailingRate / providerRate).toFixed(3),
      workersBusy: +workersBusy.toFixed(3),
      statuses: nonZero(stats.byStatus), overflow503: simulator.outcomes.overflow, requests: simulator.requests, maxInFlight: simulator.maxInFlight,
    });

    const failed = stats.byStatus.failed ?? 0;
    expect(nonZero(stats.byStatus)).toEqual(failed > 0 ? { sent: AUDIENCE - failed, failed } : { sent: AUDIENCE });
    expect(failed).toBeLessThanOrEqual(AUDIENCE * 0.001);
    if (failed > 0) {
      // Each failure is an ambiguous call, said so; the provider may or may not have that one.
      const page = (await stack.api('GET', `/api/stats/mailings/${mailingId}?status=failed&limit=100`)).body;
      const reasons = (page.messages as { lastError: string | null }[]).map((m) => m.lastError ?? '');
      expect(reasons).toHaveLength(failed);
      for (const reason of reasons) expect(reason).toMatch(/^ambiguous: /);
    }
    const ledger = checkLedger(sms, mailingId, audience);
    expect(ledger).toMatchObject({ toOthers: 0, resentSameId: 0 });
    expect(ledger.missing).toBeLessThanOrEqual(failed);
    expect(simulator.duplicateAccepts).toBe(0);
    expect(workerTime.length).toBeGreaterThan(10);
    expect(workersBusy).toBeGreaterThanOrEqual(0.8);
  });
});
