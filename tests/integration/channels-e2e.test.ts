import { createPushSimulator, type PushSimulator } from '../../simulators/push';
import { createSmtpSink, type SmtpSink } from '../../simulators/smtp';
import { startStack, type TestStack } from '../support/stack';
import { uniqueName } from '../support/unique';
import { waitFor } from '../support/wait-for';
import { createTestClient } from '../support/clients';

/** Push with fallback to email, and the welcome email's one-time link, through every wired role. */
describe('push, email and links end to end', () => {
  let push: PushSimulator;
  let smtp: SmtpSink;
  let stack: TestStack;
  let templateId: string;

  beforeAll(async () => {
    push = createPushSimulator({ project: 'e2e', accessToken: 'e2e-push-token' });
    smtp = createSmtpSink();
    await push.start();
    await smtp.start();
    stack = await startStack({
      roles: ['api', 'processors', 'senders', 'analytics', 'scheduler'],
      env: { PUSH_API_URL: push.url, PUSH_PROJECT_ID: 'e2e', PUSH_API_TOKEN: 'e2e-push-token', SMTP_URL: smtp.url },
    });
    const template = await stack.api('POST', '/api/templates', {
      defaultLocale: 'en',
      variants: { en: { push: { title: 'New episode', body: '{{series}} is back' }, email: { subject: 'New episode', text: '{{series}} is back, {{name}}' } } },
    });
    templateId = template.body.id;
  });

  afterAll(async () => {
    await stack?.stop();
    await push?.stop();
    await smtp?.stop();
  });

  const client = (fields: Record<string, unknown>) => createTestClient(stack, fields);

  it('pushes to a device, and falls back to email when every token is rejected', async () => {
    const goodToken = uniqueName('device');
    const deadToken = uniqueName('dead-device');
    await push.setInvalidTokens([deadToken]);
    const email = `${uniqueName('fallback')}@example.com`;
    const onDevice = await client({ name: 'Ann', deviceTokens: [goodToken], email: `${uniqueName('ann')}@example.com` });
    const gone = await client({ name: 'Bob', deviceTokens: [deadToken], email });

    const accepted = await stack.api('POST', '/api/notifications', {
      templateId, userIds: [onDevice, gone], contextJson: JSON.stringify({ series: 'Dark' }),
    });
    expect(accepted.status).toBe(202);

    await waitFor(() => push.messages(goodToken).length > 0, { timeoutMs: 30_000, description: 'the push to the good device' });
    const [mail] = await waitFor(() => (smtp.messagesTo(email).length > 0 ? smtp.messagesTo(email) : null), {
      timeoutMs: 30_000, description: 'the fallback email',
    });
    // The same message falls back: the push's title and body as the email's subject and text.
    expect(mail!.subject).toBe('New episode');
    expect(mail!.text).toContain('Dark is back');
    // The rejected token is removed from the client, so it is not tried again.
    await waitFor(async () => (await stack.api('GET', `/api/clients/${gone}`)).body.deviceTokens.length === 0, {
      timeoutMs: 15_000, description: 'the dead token removed',
    });
    const byChannel = await waitFor(async () => {
      const body = (await stack.api('GET', `/api/stats/channels?sourceType=notification&sourceId=${accepted.body.id}`)).body;
      const rows: { channel: string; byStatus: Record<string, number> }[] = body.items ?? body;
      const pushRow = rows.find((r) => r.channel === 'push');
      const emailRow = rows.find((r) => r.channel === 'email');
      return pushRow?.byStatus.sent === 1 && pushRow.byStatus.fallback === 1 && emailRow?.byStatus.sent === 1 ? rows : null;
    }, { timeoutMs: 30_000, description: 'push sent 1, fallback 1; email sent 1' });
    expect(byChannel.length).toBe(2);
  });

  it('sends the welcome email with a link that works once', async () => {
    const email = `${uniqueName('welcome')}@example.com`;
    const userId = await client({ name: 'Cleo', email });
    const published = await stack.api('POST', '/api/events/user-registered', { userId, email, name: 'Cleo', locale: 'en' });
    expect(published.status).toBe(202);
    const [mail] = await waitFor(() => (smtp.messagesTo(email).length > 0 ? smtp.messagesTo(email) : null), {
      timeoutMs: 30_000, description: 'the welcome email',
    });
    expect(mail!.text).toContain('Cleo');
    const link = /http:\/\/[^\s"]+\/l\/[A-Za-z0-9_-]+/.exec(mail!.text)?.[0];
    expect(link).toBeDefined();
    const path = new URL(link!).pathname;
    const first = await fetch(`${stack.apiUrl}${path}`, { redirect: 'manual' });
    expect(first.status).toBe(302);
    const second = await fetch(`${stack.apiUrl}${path}`, { redirect: 'manual' });
    expect(second.status).toBe(410);
    expect(await second.text()).toMatch(/already used/i);
    await waitFor(async () => (await stack.api('GET', `/api/clients/${userId}`)).body.emailConfirmed === true, {
      timeoutMs: 10_000, description: 'the email marked confirmed',
    });
  });
});
