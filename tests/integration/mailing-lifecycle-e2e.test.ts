import { createSmsSimulator, type SmsSimulator } from '../../simulators/sms';
import { createSmsApiToken } from '../../simulators/sms/token';
import { createClients, iso, smsIdOf } from '../support/mailings';
import { startStack, type TestStack } from '../support/stack';
import { uniqueName } from '../support/unique';
import { waitFor } from '../support/wait-for';

const ALL = ['api', 'processors', 'senders', 'analytics', 'scheduler'] as const;

/** Cancelling a running mailing, and a scheduled mailing that outlives a restart of every role. */
describe('mailing lifecycle end to end', () => {
  const secret = 'e2e-lifecycle-secret';
  let sms: SmsSimulator;
  let env: Record<string, string>;

  beforeAll(async () => {
    sms = createSmsSimulator({ jwtSecret: secret });
    await sms.start();
    env = { SMS_API_URL: sms.url, SMS_API_TOKEN: createSmsApiToken(secret), RETRY_BASE_MS: '200', RETRY_MAX_MS: '500' };
  });

  afterAll(async () => {
    await sms?.stop();
  });

  it('stops sending when a running mailing is cancelled', async () => {
    const stack = await startStack({ roles: [...ALL], env });
    try {
      const tag = uniqueName('cancel');
      const clients = await createClients(stack, 4, { tag, operatorCode: '921' });
      // The provider is down, so every message of the running mailing is waiting to be retried.
      await sms.setFaults({ outage: { mode: 'unavailable', forMs: 60_000 } });
      const created = await stack.api('POST', '/api/mailings', {
        text: 'cancel me', startAt: iso(Date.now()), endAt: iso(Date.now() + 10 * 60_000), filter: { tags: [tag], operatorCodes: [] },
      });
      const mailingId: string = created.body.id;
      await waitFor(async () => (await stack.api('GET', `/api/stats/mailings/${mailingId}`)).body?.byStatus?.retrying === 4, {
        timeoutMs: 30_000, description: 'four messages retrying',
      });
      expect((await stack.api('POST', `/api/mailings/${mailingId}/cancel`)).status).toBe(200);
      await sms.setFaults({ outage: null });
      const stats = await waitFor(async () => {
        const body = (await stack.api('GET', `/api/stats/mailings/${mailingId}`)).body;
        return body?.byStatus?.expired === 4 ? body : null;
      }, { timeoutMs: 30_000, description: 'four cancelled (expired) messages' });
      expect(stats.byStatus.sent).toBe(0);
      for (const clientId of clients) expect(sms.message(smsIdOf(mailingId, clientId))?.accepted ?? 0).toBe(0);
      expect((await stack.api('GET', `/api/mailings/${mailingId}`)).body.status).toBe('cancelled');
    } finally {
      await sms.setFaults({ outage: null });
      await stack.stop();
    }
  });

  it('starts a scheduled mailing on time after every process was restarted', async () => {
    const first = await startStack({ roles: [...ALL], env });
    const tag = uniqueName('restart');
    let restarted: TestStack | null = null;
    try {
      const [clientId] = await createClients(first, 1, { tag, operatorCode: '922' });
      const startAt = Date.now() + 6000;
      const created = await first.api('POST', '/api/mailings', {
        text: 'after restart', startAt: iso(startAt), endAt: iso(startAt + 10 * 60_000), filter: { tags: [tag], operatorCodes: [] },
      });
      expect(created.status).toBe(201);
      await first.stop({ keepData: true });
      restarted = await startStack({ roles: [...ALL], env, id: first.id });
      const message = await waitFor(() => sms.message(smsIdOf(created.body.id, clientId!)), {
        timeoutMs: 40_000, description: 'the SMS of the scheduled mailing',
      });
      expect(message.accepted).toBe(1);
      expect(message.firstAcceptedAt).toBeGreaterThanOrEqual(startAt);
    } finally {
      await restarted?.stop();
    }
  });
});
