import type { UserActivity } from '../../schemas/types';
import { userActivityProblems } from './validate';

const event = (over: Partial<UserActivity> = {}): UserActivity => ({
  eventId: 'e1', occurredAt: 1, userId: 'u-1', actorId: 'u-2', actorName: 'Bob', kind: 'comment', objectId: 'post-1',
  objectTitle: 'My post', url: 'https://example.com/post-1', ...over,
});

describe('userActivityProblems', () => {
  it('accepts an event with or without a link', () => {
    expect(userActivityProblems(event())).toEqual([]);
    expect(userActivityProblems(event({ url: null, objectTitle: null }))).toEqual([]);
  });

  it.each<[string, Partial<UserActivity>, RegExp]>([
    ['no user', { userId: '' }, /^userId:/],
    ['a user id with spaces', { userId: 'u 1' }, /^userId:/],
    ['a javascript: link', { url: 'javascript:alert(1)' }, /^url:/],
    ['a link that is not a URL', { url: 'not a url' }, /^url:/],
    ['no kind', { kind: ' ' }, /^kind:/],
    ['a negative time', { occurredAt: -1 }, /^occurredAt:/],
  ])('refuses %s', (_name, over, expected) => {
    expect(userActivityProblems(event(over))).toEqual([expect.stringMatching(expected)]);
  });
});
