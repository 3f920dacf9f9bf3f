import { CONTEXT_KINDS, answerContexts, fnv1a, monthOf, monthlyDigestOf } from './monthly-digest';

const NOW = Date.UTC(2026, 10, 23, 12);

describe('monthlyDigestOf', () => {
  it('is the same for the same user and month, and differs between users and months', () => {
    expect(monthlyDigestOf('u-1', '2026-11')).toEqual(monthlyDigestOf('u-1', '2026-11'));
    const others = ['u-2', 'u-3', 'u-4'].map((id) => monthlyDigestOf(id, '2026-11'));
    expect(others.some((digest) => JSON.stringify(digest.filmsWatched) !== JSON.stringify(monthlyDigestOf('u-1', '2026-11').filmsWatched))).toBe(true);
    expect(monthlyDigestOf('u-1', '2026-12')).not.toEqual(monthlyDigestOf('u-1', '2026-11'));
  });

  it('holds 1 to 5 distinct films, the genre with most minutes, and the hours they add up to', () => {
    for (let i = 0; i < 500; i++) {
      const digest = monthlyDigestOf(`user-${i}`, '2026-11');
      expect(digest.month).toBe('2026-11');
      expect(digest.filmsWatched.length).toBeGreaterThanOrEqual(1);
      expect(digest.filmsWatched.length).toBeLessThanOrEqual(5);
      expect(new Set(digest.filmsWatched.map((f) => f.title)).size).toBe(digest.filmsWatched.length);
      for (const film of digest.filmsWatched) expect(film.minutes).toBeGreaterThanOrEqual(20);
      const total = digest.filmsWatched.reduce((sum, f) => sum + f.minutes, 0);
      expect(digest.hoursWatched).toBe(Math.round((total / 60) * 10) / 10);
      expect(digest.favouriteGenre).not.toBe('');
    }
  });
});

describe('monthOf and fnv1a', () => {
  it('formats the UTC month', () => {
    expect(monthOf(NOW)).toBe('2026-11');
    expect(monthOf(Date.UTC(2026, 11, 31, 23, 59))).toBe('2026-12');
  });
  it('matches the FNV-1a reference values', () => {
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(fnv1a('foobar')).toBe(0xbf9cf968);
  });
});

describe('answerContexts', () => {
  it('answers each known user once and leaves out ids with an unknown prefix', () => {
    const answer = answerContexts('monthly-digest', ['u-1', 'ghost-2', 'u-1', 'u-3'], NOW, ['ghost-']);
    expect(answer?.omitted).toBe(1);
    expect(Object.keys(answer?.contexts ?? {}).sort()).toEqual(['u-1', 'u-3']);
    expect(answer?.contexts['u-1']).toEqual(monthlyDigestOf('u-1', '2026-11'));
  });
  it('takes "__proto__" as a plain user id', () => {
    const answer = answerContexts('monthly-digest', ['__proto__'], NOW, []);
    expect(Object.keys(answer?.contexts ?? {})).toEqual(['__proto__']);
  });
  it.each(['weekly-digest', 'toString', '__proto__'])('knows no kind %s', (kind) => {
    expect(answerContexts(kind, ['u-1'], NOW, [])).toBeNull();
  });
  it('serves the monthly digest of the current month', () => {
    expect(CONTEXT_KINDS['monthly-digest']?.('u-9', NOW)).toEqual(monthlyDigestOf('u-9', '2026-11'));
  });
});
