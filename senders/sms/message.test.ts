import type { DeliveryCommand } from '../../schemas/types';
import { smsMessageId, toSmsRequest } from './message';

const command = (overrides: Partial<DeliveryCommand> = {}): DeliveryCommand => ({
  deliveryId: '0b6e1f5e-6a2c-5d3e-9c1a-2f0f7a1d9e10', sourceType: 'mailing', sourceId: 'm-1', clientId: 'c-1', channel: 'sms',
  priority: 'bulk', address: '79001234567', deviceTokens: [],
  content: { text: 'Привет!', subject: null, html: null, title: null, headers: {} }, fallback: null, promo: false,
  timezone: 'Europe/Moscow', sendWindow: null, notBefore: null, expiresAt: null, attempt: 1, createdAt: 0, ...overrides,
});

describe('smsMessageId', () => {
  it('is stable for a delivery and differs between deliveries', () => {
    expect(smsMessageId('d-1')).toBe(smsMessageId('d-1'));
    expect(smsMessageId('d-1')).not.toBe(smsMessageId('d-2'));
  });
  it('matches the documented derivation (first 52 bits of SHA-256, plus one)', () => {
    // sha256("d-1") starts with 0741a320e613b...; pinning it keeps ids stable across releases.
    expect(smsMessageId('d-1')).toBe(Number.parseInt('0741a320e613b', 16) + 1);
  });
  it('is a positive safe integer across many ids', () => {
    const ids = new Set<number>();
    for (let i = 0; i < 10_000; i++) {
      const id = smsMessageId(`delivery-${i}`);
      expect(Number.isSafeInteger(id) && id >= 1 && id <= 2 ** 52).toBe(true);
      ids.add(id);
    }
    expect(ids.size).toBe(10_000);
  });
});

describe('toSmsRequest', () => {
  it('builds the provider body with the numeric phone and the stable id', () => {
    const request = toSmsRequest(command());
    const msgId = smsMessageId('0b6e1f5e-6a2c-5d3e-9c1a-2f0f7a1d9e10');
    expect(request).toEqual({ ok: true, msgId, body: { id: msgId, phone: 79001234567, text: 'Привет!' } });
  });
  it.each(['+7 (900) 123-45-67', '+79001234567'])('accepts the formatted number %j', (address) => {
    expect(toSmsRequest(command({ address }))).toMatchObject({ ok: true, body: { phone: 79001234567 } });
  });
  it.each([
    ['a short number', { address: '12345' }, 'VALIDATION_FAILED'],
    ['letters', { address: '7900abc4567' }, 'VALIDATION_FAILED'],
    ['an email address', { address: 'a@b.c' }, 'VALIDATION_FAILED'],
    ['empty text', { content: { text: '  ', subject: null, html: null, title: null, headers: {} } }, 'VALIDATION_FAILED'],
    ['another channel', { channel: 'email' as const }, 'VALIDATION_FAILED'],
  ])('%s is a permanent failure without a provider call', (_name, overrides, code) => {
    const request = toSmsRequest(command(overrides));
    expect(request).toMatchObject({ ok: false, result: { kind: 'permanent', code } });
    if (!request.ok) expect(request.result.kind === 'permanent' && request.result.reason).not.toContain('a@b.c');
  });
});
