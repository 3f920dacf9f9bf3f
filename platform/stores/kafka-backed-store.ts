import { VestnikError } from '../errors';
import { KEYS } from '../redis/keys';
import type { ListQuery, Page, ResourceStore, Updated, WriteCondition } from './ports';
import { etagOf, ifMatchSatisfied } from './etag';
import { createResourceLock } from './resource-lock';
import type { SchemaName } from '../codec/codec';
import type { TypedProducer } from '../kafka';
import type { Redis } from '../redis/client';
import { createDirectoryReader, type CorruptDocument } from '../redis/directory';
import { waitForView } from './wait-for-view';

export type StoreKind = 'clients' | 'mailings' | 'templates';
export type StoreFilter = Record<string, string | undefined>;

const SCHEMA_OF_KIND: Record<StoreKind, SchemaName> = {
  clients: 'state.clients',
  mailings: 'state.mailings',
  templates: 'state.templates',
};

export interface KafkaBackedStoreOptions<T> {
  kind: StoreKind;
  producer: TypedProducer;
  redis: Redis;
  /** The compacted state topic of this kind (tests pass their own). */
  topic: string;
  docKey(id: string): string;
  /** The lexicographic zset of every id: the default listing order. */
  idsKey: string;
  /** A narrower index zset to walk for this filter, or null to walk every id. */
  indexFor?(filter: StoreFilter): string | null;
  /** The filter as checked on each doc; whatever the index did not narrow is decided here. */
  matches?(item: T, filter: StoreFilter): boolean;
  /** Rewrites a page of docs with runtime state kept outside the view (one round trip per page). */
  overlay?(items: T[]): Promise<T[]>;
  /** How long put/remove wait for the view to show the write. */
  viewTimeoutMs?: number;
  /** How long a write waits for another write of the same id to finish (default 10 s), then fails retriably. */
  lockWaitMs?: number;
  /** Hears the key of a view document that is not JSON (it reads as absent). */
  onCorrupt?: CorruptDocument;
}

/**
 * A ResourceStore over a compacted state topic (the truth) and its Redis view (the reads). Writes go
 * to Kafka and return once the view consumer has applied them, so the caller reads its own writes.
 * Listing walks an index zset in id order; the cursor is the last id returned.
 */
export function createKafkaBackedStore<T extends { id: string }>(options: KafkaBackedStoreOptions<T>): ResourceStore<T> {
  const { redis, producer, topic } = options;
  const schema = SCHEMA_OF_KIND[options.kind];
  const matches = options.matches ?? (() => true);

  const directory = createDirectoryReader(redis, options.onCorrupt);

  const readDocs = async (ids: readonly string[]): Promise<T[]> => {
    // An id without a doc is skipped: the view writes both in one MULTI, so this only follows a manual edit.
    const docs = (await directory.docs<T>(ids.map((id) => options.docKey(id)))).filter((doc): doc is T => doc !== null);
    return options.overlay && docs.length > 0 ? options.overlay(docs) : docs;
  };

  const viewTimeoutMs = options.viewTimeoutMs ?? 5_000;
  const publish = async (id: string, value: T | null): Promise<void> => {
    const [produced] = await producer.send(topic, [{ key: id, value: value as never }], { schema });
    if (!produced) return;
    await waitForView({ redis, ...produced, timeoutMs: viewTimeoutMs });
  };

  const get = async (id: string): Promise<T | null> => (await readDocs([id]))[0] ?? null;

  // Every write of an id (put, remove, update) holds the id's lock from its read to the view showing
  // it, so a check of the current value (If-Match, or a change computed from it) cannot be overtaken.
  const lock = createResourceLock({ redis, leaseMs: viewTimeoutMs + 25_000, waitMs: options.lockWaitMs ?? 10_000 });
  const write = (id: string, change: (current: T | null) => T | null | undefined, condition: WriteCondition = {}) =>
    lock.run(KEYS.resourceLock(options.kind, id), async (): Promise<Updated<T> & { existed: boolean }> => {
      const current = await get(id);
      const currentEtag = current ? etagOf(current) : null;
      if (condition.ifMatch !== undefined && !ifMatchSatisfied(condition.ifMatch, currentEtag)) {
        throw new VestnikError('PRECONDITION_FAILED', 'the resource changed since it was read (If-Match)', {
          details: { id, etag: currentEtag },
        });
      }
      const next = change(current);
      if (next === undefined) return { value: current, etag: currentEtag, written: false, existed: current !== null };
      // The tombstone goes out even when the view shows nothing: a write not yet applied is removed too.
      await publish(id, next);
      const shown = await get(id);
      return { value: shown, etag: shown ? etagOf(shown) : null, written: true, existed: current !== null };
    });

  return {
    get,
    async list(query: ListQuery): Promise<Page<T>> {
      const filter = query.filter ?? {};
      const zset = options.indexFor?.(filter) ?? options.idsKey;
      return listPage(query.cursor, Math.max(1, query.limit), (from, count) => directory.indexPage(zset, from ?? '', count),
        readDocs, (item) => matches(item, filter));
    },
    async put(value: T) {
      await write(value.id, () => value);
    },
    async remove(id: string, condition?: WriteCondition) {
      return (await write(id, () => null, condition)).existed;
    },
    async update(id, change, condition) {
      const { existed: _existed, ...updated } = await write(id, change, condition);
      return updated;
    },
  };
}

/**
 * Walks the ids after `cursor` in chunks of limit+1 until limit+1 docs match (so there is a next page)
 * or the ids end. Filters checked in code may skip docs, so one page can take several chunks; only one
 * chunk is held at a time.
 */
async function listPage<T extends { id: string }>(
  cursor: string | undefined,
  limit: number,
  rangeAfter: (from: string | undefined, count: number) => Promise<string[]>,
  readDocs: (ids: readonly string[]) => Promise<T[]>,
  matches: (item: T) => boolean,
): Promise<Page<T>> {
  const items: T[] = [];
  let from = cursor;
  for (;;) {
    const ids = await rangeAfter(from, limit + 1);
    for (const doc of await readDocs(ids)) {
      if (!matches(doc)) continue;
      items.push(doc);
      if (items.length > limit) return { items: items.slice(0, limit), nextCursor: items[limit - 1]?.id ?? null };
    }
    if (ids.length < limit + 1) return { items, nextCursor: null };
    from = ids[ids.length - 1];
  }
}
