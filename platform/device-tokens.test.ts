import type { Client } from '../schemas/types';
import { dropTokens, removeDeviceTokens, withoutTokens } from './device-tokens';

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

describe('dropTokens (the field-level change the push sender applies under the store lock)', () => {
  const now = () => 99;

  it('drops the tokens from the record it is given, keeping every other field of that record', () => {
    // The record as it is at write time: an opt-out landed after the sender first looked.
    const current = { ...client(['a', 'b']), preferences: { promo: false, channels: { push: false }, quietHours: null } };
    expect(dropTokens(['a'], now)(current)).toEqual({ ...current, deviceTokens: ['b'], updatedAt: 99 });
  });

  it('writes nothing when the client is gone or holds none of the tokens', () => {
    expect(dropTokens(['a'], now)(null)).toBeUndefined();
    expect(dropTokens(['x'], now)(client(['a']))).toBeUndefined();
  });

  it('removeDeviceTokens goes through update, never put', async () => {
    const calls: string[] = [];
    let stored = client(['a', 'b']);
    const store = {
      update: async (id: string, change: (c: Client | null) => Client | null | undefined) => {
        calls.push(id);
        const next = change(stored);
        if (next) stored = next;
        return { value: stored, etag: null, written: next !== undefined };
      },
    };
    expect(await removeDeviceTokens(store, 'c-1', ['a'], now)).toBe(true);
    expect(await removeDeviceTokens(store, 'c-1', ['a'], now)).toBe(false);
    expect(calls).toEqual(['c-1', 'c-1']);
    expect(stored.deviceTokens).toEqual(['b']);
  });
});
