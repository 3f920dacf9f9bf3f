/**
 * In-memory ResourceStore for adapter tests. It takes the same filter rules as the real stores
 * (domain/resources/stores.ts) and, like them, overlays runtime state before it filters, so a listing
 * answers the same; tests/contracts/resource-store.ts runs one suite against both.
 */
import type { StoreFilter } from '../../platform/stores/kafka-backed-store';
import type { ListQuery, Page, ResourceStore } from '../../platform/stores/ports';

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
  return {
    items,
    async get(id) {
      const item = items.get(id);
      return item ? structuredClone((await overlay([item]))[0] ?? null) : null;
    },
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
      items.set(value.id, structuredClone(value));
    },
    async remove(id) {
      return items.delete(id);
    },
  };
}
