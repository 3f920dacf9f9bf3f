import type { DeliveryCommand } from '../../schemas/types';
import { messageIdOf, toEmailMessage } from './message';

const FROM = 'Vestnik <noreply@vestnik.example>';
const command = (overrides: Partial<DeliveryCommand> = {}): DeliveryCommand => ({
  deliveryId: '0b7d3c3e-2f7a-5a8e-9a61-1c1d7a9d4f10', sourceType: 'welcome', sourceId: 'e-1', clientId: 'u-1', channel: 'email',
  priority: 'express', address: 'ann@example.test', deviceTokens: [], fallback: null, promo: false, timezone: 'UTC',
  content: { text: 'Hello Ann', subject: 'Welcome', html: '<p>Hello Ann</p>', title: null, headers: { 'List-Unsubscribe': '<https://x.test/u>' } },
  sendWindow: null, notBefore: null, expiresAt: null, attempt: 0, createdAt: 1, ...overrides,
});

describe('messageIdOf', () => {
  it('is derived from the delivery id and the sender domain, stable across attempts', () => {
    expect(messageIdOf('abc', FROM)).toBe('<abc@vestnik.example>');
    expect(messageIdOf('abc', 'plain@Mail.Example')).toBe('<abc@mail.example>');
    expect(messageIdOf('abc', 'no-domain')).toBe('<abc@vestnik.invalid>');
  });
});

describe('toEmailMessage', () => {
  it('maps address, subject, text, html, headers and the Message-ID', () => {
    const built = toEmailMessage(command(), FROM);
    const retry = toEmailMessage(command({ attempt: 3 }), FROM);
    expect(built).toEqual({
      ok: true,
      message: {
        from: FROM, to: 'ann@example.test', subject: 'Welcome', text: 'Hello Ann', html: '<p>Hello Ann</p>',
        headers: { 'List-Unsubscribe': '<https://x.test/u>' }, messageId: '<0b7d3c3e-2f7a-5a8e-9a61-1c1d7a9d4f10@vestnik.example>',
      },
    });
    expect(retry.ok && retry.message.messageId).toBe(built.ok && built.message.messageId);
  });

  it('drops headers the transport owns', () => {
    const built = toEmailMessage(command({ content: { ...command().content, headers: { From: 'evil@x', 'X-Tag': 'a' } } }), FROM);
    expect(built.ok && built.message.headers).toEqual({ 'X-Tag': 'a' });
  });

  it('refuses a command that is not an email address or has no body, permanently', () => {
    expect(toEmailMessage(command({ address: '+79001234567' }), FROM)).toMatchObject({ ok: false, result: { kind: 'permanent' } });
    expect(toEmailMessage(command({ content: { ...command().content, text: '', html: null } }), FROM)).toMatchObject({ ok: false, result: { kind: 'permanent' } });
  });
});
