import { candidateSets, decideForClient, isFirstSetOf, matchesFilter } from './decide';
import type { Client, Mailing, MailingFilter } from '../../schemas/types';

const client = (over: Partial<Client> = {}): Client => ({
  id: 'c1', phone: '79001234567', operatorCode: '900', tags: [], timezone: 'Europe/Moscow', email: null,
  emailConfirmed: false, name: 'Ann', locale: 'en', deviceTokens: [],
  preferences: { promo: true, channels: {}, quietHours: null }, subscriptions: [], updatedAt: 1, ...over,
});
const mailing = (over: Partial<Mailing> = {}): Mailing => ({
  id: 'm1', text: 'hi', templateId: null, startAt: 1000, endAt: 5000, filter: { operatorCodes: [], tags: [] },
  channel: 'sms', sendWindow: null, promo: false, priority: 'bulk', status: 'running', createdAt: 1, updatedAt: 1, ...over,
});
const content = { text: 'hi', subject: null, html: null, title: null, headers: {} };
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

describe('decideForClient', () => {
  it('builds an sms command to the phone, expiring at endAt, with a deterministic id', () => {
    const a = decideForClient(mailing(), client(), content, 2000);
    const b = decideForClient(mailing(), client(), content, 3000);
    expect(a.kind).toBe('deliver');
    if (a.kind !== 'deliver' || b.kind !== 'deliver') throw new Error('expected deliver');
    expect(a.command).toMatchObject({ address: '79001234567', expiresAt: 5000, timezone: 'Europe/Moscow', channel: 'sms' });
    expect(a.command.deliveryId).toBe(b.command.deliveryId);
    expect(a.status).toMatchObject({ status: 'queued', deliveryId: a.command.deliveryId });
  });

  it.each([
    [mailing({ promo: true }), client({ preferences: { promo: false, channels: {}, quietHours: null } }), 'promo opt-out'],
    [mailing(), client({ preferences: { promo: true, channels: { sms: false }, quietHours: null } }), 'sms opt-out'],
    [mailing({ channel: 'email' }), client({ email: null }), 'no email address'],
    [mailing({ channel: 'push' }), client({ deviceTokens: [] }), 'no push address'],
  ])('%#: suppressed with reason %s', (m, c, reason) => {
    const decision = decideForClient(m, c, content, 2000);
    expect(decision).toMatchObject({ kind: 'suppress', status: { status: 'suppressed', reason } });
  });
});
