import type { UserRegistered } from '../../schemas/types';
import { userRegisteredProblems } from './validate';

const event = (over: Partial<UserRegistered> = {}): UserRegistered => ({
  eventId: 'e1', occurredAt: 1, userId: 'u-1', email: 'ann@example.com', name: 'Ann', locale: 'en', timezone: 'Europe/Moscow', ...over,
});

describe('userRegisteredProblems', () => {
  it('accepts a registration with or without a time zone', () => {
    expect(userRegisteredProblems(event())).toEqual([]);
    expect(userRegisteredProblems(event({ timezone: null }))).toEqual([]);
  });

  it.each<[string, Partial<UserRegistered>, string]>([
    ['an address that is not one', { email: 'abc' }, 'email:'],
    ['an unknown time zone', { timezone: 'Mars/Olympus' }, 'timezone:'],
    ['an empty user id', { userId: '' }, 'userId:'],
    ['a locale that is not a tag', { locale: 'English please' }, 'locale:'],
    ['a negative time', { occurredAt: -1 }, 'occurredAt:'],
    ['an empty event id', { eventId: '' }, 'eventId:'],
  ])('refuses %s', (_name, over, expected) => {
    expect(userRegisteredProblems(event(over))).toEqual([expect.stringMatching(new RegExp(`^${expected}`))]);
  });
});
