/**
 * Reading the directory view, the one way every stage does it. The state view (processors/state-view)
 * is its only writer: JSON documents per client, mailing and template, and lexicographic index zsets
 * of ids (score 0). Everyone else reads through here, with one policy for each question:
 * - a document that is absent reads as null (deleted, or never there);
 * - a document that is not JSON reads as absent too, and is reported once per read with its key: the
 *   view is derived and is rebuilt from the state topics (`vestnik rebuild-view`), never patched by a
 *   reader, and one bad document must not stop a mailing to everyone else;
 * - an index is paged with ZRANGEBYLEX from just after the last id of the previous page, so memory holds
 *   one page however large the set, and members added or removed meanwhile never shift the cursor.
 * Takes only the Redis calls it uses, so unit tests pass a fake.
 */
import type { Client, Mailing, Template } from '../../schemas/types';
import type { Logger } from '../logger';
import type { Redis } from './client';
import { getMany } from './get-many';
import { KEYS } from './keys';

type ViewRedis = Pick<Redis, 'get' | 'mget' | 'zrangebylex'> & { readonly isCluster?: boolean };

/** Hears the key of a document that is not JSON (the caller logs or counts it). */
export type CorruptDocument = (key: string) => void;

/** The usual CorruptDocument: a warning with the key (never the content: it may hold personal data). */
export function warnCorrupt(logger: Logger): CorruptDocument {
  return (key) => logger.warn({ key }, 'directory view document is not JSON: read as absent (rebuild the view)');
}

export interface DirectoryReader {
  /** The documents under `keys` in one round trip per server (get-many.ts), in order; absent or corrupt ones are null. */
  docs<T>(keys: readonly string[]): Promise<(T | null)[]>;
  /** The client docs of one page of ids, read like `docs`; an id whose doc is gone is left out. */
  clients(ids: readonly string[]): Promise<Client[]>;
  client(id: string): Promise<Client | null>;
  mailing(id: string): Promise<Mailing | null>;
  /** Mailing docs, read like `docs`, positions kept (null where absent). */
  mailings(ids: readonly string[]): Promise<(Mailing | null)[]>;
  template(id: string): Promise<Template | null>;
  /** Up to `count` ids of the index after `after` ('' = from the start). */
  indexPage(key: string, after: string, count: number): Promise<string[]>;
  /** Every page of the index from `after` on; ends after a short page. */
  indexPages(key: string, pageSize: number, after?: string): AsyncGenerator<string[]>;
}

/** A reader over one connection; `onCorrupt` hears each corrupt document's key (default: ignored). */
export function createDirectoryReader(redis: ViewRedis, onCorrupt: CorruptDocument = () => undefined): DirectoryReader {
  const parse = <T>(key: string, raw: string | null | undefined): T | null => parseViewDoc<T>(raw, () => onCorrupt(key));
  const docs = async <T>(keys: readonly string[]): Promise<(T | null)[]> => {
    if (keys.length === 0) return [];
    const raw = await getMany(redis, keys);
    return keys.map((key, i) => parse<T>(key, raw[i]));
  };
  const doc = async <T>(key: string): Promise<T | null> => parse<T>(key, await redis.get(key));
  const indexPage = (key: string, after: string, count: number): Promise<string[]> =>
    redis.zrangebylex(key, after ? `(${after}` : '-', '+', 'LIMIT', 0, count);
  return {
    docs,
    clients: async (ids) => (await docs<Client>(ids.map(KEYS.client))).filter((c): c is Client => c !== null),
    client: (id) => doc<Client>(KEYS.client(id)),
    mailing: (id) => doc<Mailing>(KEYS.mailing(id)),
    mailings: (ids) => docs<Mailing>(ids.map(KEYS.mailing)),
    template: (id) => doc<Template>(KEYS.template(id)),
    indexPage,
    async *indexPages(key, pageSize, after = '') {
      if (!Number.isInteger(pageSize) || pageSize < 1) throw new RangeError(`page size must be a positive integer, got ${pageSize}`);
      for (;;) {
        const ids = await indexPage(key, after, pageSize);
        if (ids.length === 0) return;
        yield ids;
        if (ids.length < pageSize) return;
        after = ids[ids.length - 1] as string;
      }
    },
  };
}

/** One view document: null when absent; null (and `onCorrupt`) when it is not JSON. */
export function parseViewDoc<T>(raw: string | null | undefined, onCorrupt: () => void = () => undefined): T | null {
  if (raw === null || raw === undefined) return null;
  try {
    return JSON.parse(raw) as T;
  } catch {
    onCorrupt();
    return null;
  }
}
