import type { Client, UserRegistered } from '../../schemas/types';
import { decideWelcomeClient } from './decide';

const NOW = 1_800_000_000_000;

const event = (over: Partial<UserRegistered> = {}): UserRegistered => ({
  eventId: 'evt-1', occurredAt: NOW - 5, userId: 'u-1', email: 'ann@example.com', name: 'Ann', locale: 'ru',
  timezone: 'Europe/Moscow', ...over,
});

const existing = (over: Partial<Client> = {}): Client => ({
  id: 'u-1', phone: '79001234567', operatorCode: '900', tags: ['vip'], timezone: 'Asia/Tokyo', email: 'old@example.com',
  emailConfirmed: true, name: 'Anna K', locale: 'en', deviceTokens: ['t1'],
  preferences: { promo: false, channels: { sms: false }, quietHours: null }, subscriptions: ['s1'], updatedAt: 1, ...over,
});

describe('decideWelcomeClient', () => {
  it('a user with no client: a new client from the event (no phone, unconfirmed email, default preferences)', () => {
    expect(decideWelcomeClient(event(), null, NOW)).toEqual({
      id: 'u-1', phone: '', operatorCode: '', tags: [], timezone: 'Europe/Moscow', email: 'ann@example.com',
      emailConfirmed: false, name: 'Ann', locale: 'ru', deviceTokens: [],
      preferences: { promo: true, channels: {}, quietHours: null }, subscriptions: [], updatedAt: NOW,
    });
  });

  it('no time zone in the event: UTC', () => {
    expect(decideWelcomeClient(event({ timezone: null }), null, NOW)?.timezone).toBe('UTC');
  });

  it.each([
    { name: 'a complete client', client: existing(), expected: null },
    { name: 'a client with another email and name: kept as they are', client: existing({ email: 'x@example.com', name: 'X' }), expected: null },
    {
      name: 'a client without an email: the event\'s, unconfirmed; nothing else changes',
      client: existing({ email: null, emailConfirmed: false }),
      expected: existing({ email: 'ann@example.com', emailConfirmed: false, updatedAt: NOW }),
    },
    {
      name: 'a client without a name: the event\'s; the confirmed email stays confirmed',
      client: existing({ name: null }),
      expected: existing({ name: 'Ann', updatedAt: NOW }),
    },
  ])('$name', ({ client, expected }) => {
    expect(decideWelcomeClient(event(), client, NOW)).toEqual(expected);
  });

  it('is idempotent: the replayed registration, against the record it created, writes nothing', () => {
    const created = decideWelcomeClient(event(), null, NOW);
    expect(decideWelcomeClient(event(), created, NOW + 1000)).toBeNull();
    expect(decideWelcomeClient(event(), { ...created!, emailConfirmed: true }, NOW + 1000)).toBeNull();
  });
});
