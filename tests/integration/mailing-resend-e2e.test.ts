import { createSmsSimulator, type SmsSimulator } from '../../simulators/sms';
import { createSmsApiToken } from '../../simulators/sms/token';
import { deliveryIdOf, resendIdOf } from '../../platform/ids';
import { TOPICS } from '../../platform/topics';
import { smsMessageId } from '../../senders/sms/message';
import { createClients, iso, smsIdOf } from '../support/mailings';
import { startStack, type TestStack } from '../support/stack';
import { uniqueName } from '../support/unique';
import { waitFor } from '../support/wait-for';

/** The msgId of the `round`-th re-send of a client's message in a mailing. */
const resendSmsId = (mailingId: string, clientId: string, round: number) =>
  smsMessageId(resendIdOf(deliveryIdOf('mailing', mailingId, clientId, 'sms'), round));

/**
 * "Resend failed" on the real stack: a mailing where the provider refuses some phones for good (HTTP 400),
 * the provider fixed, POST /api/mailings/{id}/resend: each failed client gets exactly one new message, nobody
 * else a second one, the statistics count each client once, and a second resend sends nothing.
 */
describe('resend of a mailing\'s failed deliveries', () => {
  const secret = 'resend-sms-secret';
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

  /** Waits until this stack's resend consumer has committed past everything on the topic now. */
  async function resendRequestsHandled(): Promise<void> {
    const admin = stack.runtime.kafka().admin();
    await admin.connect();
    try {
      const high = await admin.fetchTopicOffsets(stack.topic(TOPICS.mailingResendRequested));
      const groupId = stack.runtime.groupId('mailing-resend');
      await waitFor(async () => {
        const [committed] = await admin.fetchOffsets({ groupId, topics: [stack.topic(TOPICS.mailingResendRequested)] });
        return high.every((p) => {
          const mine = committed?.partitions.find((c) => c.partition === p.partition);
          return BigInt(p.high) === 0n || (mine !== undefined && BigInt(mine.offset) >= BigInt(p.high));
        });
      }, { timeoutMs: 30_000, intervalMs: 200, description: 'the resend requests consumed and committed' });
    } finally {
      await admin.disconnect();
    }
  }

  it('re-sends only the finally failed, once each, and a second resend sends nothing', async () => {
    const tag = uniqueName('resend');
    const clients = await createClients(stack, 6, { tag, operatorCode: '918' });
    const failing = clients.slice(0, 3);
    const fine = clients.slice(3);
    const phones = await Promise.all(failing.map(async (id) => String((await stack.api('GET', `/api/clients/${id}`)).body.phone)));
    await sms.setFaults({ rejectPhones: phones });
    const created = await stack.api('POST', '/api/mailings', {
      text: 'Hello {{name}}', startAt: iso(Date.now()), endAt: iso(Date.now() + 10 * 60_000), filter: { tags: [tag], operatorCodes: [] },
    });
    expect(created.status).toBe(201);
    const mailingId: string = created.body.id;
    await waitFor(async () => {
      const body = (await stack.api('GET', `/api/stats/mailings/${mailingId}`)).body;
      return body?.byStatus?.sent === 3 && body.byStatus.failed === 3 ? body : null;
    }, { timeoutMs: 60_000, description: 'three sent and three failed for good' });
    for (const id of failing) expect(sms.message(smsIdOf(mailingId, id))?.accepted ?? 0).toBe(0);

    await sms.setFaults({ rejectPhones: [] });
    const resend = await stack.api('POST', `/api/mailings/${mailingId}/resend`);
    expect(resend.status).toBe(202);
    const stats = await waitFor(async () => {
      const body = (await stack.api('GET', `/api/stats/mailings/${mailingId}`)).body;
      return body?.byStatus?.sent === 6 ? body : null;
    }, { timeoutMs: 60_000, description: 'all six sent after the resend' });
    // One message per client: the re-sent original and its re-send count once.
    expect(stats.total).toBe(6);
    expect(stats.byStatus).toMatchObject({ failed: 0, queued: 0, retrying: 0 });
    for (const id of failing) {
      expect(sms.message(resendSmsId(mailingId, id, 1))?.accepted).toBe(1);
      expect(sms.message(resendSmsId(mailingId, id, 1))?.text).toMatch(/^Hello Client [0-2]$/);
    }
    for (const id of fine) {
      expect(sms.message(smsIdOf(mailingId, id))?.accepted).toBe(1);
      expect(sms.message(resendSmsId(mailingId, id, 1))).toBeUndefined();
    }
    // The re-sends are linked to their originals in the message list.
    const resentRows = stats.messages.filter((m: { deliveryId: string }) =>
      failing.some((id) => m.deliveryId === resendIdOf(deliveryIdOf('mailing', mailingId, id, 'sms'), 1)));
    expect(resentRows).toHaveLength(3);

    // Twice: the second request finds nothing failed and sends nothing, not even a second round.
    await resendRequestsHandled();
    const again = await stack.api('POST', `/api/mailings/${mailingId}/resend`);
    expect(again.status).toBe(202);
    await resendRequestsHandled();
    for (const id of clients) expect(sms.message(resendSmsId(mailingId, id, 2))).toBeUndefined();
    for (const id of failing) expect(sms.message(resendSmsId(mailingId, id, 1))?.accepted).toBe(1);
    for (const id of fine) expect(sms.message(resendSmsId(mailingId, id, 1))).toBeUndefined();
    expect(sms.stats().duplicateAccepts).toBe(0);
    const after = (await stack.api('GET', `/api/stats/mailings/${mailingId}`)).body;
    expect(after.total).toBe(6);
    expect(after.byStatus.sent).toBe(6);
  });

  it('answers 404 for an unknown mailing and 409 for one not started', async () => {
    expect((await stack.api('POST', '/api/mailings/no-such-mailing/resend')).status).toBe(404);
    const created = await stack.api('POST', '/api/mailings', {
      text: 'later', startAt: iso(Date.now() + 3600_000), endAt: iso(Date.now() + 7200_000), filter: { tags: [uniqueName('x')], operatorCodes: [] },
    });
    expect((await stack.api('POST', `/api/mailings/${created.body.id}/resend`)).status).toBe(409);
  });
});
