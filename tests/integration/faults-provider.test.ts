import { createSmsSimulator, type SmsSimulator } from '../../simulators/sms';
import { createSmsApiToken } from '../../simulators/sms/token';
import { createSmtpSink, type SmtpSink } from '../../simulators/smtp';
import {
  acceptedCount, checkLedger, loadAudience, nonZero, startMailing, stopStackSafely, waitForAllSent,
} from '../support/fault-scenario';
import { killAllChildren } from '../support/processes';
import { startPrivateKafka, type PrivateService } from '../../infra/local/private-services';
import { startStack, type TestStack } from '../support/stack';
import { uniqueName } from '../support/unique';
import { waitFor } from '../support/wait-for';

jest.setTimeout(300_000);

const secret = 'faults-provider-sms-secret';

/**
 * Issue 5, the SMS provider misbehaving: down for a long while (a minute in the issue; OUTAGE_MS here keeps
 * the test bounded, the code path is the same), then answering 5xx, hanging past the client timeout,
 * garbage and 200-with-an-error-code. Every message is still sent once, and meanwhile an express email
 * goes out at once: one provider's trouble stalls nothing else.
 */
describe('SMS provider outage and faults', () => {
  const OUTAGE_MS = 20_000;
  let kafka: PrivateService;
  let sms: SmsSimulator;
  let smtp: SmtpSink;
  let stack: TestStack;
  const measured: Record<string, number> = {};

  beforeAll(async () => {
    sms = createSmsSimulator({ jwtSecret: secret });
    smtp = createSmtpSink();
    await Promise.all([sms.start(), smtp.start()]);
    kafka = await startPrivateKafka();
    stack = await startStack({
      roles: ['api', 'processors', 'senders', 'analytics', 'scheduler'],
      env: {
        KAFKA_BROKERS: kafka.url, SMS_API_URL: sms.url, SMS_API_TOKEN: createSmsApiToken(secret), SMTP_URL: smtp.url,
        // The client gives up on a hanging provider after 1 s; retries back off from 200 ms to 2 s.
        SMS_TIMEOUT_MS: '1000', RETRY_BASE_MS: '200', RETRY_MAX_MS: '2000',
        // Issue 5's promise is "retried until sent": a hang is an ambiguous call, which the SMS default
        // (fail, issue 14) would end `failed`; provider-ambiguous tests that default, this one the resend path.
        AMBIGUOUS_POLICY_SMS: 'resend', AMBIGUOUS_RESEND_DELAY_FACTOR: '2',
      },
    });
  });

  afterAll(async () => {
    await stopStackSafely(stack);
    await kafka?.remove();
    await killAllChildren();
    await sms?.stop();
    await smtp?.stop();
    console.log(`faults-provider measured: ${JSON.stringify(measured)}`);
  });

  it('a long outage: SMS wait and are then sent once each, while an express email goes out meanwhile', async () => {
    const audience = await loadAudience(stack, { tag: uniqueName('outage'), operatorCode: '971', otherOperatorCode: '972', count: 50, others: 5 });
    const template = await stack.api('POST', '/api/templates', {
      defaultLocale: 'en', variants: { en: { email: { subject: 'Code', text: 'Your code, {{name}}' } } },
    });
    const email = `${uniqueName('express')}@example.com`;
    const reader = await stack.api('POST', '/api/clients', { phone: '79710000999', email, name: 'Eve', timezone: 'UTC' });
    expect(reader.status).toBe(201);

    const outageStarted = Date.now();
    await sms.setFaults({ outage: { mode: 'unavailable', forMs: OUTAGE_MS } });
    const mailingId = await startMailing(stack, audience);
    const requested = await stack.api('POST', '/api/notifications', {
      templateId: template.body.id, userIds: [reader.body.id], contextJson: '{}', priority: 'express', channels: ['email'],
    });
    expect(requested.status).toBe(202);
    await waitFor(() => smtp.messagesTo(email).length > 0, { timeoutMs: 15_000, description: 'the express email during the SMS outage' });
    measured.expressEmailMs = Date.now() - outageStarted;
    // Still inside the outage: the email did not wait for SMS.
    expect(Date.now() - outageStarted).toBeLessThan(OUTAGE_MS);
    expect(acceptedCount(sms, mailingId, audience)).toBe(0);

    const stats = await waitForAllSent(stack, mailingId, 50, 120_000);
    measured.outageMailingDoneMs = Date.now() - outageStarted;
    expect(nonZero(stats.byStatus)).toEqual({ sent: 50 });
    expect(checkLedger(sms, mailingId, audience)).toEqual({ missing: 0, toOthers: 0, resentSameId: 0 });
  });

  it('5xx, hangs past the client timeout, garbage and error bodies: every message sent once, statistics exact', async () => {
    const audience = await loadAudience(stack, { tag: uniqueName('faulty'), operatorCode: '973', otherOperatorCode: '974', count: 60, others: 5 });
    await sms.setFaults({ outage: null, errorRate: 0.3, timeoutRate: 0.05, hangMs: 3_000, garbageRate: 0.05, bodyErrorRate: 0.05, seed: 11 });
    const began = Date.now();
    try {
      const mailingId = await startMailing(stack, audience);
      const stats = await waitForAllSent(stack, mailingId, 60, 180_000);
      measured.faultyMailingDoneMs = Date.now() - began;
      expect(nonZero(stats.byStatus)).toEqual({ sent: 60 });
      const ledger = checkLedger(sms, mailingId, audience);
      measured.faultyResentSameId = ledger.resentSameId;
      expect({ missing: ledger.missing, toOthers: ledger.toOthers }).toEqual({ missing: 0, toOthers: 0 });
      // A hang the client gave up on may still have been accepted; its retry carries the same id.
      expect(ledger.resentSameId).toBeLessThanOrEqual(Math.ceil(60 * 0.05 * 3));
      const outcomes = sms.stats().outcomes;
      for (const fault of ['server-error', 'garbage', 'body-error'] as const) expect(outcomes[fault]).toBeGreaterThan(0);
    } finally {
      await sms.setFaults({ errorRate: 0, timeoutRate: 0, garbageRate: 0, bodyErrorRate: 0 });
    }
  });
});
