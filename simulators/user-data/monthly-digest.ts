import { createSeededRandom } from '../shared/seeded-random';

/**
 * The `monthly-digest` kind: what a user watched this month. Deterministic: the same user id and month
 * always give the same digest (a seeded draw), so a test computes what an email must say without
 * asking the service, and a replayed fan-out renders the same words.
 */
export interface WatchedFilm {
  title: string;
  minutes: number;
}

export interface MonthlyDigest {
  /** "YYYY-MM" (UTC). */
  month: string;
  /** 1 to 5 distinct films, in watch order. */
  filmsWatched: WatchedFilm[];
  /** The genre with the most minutes (the earlier film's genre on a tie). */
  favouriteGenre: string;
  /** Total minutes / 60, rounded to one decimal. */
  hoursWatched: number;
}

/** Title and genre; some titles carry characters an HTML part must escape and a text part must not. */
const CATALOGUE: ReadonlyArray<{ title: string; genre: string }> = [
  { title: 'Solaris', genre: 'science fiction' },
  { title: 'Stalker', genre: 'science fiction' },
  { title: 'Andrei Rublev', genre: 'drama' },
  { title: 'Mirror', genre: 'drama' },
  { title: 'Brother', genre: 'crime' },
  { title: 'Leviathan', genre: 'drama' },
  { title: 'Night Watch', genre: 'fantasy' },
  { title: 'Howl\'s Moving Castle', genre: 'animation' },
  { title: 'Spirited Away', genre: 'animation' },
  { title: 'The Irony of Fate', genre: 'comedy' },
  { title: 'Gentlemen of Fortune', genre: 'comedy' },
  { title: 'Kin-dza-dza!', genre: 'science fiction' },
  { title: 'Come & See', genre: 'war' },
  { title: 'The Cranes Are Flying', genre: 'war' },
  { title: 'Hard to Be a God', genre: 'fantasy' },
  { title: 'Moscow Does Not Believe in Tears', genre: 'romance' },
  { title: 'Office Romance', genre: 'romance' },
  { title: 'The Return', genre: 'drama' },
];

const MAX_FILMS = 5;

/** The UTC month of an instant, as "YYYY-MM". */
export function monthOf(now: number): string {
  return new Date(now).toISOString().slice(0, 7);
}

/** 32-bit FNV-1a of a string: a stable seed per user and month. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** The digest of one user for one month. */
export function monthlyDigestOf(userId: string, month: string): MonthlyDigest {
  const random = createSeededRandom(fnv1a(`monthly-digest:${month}:${userId}`));
  const count = 1 + Math.floor(random() * MAX_FILMS);
  const pool = [...CATALOGUE];
  const picked: Array<{ title: string; genre: string; minutes: number }> = [];
  for (let i = 0; i < count; i++) {
    const [film] = pool.splice(Math.floor(random() * pool.length), 1);
    picked.push({ ...(film as { title: string; genre: string }), minutes: 20 + Math.floor(random() * 161) });
  }
  const byGenre = new Map<string, number>();
  for (const film of picked) byGenre.set(film.genre, (byGenre.get(film.genre) ?? 0) + film.minutes);
  let favouriteGenre = picked[0]?.genre ?? '';
  for (const [genre, minutes] of byGenre) if (minutes > (byGenre.get(favouriteGenre) ?? 0)) favouriteGenre = genre;
  const total = picked.reduce((sum, film) => sum + film.minutes, 0);
  return {
    month,
    filmsWatched: picked.map(({ title, minutes }) => ({ title, minutes })),
    favouriteGenre,
    hoursWatched: Math.round((total / 60) * 10) / 10,
  };
}

/** The kinds this service answers, each a function of the user id and the time of the request. */
export const CONTEXT_KINDS: Readonly<Record<string, (userId: string, now: number) => object>> = Object.freeze({
  'monthly-digest': (userId: string, now: number) => monthlyDigestOf(userId, monthOf(now)),
});

/** The answer to a known kind: a context per known user; unknown users (by id prefix) are left out. */
export function answerContexts(
  kind: string, userIds: readonly string[], now: number, unknownPrefixes: readonly string[],
): { contexts: Record<string, object>; omitted: number } | null {
  const contextOf = Object.prototype.hasOwnProperty.call(CONTEXT_KINDS, kind) ? CONTEXT_KINDS[kind] : undefined;
  if (!contextOf) return null;
  // No prototype: a user id such as "__proto__" is just a key.
  const contexts = Object.create(null) as Record<string, object>;
  let omitted = 0;
  for (const userId of new Set(userIds)) {
    if (unknownPrefixes.some((prefix) => userId.startsWith(prefix))) omitted += 1;
    else contexts[userId] = contextOf(userId, now);
  }
  return { contexts, omitted };
}
