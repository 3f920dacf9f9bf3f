/**
 * Two SMTP relays (SMTP_URL, then SMTP_SECONDARY_URL): with the first refusing connections, the second
 * delivers every email of a notification, each once, and the statuses name it. With the first taking each
 * message and closing before its reply, nothing goes to the second: the call is ambiguous, and under
 * AMBIGUOUS_POLICY_EMAIL=fail the delivery fails saying so.
 */
import { createSmtpSink, type SmtpSink } from '../../simulators/smtp';
import { createTestClient } from '../support/clients';
import { startStack, type TestStack } from '../support/stack';
import { uniqueName } from '../support/unique';
import { waitFor } from '../support/wait-for';

/** Two SMTP sinks as the first and second relay (`prepare` sets the first's fault) and a stack sending to them. */
async function startRelays(env: Record<string, string> = {}, prepare: (primary: SmtpSink) => void = () => undefined) {
  const [primary, secondary] = [createSmtpSink(), createSmtpSink()];
  await Promise.all([primary.start(), secondary.start()]);
  prepare(primary);
  const stack = await startStack({
    roles: ['api', 'processors', 'senders', 'analytics'],
    env: { SMTP_URL: primary.url, SMTP_SECONDARY_URL: secondary.url, RETRY_BASE_MS: '200', RETRY_MAX_MS: '2000', ...env },
  });
  return { primary, secondary, stack };
}

describe('a primary and a secondary SMTP relay', () => {
  let primary: SmtpSink;
  let secondary: SmtpSink;
  let stack: TestStack;

  beforeAll(async () => {
    ({ primary, secondary, stack } = await startRelays());
  });

  afterAll(async () => {
    await stack?.stop();
    await secondary?.stop();
  });

  it('with the first relay down, the second delivers each email once, and the statuses name it', async () => {
    await primary.stop(); // connections to it are refused from now on
    const run = uniqueName('relay');
    const emails = Array.from({ length: 5 }, (_, i) => `${run}-${i}@example.test`);
    const clients = await Promise.all(emails.map((email) => createTestClient(stack, { email, name: 'Eve' })));
    const template = await stack.api('POST', '/api/templates', { defaultLocale: 'en', variants: { en: { email: { subject: 'Hi', text: 'Hello {{name}}' } } } });
    const requested = await stack.api('POST', '/api/notifications', {
      templateId: template.body.id, userIds: clients, contextJson: '{}', priority: 'express', channels: ['email'],
    });
    expect(requested.status).toBe(202);
    await waitFor(() => emails.every((email) => secondary.messagesTo(email).length > 0), { timeoutMs: 30_000, description: 'every email at the second relay' });
    for (const email of emails) expect(secondary.messagesTo(email)).toHaveLength(1);
    const sentVia = await waitFor(async () => {
      const log = await stack.api('GET', `/api/clients/${clients[0]}/deliveries?limit=5`);
      const delivery = (log.body.items as { status: string; history: { status: string; provider: string | null }[] }[])[0];
      return delivery?.status === 'sent' ? delivery.history.find((change) => change.status === 'sent')?.provider : null;
    }, { timeoutMs: 30_000, description: 'the sent status in the delivery log' });
    expect(sentVia).toBe('smtp-secondary');
  });
});

describe('a relay that takes the message and closes before its reply', () => {
  let primary: SmtpSink;
  let secondary: SmtpSink;
  let stack: TestStack;

  beforeAll(async () => {
    ({ primary, secondary, stack } = await startRelays({ AMBIGUOUS_POLICY_EMAIL: 'fail' }, (first) => first.closeBeforeReply()));
  });

  afterAll(async () => {
    await stack?.stop();
    await Promise.all([primary?.stop(), secondary?.stop()]);
  });

  it('is not sent again through the second relay, and the delivery fails as ambiguous', async () => {
    const email = `${uniqueName('lost-reply')}@example.test`;
    const client = await createTestClient(stack, { email, name: 'Ann' });
    const template = await stack.api('POST', '/api/templates', { defaultLocale: 'en', variants: { en: { email: { subject: 'Hi', text: 'Hello {{name}}' } } } });
    const requested = await stack.api('POST', '/api/notifications', {
      templateId: template.body.id, userIds: [client], contextJson: '{}', priority: 'express', channels: ['email'],
    });
    expect(requested.status).toBe(202);
    const failed = await waitFor(async () => {
      const log = await stack.api('GET', `/api/clients/${client}/deliveries?limit=5`);
      const delivery = (log.body.items as { status: string; reason: string | null; history: { status: string; provider: string | null }[] }[])[0];
      return delivery?.status === 'failed' ? delivery : null;
    }, { timeoutMs: 30_000, description: 'the failed status in the delivery log' });
    expect(failed.reason).toMatch(/^ambiguous: .*connection closed during the session/);
    expect(failed.history.find((change) => change.status === 'failed')?.provider).toBe('smtp');
    // The first relay has it, once; the second was never asked.
    expect(primary.messagesTo(email)).toHaveLength(1);
    expect(secondary.messages()).toHaveLength(0);
  });
});
