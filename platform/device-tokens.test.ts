import type { Client } from '../schemas/types';
import { withoutTokens } from './device-tokens';

const client = (deviceTokens: string[]): Client => ({
  id: 'c-1', phone: '79001234567', operatorCode: '900', tags: [], timezone: 'Europe/Moscow', email: null, emailConfirmed: false,
  name: null, locale: 'ru', deviceTokens, preferences: { promo: true, channels: {}, quietHours: null }, subscriptions: [], updatedAt: 5,
});

describe('withoutTokens', () => {
  it('removes the given tokens and keeps the others in order', () => {
    expect(withoutTokens(client(['a', 'b', 'c', 'd']), ['b', 'd']).deviceTokens).toEqual(['a', 'c']);
  });

  it('removes every copy of a token', () => {
    expect(withoutTokens(client(['a', 'b', 'a']), ['a']).deviceTokens).toEqual(['b']);
  });

  it('leaves the rest of the client as it was, and does not touch the input', () => {
    const original = client(['a', 'b']);
    const changed = withoutTokens(original, ['a']);
    expect(changed).toEqual({ ...original, deviceTokens: ['b'] });
    expect(original.deviceTokens).toEqual(['a', 'b']);
  });

  it('returns the same client when none of the tokens is on it, so the caller can skip the write', () => {
    const original = client(['a']);
    expect(withoutTokens(original, ['x', 'y'])).toBe(original);
    expect(withoutTokens(original, [])).toBe(original);
  });

  it('can remove every token', () => {
    expect(withoutTokens(client(['a', 'b']), ['b', 'a']).deviceTokens).toEqual([]);
  });
});
