/**
 * In-memory ResourceStore for adapter tests. It takes the same filter rules as the real stores
 * (domain/resources/stores.ts) and, like them, overlays runtime state before it filters, so a listing
 * answers the same; tests/contracts/resource-store.ts runs one suite against both.
 */
import type { StoreFilter } from '../../platform/stores/kafka-backed-store';
import { VestnikError } from '../../platform/errors';
import { etagOf, ifMatchSatisfied } from '../../platform/stores/etag';
import type { ListQuery, Page, ResourceStore, Updated, WriteCondition } from '../../platform/stores/ports';

export interface MemoryStoreOptions<T> {
  /** The real store's filter rule (clientMatches, mailingMatches); every item passes without one. */
  matches?(item: T, filter: StoreFilter): boolean;
  /** The real store's overlay of runtime state (a mailing's run status), applied before filtering. */
  overlay?(items: T[]): Promise<T[]>;
}

/** Id order, cursor = the last id of the previous page, as the Redis view pages. */
export function createMemoryStore<T extends { id: string }>(
  options: MemoryStoreOptions<T> = {},
): ResourceStore<T> & { items: Map<string, T> } {
  const items = new Map<string, T>();
  const matches = options.matches ?? (() => true);
  const overlay = options.overlay ?? (async (values: T[]) => values);
  const get = async (id: string): Promise<T | null> => {
    const item = items.get(id);
    return item ? structuredClone((await overlay([item]))[0] ?? null) : null;
  };
  // Writes of one id run one after another (a promise chain per id), as the real store's lock ensures.
  const queues = new Map<string, Promise<unknown>>();
  const write = (id: string, change: (current: T | null) => T | null | undefined, condition: WriteCondition = {}) => {
    const run = (queues.get(id) ?? Promise.resolve()).catch(() => undefined).then(() => writeNow(id, change, condition));
    queues.set(id, run);
    return run;
  };
  const writeNow = async (id: string, change: (current: T | null) => T | null | undefined, condition: WriteCondition) => {
    const current = await get(id);
    const currentEtag = current ? etagOf(current) : null;
    if (condition.ifMatch !== undefined && !ifMatchSatisfied(condition.ifMatch, currentEtag)) {
      throw new VestnikError('PRECONDITION_FAILED', 'the resource changed since it was read (If-Match)', { details: { id, etag: currentEtag } });
    }
    const next = change(current);
    if (next !== undefined) {
      if (next === null) items.delete(id);
      else items.set(id, structuredClone(next));
    }
    const shown = next === undefined ? current : await get(id);
    const updated: Updated<T> = { value: shown, etag: shown ? etagOf(shown) : null, written: next !== undefined };
    return { ...updated, existed: current !== null };
  };
  return {
    items,
    get,
    async list({ cursor, limit, filter = {} }: ListQuery): Promise<Page<T>> {
      const sorted = (await overlay([...items.values()]))
        .filter((item) => matches(item, filter))
        .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        .filter((item) => cursor === undefined || item.id > cursor);
      const page = sorted.slice(0, limit);
      const last = page[page.length - 1];
      return { items: structuredClone(page), nextCursor: sorted.length > limit && last ? last.id : null };
    },
    async put(value) {
      await write(value.id, () => value);
    },
    async remove(id, condition) {
      return (await write(id, () => null, condition)).existed;
    },
    async update(id, change, condition) {
      const { existed: _existed, ...updated } = await write(id, change, condition);
      return updated;
    },
  };
}
