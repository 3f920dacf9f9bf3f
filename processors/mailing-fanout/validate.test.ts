import { mailingStartedProblems } from './validate';

const event = { eventId: 'm1:1000', occurredAt: 1000, mailingId: 'm1', scheduledFor: 1000 };

describe('mailingStartedProblems', () => {
  it('accepts the scheduler\'s event', () => {
    expect(mailingStartedProblems(event)).toEqual([]);
  });

  it.each([
    ['an empty mailing id', { mailingId: '' }, /^mailingId:/],
    ['a mailing id with spaces', { mailingId: 'm 1' }, /^mailingId:/],
    ['a negative start', { scheduledFor: -1 }, /^scheduledFor:/],
    ['an empty event id', { eventId: ' ' }, /^eventId:/],
  ])('refuses %s', (_name, over, expected) => {
    expect(mailingStartedProblems({ ...event, ...over })).toEqual([expect.stringMatching(expected)]);
  });
});
