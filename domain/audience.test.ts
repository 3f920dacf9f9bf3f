import { candidateSets, isFirstSetOf, matchesFilter } from './audience';
import type { Client, MailingFilter } from '../schemas/types';

const client = (over: Partial<Client> = {}): Client => ({
  id: 'c1', phone: '79001234567', operatorCode: '900', tags: [], timezone: 'Europe/Moscow', email: null,
  emailConfirmed: false, name: 'Ann', locale: 'en', deviceTokens: [],
  preferences: { promo: true, channels: {}, quietHours: null }, subscriptions: [], updatedAt: 1, ...over,
});
const f = (operatorCodes: string[], tags: string[]): MailingFilter => ({ operatorCodes, tags });

describe('candidateSets', () => {
  it.each([
    [f(['900', '901'], ['vip']), ['clients:op:900', 'clients:op:901']],
    [f([], ['vip', 'vip', 'new']), ['clients:tag:vip', 'clients:tag:new']],
    [f([], []), ['clients']],
  ])('walks %j through %j', (filter, sets) => {
    expect(candidateSets(filter)).toEqual(sets);
  });
});

describe('matchesFilter', () => {
  it.each([
    [client(), f([], []), true],
    [client(), f(['900'], []), true],
    [client(), f(['901'], []), false],
    [client({ tags: ['vip'] }), f(['900'], ['vip', 'x']), true],
    [client({ tags: ['y'] }), f(['900'], ['vip']), false],
    [client({ tags: ['vip'] }), f(['901'], ['vip']), false],
  ])('%#: client matches = %s', (c, filter, expected) => {
    expect(matchesFilter(c, filter)).toBe(expected);
  });
});

describe('isFirstSetOf', () => {
  const filter = f([], ['a', 'b', 'c']);
  it('emits a client with tags b and c from set b only', () => {
    const c = client({ tags: ['b', 'c'] });
    expect([0, 1, 2].map((i) => isFirstSetOf(c, filter, i))).toEqual([true, true, false]);
  });
  it('never dedupes operator sets: a client has one code', () => {
    expect(isFirstSetOf(client(), f(['900', '901'], ['a']), 1)).toBe(true);
  });
});
