import { deliveryIdOf } from '../../platform/ids';
import { smsMessageId } from '../../senders/sms/message';
import { createSmsSimulator, type SmsSimulator } from '../../simulators/sms';
import { createSmsApiToken } from '../../simulators/sms/token';
import { startStack, type TestStack } from '../support/stack';
import { uniqueName } from '../support/unique';
import { waitFor } from '../support/wait-for';
import { createTestClient } from '../support/clients';

const smsIdOf = (requestId: string, clientId: string) => smsMessageId(deliveryIdOf('notification', requestId, clientId, 'sms'));

/** The single window (POST /api/notifications) end to end over the SMS channel. */
describe('notification requests end to end', () => {
  const secret = 'e2e-notify-secret';
  let sms: SmsSimulator;
  let stack: TestStack;
  let templateId: string;

  beforeAll(async () => {
    sms = createSmsSimulator({ jwtSecret: secret });
    await sms.start();
    stack = await startStack({
      roles: ['api', 'processors', 'senders', 'analytics', 'scheduler'],
      env: { SMS_API_URL: sms.url, SMS_API_TOKEN: createSmsApiToken(secret) },
    });
    const template = await stack.api('POST', '/api/templates', {
      defaultLocale: 'en',
      variants: { en: { sms: '{{name}}, {{film}} is out' }, ru: { sms: '{{name}}, вышел {{film}}' } },
    });
    expect(template.status).toBe(201);
    templateId = template.body.id;
  });

  afterAll(async () => {
    await stack?.stop();
    await sms?.stop();
  });

  const client = (fields: Record<string, unknown>) => createTestClient(stack, fields);

  it('renders per locale for listed users and a segment, and respects promo opt-out', async () => {
    const segment = uniqueName('segment');
    const listed = await client({ name: 'Ann', locale: 'en' });
    const inSegment = await client({ name: 'Иван', locale: 'ru', tags: [segment] });
    const optedOut = await client({ name: 'Bob', tags: [segment], preferences: { promo: false } });
    const accepted = await stack.api('POST', '/api/notifications', {
      templateId, userIds: [listed], segmentTags: [segment], contextJson: JSON.stringify({ film: 'Solaris' }),
      promo: true, channels: ['sms'],
    });
    expect(accepted.status).toBe(202);
    const requestId: string = accepted.body.id;
    const ann = await waitFor(() => sms.message(smsIdOf(requestId, listed)), { timeoutMs: 30_000, description: "Ann's SMS" });
    const ivan = await waitFor(() => sms.message(smsIdOf(requestId, inSegment)), { timeoutMs: 30_000, description: "Ivan's SMS" });
    expect(ann.text).toBe('Ann, Solaris is out');
    expect(ivan.text).toBe('Иван, вышел Solaris');
    const stats = await waitFor(async () => {
      const byChannel = (await stack.api('GET', `/api/stats/channels?sourceType=notification&sourceId=${requestId}`)).body;
      const row = (byChannel.items ?? byChannel).find?.((r: { channel: string }) => r.channel === 'sms');
      return row?.byStatus?.sent === 2 && row?.byStatus?.suppressed === 1 ? row : null;
    }, { timeoutMs: 30_000, description: 'two sent and one suppressed by channel' });
    expect(stats.byStatus.failed).toBe(0);
    expect(sms.message(smsIdOf(requestId, optedOut))).toBeUndefined();
  });

  it('repeats a recurring request on its schedule, each occurrence once', async () => {
    const recipient = await client({ name: 'Cleo' });
    const from = Date.now();
    const accepted = await stack.api('POST', '/api/notifications', {
      templateId, userIds: [recipient], contextJson: JSON.stringify({ film: 'Stalker' }), channels: ['sms'],
      recurrence: { cron: '*/2 * * * * *', timezone: 'UTC' }, expiresAt: from + 60_000,
    });
    expect(accepted.status).toBe(202);
    // Occurrence ids are "<request>@<fire time>": the SMS of each even second after the request.
    const occurrenceSms = () => {
      const fireTimes = Array.from({ length: 40 }, (_, i) => Math.ceil(from / 2000) * 2000 + i * 2000);
      return fireTimes.flatMap((fireAt) => {
        const message = sms.message(smsIdOf(`${accepted.body.id}@${fireAt}`, recipient));
        return message ? [{ fireAt, ...message }] : [];
      });
    };
    const fired = await waitFor(() => (occurrenceSms().length >= 3 ? occurrenceSms() : null), {
      timeoutMs: 30_000, description: 'three occurrences of the recurring request',
    });
    for (const message of fired) {
      expect(message.accepted).toBe(1);
      expect(message.text).toBe('Cleo, Stalker is out');
    }
    // Distinct fire times two seconds apart, each sent at or after its time.
    for (const message of fired) expect(message.firstAcceptedAt).toBeGreaterThanOrEqual(message.fireAt);

    expect((await stack.api('DELETE', `/api/notifications/${accepted.body.id}`)).status).toBe(204);
    const cancelledAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 5000)); // two more fire times pass: none may send
    // An occurrence whose time had come before the cancel may still arrive; none due after it may.
    const late = occurrenceSms().filter((m) => m.fireAt > cancelledAt + 500);
    expect(late).toEqual([]);
  });
});
