import type { EpisodeReleased } from '../../schemas/types';
import { episodeReleasedProblems } from './validate';

const event = (over: Partial<EpisodeReleased> = {}): EpisodeReleased => ({
  eventId: 'evt-1', occurredAt: Date.parse('2030-01-01T00:00:00Z'), seriesId: 'dark', seriesTitle: 'Dark', episodeId: 'ep-1',
  episodeTitle: 'Secrets', seasonNumber: 1, episodeNumber: 1, url: 'https://films.test/dark/1/1', ...over,
});

describe('episodeReleasedProblems', () => {
  it.each([
    ['a complete event', {}],
    ['no season or episode number', { seasonNumber: null, episodeNumber: null }],
    ['season 0', { seasonNumber: 0 }],
    ['an http link with a port and query', { url: 'http://127.0.0.1:8080/e?x=1&y=2' }],
  ])('accepts %s', (_name, over) => {
    expect(episodeReleasedProblems(event(over))).toEqual([]);
  });

  it.each([
    ['an empty event id', { eventId: ' ' }, 'eventId: required'],
    ['a negative time', { occurredAt: -1 }, 'occurredAt: not a time (-1)'],
    ['a series id no subscription can hold', { seriesId: 'has space' }, 'seriesId: expected 1–128 characters'],
    ['an empty series title', { seriesTitle: '' }, 'seriesTitle: required'],
    ['an empty episode id', { episodeId: '' }, 'episodeId: required'],
    ['an empty episode title', { episodeTitle: '  ' }, 'episodeTitle: required'],
    ['a negative season', { seasonNumber: -1 }, 'seasonNumber: negative (-1)'],
    ['a negative episode number', { episodeNumber: -2 }, 'episodeNumber: negative (-2)'],
    ['a javascript: link', { url: 'javascript:alert(1)' }, 'url: not an http(s) URL ("javascript:alert(1)")'],
    ['a link that is not a URL', { url: 'films.test/e' }, 'url: not an http(s) URL'],
    ['an ftp link', { url: 'ftp://films.test/e' }, 'url: not an http(s) URL'],
  ])('refuses %s, naming the field', (_name, over, problem) => {
    const problems = episodeReleasedProblems(event(over));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(problem);
  });

  it('lists every problem at once', () => {
    expect(episodeReleasedProblems(event({ seriesTitle: '', url: 'x', seasonNumber: -1 }))).toHaveLength(3);
  });
});
