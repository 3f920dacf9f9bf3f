import type { Client } from '../../schemas/types';
import { addressOf, suppressionReason } from './suppression';

const client = (over: Partial<Client> = {}): Client => ({
  id: 'c1', phone: '79001234567', operatorCode: '900', tags: [], timezone: 'UTC', email: 'a@example.test', emailConfirmed: true,
  name: 'Ann', locale: 'en', deviceTokens: ['tok'], preferences: { promo: true, channels: {}, quietHours: null }, subscriptions: [],
  updatedAt: 1, ...over,
});

describe('addressOf', () => {
  it.each([
    ['sms', client(), '79001234567'],
    ['sms', client({ phone: '' }), null], // a user created from a registration has no phone yet
    ['email', client(), 'a@example.test'],
    ['email', client({ email: null }), null],
    ['push', client(), 'c1'],
    ['push', client({ deviceTokens: [] }), null],
    ['inapp', client({ deviceTokens: [], email: null, phone: '' }), 'c1'],
    ['webhook', client({ deviceTokens: [], email: null, phone: '' }), 'c1'],
  ] as const)('%s of %#', (channel, c, expected) => {
    expect(addressOf(channel, c)).toBe(expected);
  });
});

describe('suppressionReason: one rule for every flow', () => {
  it.each([
    [{ promo: true, channel: 'email' as const }, client({ preferences: { promo: false, channels: {}, quietHours: null } }), 'promo opt-out'],
    [{ promo: false, channel: 'email' as const }, client({ preferences: { promo: false, channels: {}, quietHours: null } }), null],
    [{ promo: false, channel: 'sms' as const }, client({ preferences: { promo: true, channels: { sms: false }, quietHours: null } }), 'sms opt-out'],
    [{ promo: false, channel: 'sms' as const }, client({ phone: '' }), 'no sms address'],
    [{ promo: false, channel: 'push' as const }, client({ deviceTokens: [] }), 'no push address'],
    [{ promo: true, channel: 'inapp' as const }, client(), null],
    [{ promo: false, channel: 'webhook' as const }, client({ preferences: { promo: true, channels: { webhook: false }, quietHours: null } }), 'webhook opt-out'],
  ])('%#: %j → %s', (message, c, expected) => {
    expect(suppressionReason(message, c)).toBe(expected);
  });

  it('checks promo before the channel, so the reason names the person\'s broader choice', () => {
    const both = client({ preferences: { promo: false, channels: { email: false }, quietHours: null } });
    expect(suppressionReason({ promo: true, channel: 'email' }, both)).toBe('promo opt-out');
  });
});
