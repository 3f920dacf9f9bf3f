import { randomUUID } from 'node:crypto';
import { deliveryIdOf } from '../../platform/ids';
import type { DeliveryCommand } from '../../schemas/types';
import { createEmailChannel, type EmailChannel } from '../../senders/email/channel';
import { messageIdOf } from '../../senders/email/message';
import { createSmtpSink, type SmtpSink } from '../../simulators/smtp';

jest.setTimeout(30_000);

const FROM = 'Vestnik <noreply@vestnik.test>';
let sink: SmtpSink;
let email: EmailChannel;

beforeAll(async () => {
  sink = createSmtpSink({ port: 0 });
  await sink.start();
  // The breaker would turn the third failure in a row into CIRCUIT_OPEN; these tests look at SMTP itself.
  email = createEmailChannel({ smtpUrl: sink.url, from: FROM, pool: true, maxConnections: 2, timeoutMs: 2_000, consecutiveFailures: 100 });
});

afterAll(async () => {
  await email?.close();
  await sink?.stop();
});

afterEach(() => sink.clearFaults());

const command = (address: string, overrides: Partial<DeliveryCommand> = {}): DeliveryCommand => {
  const sourceId = `n-${randomUUID()}`;
  return {
    deliveryId: deliveryIdOf('notification', sourceId, 'client-1', 'email'), sourceType: 'notification', sourceId,
    clientId: 'client-1', channel: 'email', priority: 'express', address, deviceTokens: [], fallback: null, promo: false,
    content: {
      subject: 'Новая серия', text: 'Hello Ann, episode 3 is out', html: '<p>Hello <b>Ann</b></p>', title: null,
      headers: { 'List-Unsubscribe': '<https://vestnik.test/unsubscribe/abc>' },
    },
    timezone: 'UTC', sendWindow: null, notBefore: null, expiresAt: null, attempt: 0, createdAt: Date.now(), ...overrides,
  };
};

describe('email channel over SMTP to a real server on loopback', () => {
  it('sends: the server receives headers, body and the Message-ID derived from the delivery id', async () => {
    const c = command(`ann-${randomUUID()}@example.test`);
    const result = await email.deliver(c);
    expect(result).toEqual({ kind: 'sent', provider: 'smtp', providerMessageId: messageIdOf(c.deliveryId, FROM) });
    const [received, ...more] = sink.messagesTo(c.address);
    expect(more).toHaveLength(0);
    expect(received).toMatchObject({
      subject: 'Новая серия', messageId: `<${c.deliveryId}@vestnik.test>`, envelopeFrom: 'noreply@vestnik.test',
    });
    expect(received!.text.trim()).toBe('Hello Ann, episode 3 is out');
    expect(received!.html).toContain('<b>Ann</b>');
    expect(received!.headers['list-unsubscribe']).toBe('<https://vestnik.test/unsubscribe/abc>');
  });

  it('a retry of the same delivery carries the same Message-ID', async () => {
    const c = command(`bob-${randomUUID()}@example.test`);
    await email.deliver(c);
    await email.deliver({ ...c, attempt: 1 });
    const ids = sink.messagesTo(c.address).map((m) => m.messageId);
    expect(ids).toEqual([`<${c.deliveryId}@vestnik.test>`, `<${c.deliveryId}@vestnik.test>`]);
  });

  it('550 mailbox unavailable → permanent, nothing stored', async () => {
    const c = command(`gone-${randomUUID()}@example.test`);
    sink.rejectRecipient(c.address);
    expect(await email.deliver(c)).toMatchObject({ kind: 'permanent', code: 'PROVIDER_REJECTED', reason: expect.stringContaining('550') });
    expect(sink.messagesTo(c.address)).toHaveLength(0);
  });

  it('451 try again later → retriable; once the server recovers the same command is sent', async () => {
    const c = command(`later-${randomUUID()}@example.test`);
    sink.deferAll(60_000);
    expect(await email.deliver(c)).toMatchObject({ kind: 'retriable', code: 'PROVIDER_UNAVAILABLE', reason: expect.stringContaining('451') });
    sink.clearFaults();
    expect((await email.deliver({ ...c, attempt: 1 })).kind).toBe('sent');
    expect(sink.messagesTo(c.address)).toHaveLength(1);
  });

  it('server down (connection refused) → retriable', async () => {
    const down = createSmtpSink({ port: 0 });
    await down.start();
    const url = down.url;
    await down.stop();
    const channel = createEmailChannel({ smtpUrl: url, from: FROM, pool: true, maxConnections: 1, timeoutMs: 2_000 });
    try {
      expect(await channel.deliver(command(`x-${randomUUID()}@example.test`))).toMatchObject({ kind: 'retriable', code: 'PROVIDER_UNAVAILABLE' });
    } finally {
      await channel.close();
    }
  });

  it('server silent past the timeout → retriable', async () => {
    const net = await import('node:net');
    const open = new Set<import('node:net').Socket>();
    const silent = net.createServer((socket) => void open.add(socket)); // accepts, never greets
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as import('node:net').AddressInfo;
    const channel = createEmailChannel({ smtpUrl: `smtp://127.0.0.1:${port}`, from: FROM, pool: false, timeoutMs: 300 });
    try {
      expect(await channel.deliver(command(`y-${randomUUID()}@example.test`))).toMatchObject({ kind: 'retriable' });
    } finally {
      await channel.close();
      for (const socket of open) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
