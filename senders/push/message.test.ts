import type { DeliveryCommand } from '../../schemas/types';
import { fcmSendPath, toFcmSendBody, toPushRequests } from './message';

const command = (overrides: Partial<DeliveryCommand> = {}): DeliveryCommand => ({
  deliveryId: 'd-1', sourceType: 'notification', sourceId: 'n-1', clientId: 'c-1', channel: 'push', priority: 'express',
  address: '', deviceTokens: ['tok-aaaaaaaa', 'tok-bbbbbbbb'],
  content: { text: 'Новая серия', subject: null, html: null, title: 'Сериал', headers: {} }, fallback: null, promo: false,
  timezone: 'Europe/Moscow', sendWindow: null, notBefore: null, expiresAt: null, attempt: 0, createdAt: 0, ...overrides,
});

describe('toPushRequests', () => {
  it('one request per distinct token, in order', () => {
    expect(toPushRequests(command({ deviceTokens: ['b-token', 'a-token', 'b-token', ''] }))).toEqual({ ok: true, tokens: ['b-token', 'a-token'] });
  });
  it.each([
    ['no tokens', { deviceTokens: [] }],
    ['only blank tokens', { deviceTokens: ['', '  '] }],
    ['empty text', { content: { text: ' ', subject: null, html: null, title: 't', headers: {} } }],
    ['another channel', { channel: 'sms' as const }],
  ])('%s is a permanent failure without a provider call', (_name, overrides) => {
    expect(toPushRequests(command(overrides))).toMatchObject({ ok: false, result: { kind: 'permanent', code: 'VALIDATION_FAILED' } });
  });
});

describe('toFcmSendBody', () => {
  it('puts the title and text in the notification and the delivery id in data', () => {
    expect(toFcmSendBody(command(), 'tok-aaaaaaaa')).toEqual({
      message: { token: 'tok-aaaaaaaa', notification: { title: 'Сериал', body: 'Новая серия' }, data: { deliveryId: 'd-1' } },
    });
  });
  it('sends an empty title when the content has none', () => {
    const content = { text: 'hi', subject: null, html: null, title: null, headers: {} };
    expect(toFcmSendBody(command({ content }), 't').message.notification).toEqual({ title: '', body: 'hi' });
  });
});

describe('fcmSendPath', () => {
  it('is the v1 messages:send path under the prefix, with the project escaped', () => {
    expect(fcmSendPath('', 'vestnik-dev')).toBe('/v1/projects/vestnik-dev/messages:send');
    expect(fcmSendPath('/fcm', 'a b')).toBe('/fcm/v1/projects/a%20b/messages:send');
  });
});
