import { createSmsSimulator, type SmsSimulator } from '../../simulators/sms';
import { createSmsApiToken } from '../../simulators/sms/token';
import { createClients, iso, smsIdOf } from '../support/mailings';
import { startStack, type TestStack } from '../support/stack';
import { uniqueName } from '../support/unique';
import { waitFor } from '../support/wait-for';

/**
 * Issue 3 end to end: clients and mailings through the API, the whole pipeline in this process on the real
 * Kafka, Redis and ClickHouse, and the SMS simulator counting what it accepted per message id.
 */
describe('mailings end to end', () => {
  const secret = 'e2e-sms-secret';
  let sms: SmsSimulator;
  let stack: TestStack;

  beforeAll(async () => {
    sms = createSmsSimulator({ jwtSecret: secret });
    await sms.start();
    stack = await startStack({
      roles: ['api', 'processors', 'senders', 'analytics', 'scheduler'],
      env: { SMS_API_URL: sms.url, SMS_API_TOKEN: createSmsApiToken(secret), RETRY_BASE_MS: '100', RETRY_MAX_MS: '1000' },
    });
  });

  afterAll(async () => {
    await stack?.stop();
    await sms?.stop();
  });

  it('sends exactly one SMS to every matching client and none to the others, with exact statistics', async () => {
    const tag = uniqueName('vip');
    const matching = await createClients(stack, 5, { tag, operatorCode: '912' });
    const otherOperator = await createClients(stack, 2, { tag, operatorCode: '913' });
    const otherTag = await createClients(stack, 2, { tag: uniqueName('other'), operatorCode: '912' });
    const created = await stack.api('POST', '/api/mailings', {
      text: 'Hello {{name}}', startAt: iso(Date.now()), endAt: iso(Date.now() + 10 * 60_000),
      filter: { tags: [tag], operatorCodes: ['912'] },
    });
    expect(created.status).toBe(201);
    const mailingId: string = created.body.id;

    const stats = await waitFor(async () => {
      const response = await stack.api('GET', `/api/stats/mailings/${mailingId}`);
      return response.body?.byStatus?.sent === 5 ? response.body : null;
    }, { timeoutMs: 60_000, description: 'five sent messages in the statistics' });

    for (const clientId of matching) expect(sms.message(smsIdOf(mailingId, clientId))?.accepted).toBe(1);
    for (const clientId of [...otherOperator, ...otherTag]) expect(sms.message(smsIdOf(mailingId, clientId))).toBeUndefined();
    expect(sms.message(smsIdOf(mailingId, matching[0]!))?.text).toBe('Hello Client 0');
    expect(stats.total).toBe(5);
    expect(stats.messages.map((m: { clientId: string }) => m.clientId).sort()).toEqual([...matching].sort());

    const list = await stack.api('GET', '/api/stats/mailings');
    const row = list.body.items.find((item: { id: string }) => item.id === mailingId);
    expect(row.byStatus).toMatchObject({ sent: 5, failed: 0, expired: 0 });
    await waitFor(async () => (await stack.api('GET', `/api/mailings/${mailingId}`)).body.status === 'finished', {
      timeoutMs: 20_000, description: 'mailing finished',
    });
  });

  it('refuses a mailing whose end time has passed, and sends nothing for it', async () => {
    const tag = uniqueName('late');
    await createClients(stack, 1, { tag, operatorCode: '914' });
    const response = await stack.api('POST', '/api/mailings', {
      text: 'too late', startAt: iso(Date.now() - 2 * 3600_000), endAt: iso(Date.now() - 3600_000),
      filter: { tags: [tag], operatorCodes: [] },
    });
    expect(response.status).toBe(422);
    expect(JSON.stringify(response.body.error.details)).toContain('endAt');
    const mailings = (await stack.api('GET', '/api/mailings?limit=500')).body.items as { text: string }[];
    expect(mailings.some((m) => m.text === 'too late')).toBe(false);
  });

  it('starts a mailing with a future start time by itself, not before', async () => {
    const tag = uniqueName('later');
    const [clientId] = await createClients(stack, 1, { tag, operatorCode: '915' });
    const startAt = Date.now() + 3000;
    const created = await stack.api('POST', '/api/mailings', {
      text: 'on time', startAt: iso(startAt), endAt: iso(startAt + 10 * 60_000), filter: { tags: [tag], operatorCodes: [] },
    });
    expect(created.status).toBe(201);
    expect((await stack.api('GET', `/api/mailings/${created.body.id}`)).body.status).toBe('scheduled');
    const message = await waitFor(() => sms.message(smsIdOf(created.body.id, clientId!)), { timeoutMs: 30_000, description: 'the scheduled SMS' });
    expect(message.firstAcceptedAt).toBeGreaterThanOrEqual(startAt);
  });

  it('expires every message of a mailing whose end passes while the provider is down', async () => {
    const tag = uniqueName('outage');
    const clients = await createClients(stack, 3, { tag, operatorCode: '916' });
    await sms.setFaults({ outage: { mode: 'unavailable', forMs: 15_000 } });
    try {
      const created = await stack.api('POST', '/api/mailings', {
        text: 'never', startAt: iso(Date.now()), endAt: iso(Date.now() + 4000), filter: { tags: [tag], operatorCodes: [] },
      });
      const mailingId: string = created.body.id;
      const stats = await waitFor(async () => {
        const body = (await stack.api('GET', `/api/stats/mailings/${mailingId}`)).body;
        return body?.byStatus?.expired === 3 ? body : null;
      }, { timeoutMs: 60_000, description: 'three expired messages' });
      expect(stats.byStatus.sent).toBe(0);
      for (const clientId of clients) expect(sms.message(smsIdOf(mailingId, clientId))?.accepted ?? 0).toBe(0);
    } finally {
      await sms.setFaults({ outage: null });
    }
  });

  it('delivers every message exactly once through 30% provider errors and an outage', async () => {
    const tag = uniqueName('flaky');
    const clients = await createClients(stack, 30, { tag, operatorCode: '917' });
    await sms.setFaults({ errorRate: 0.3, seed: 7, outage: { mode: 'refuse', forMs: 3000 } });
    try {
      const created = await stack.api('POST', '/api/mailings', {
        text: 'through the storm', startAt: iso(Date.now()), endAt: iso(Date.now() + 10 * 60_000),
        filter: { tags: [tag], operatorCodes: [] },
      });
      const mailingId: string = created.body.id;
      const stats = await waitFor(async () => {
        const body = (await stack.api('GET', `/api/stats/mailings/${mailingId}`)).body;
        return body?.byStatus?.sent === 30 ? body : null;
      }, { timeoutMs: 90_000, intervalMs: 500, description: 'thirty sent messages' });
      expect(stats.byStatus).toMatchObject({ failed: 0, expired: 0, queued: 0, retrying: 0 });
      for (const clientId of clients) expect(sms.message(smsIdOf(mailingId, clientId))?.accepted).toBe(1);
      // attempts counts provider calls: a message that went through on its first call shows 1.
      const errored = stats.messages.filter((m: { attempts: number }) => m.attempts > 1);
      expect(stats.messages.every((m: { attempts: number }) => m.attempts >= 1)).toBe(true);
      expect(errored.length).toBeGreaterThan(0);
    } finally {
      await sms.setFaults({ errorRate: 0, outage: null });
    }
  });
});
