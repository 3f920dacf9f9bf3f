import type { NotificationRequested } from '../../schemas/types';
import { requestProblems } from './validate';

const request = (over: Partial<NotificationRequested> = {}): NotificationRequested => ({
  requestId: 'r1', occurredAt: 1, templateId: 't1', userIds: ['u1'], segmentTags: [], contextJson: '{"film":"Solaris"}',
  priority: 'bulk', promo: false, channels: ['sms'], notBefore: null, expiresAt: null, recurrence: null, requestedBy: null, ...over,
});

describe('requestProblems', () => {
  it.each<[string, Partial<NotificationRequested>]>([
    ['listed users', {}],
    ['a segment only', { userIds: [], segmentTags: ['vip'] }],
    ['a recurrence', { recurrence: { cron: '0 9 * * *', timezone: 'Europe/Moscow' }, expiresAt: 2_000_000_000_000 }],
  ])('accepts a request with %s', (_name, over) => {
    expect(requestProblems(request(over))).toEqual([]);
  });

  it.each<[string, Partial<NotificationRequested>, string]>([
    ['no recipients', { userIds: [], segmentTags: [] }, 'userIds, segmentTags:'],
    ['a context that is not JSON', { contextJson: '{oops' }, 'contextJson:'],
    ['a context that is an array', { contextJson: '[1]' }, 'contextJson:'],
    ['a template id that is not an id', { templateId: '../etc' }, 'templateId:'],
    ['a negative expiry', { expiresAt: -1 }, 'expiresAt:'],
    ['an empty user id', { userIds: [''] }, 'userIds.0:'],
    ['an unknown recurrence zone', { recurrence: { cron: '0 9 * * *', timezone: 'Nowhere/Land' } }, 'recurrence.timezone:'],
    ['a cron that is not one', { recurrence: { cron: 'every day', timezone: 'UTC' } }, 'recurrence.cron:'],
  ])('refuses %s', (_name, over, expected) => {
    expect(requestProblems(request(over))).toEqual([expect.stringMatching(new RegExp(`^${expected.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`))]);
  });
});
