import type { ListQuery, Page, ResourceStore } from '../../platform/stores/ports';

/** Decides whether an item passes a listing filter. */
export type FilterMatcher<T> = (item: T, filter: Record<string, string | undefined>) => boolean;

/** Exact match of each defined filter field; array fields match when they contain the value. */
export const fieldMatcher =
  <T>(fieldOf: Record<string, keyof T>): FilterMatcher<T> =>
  (item, filter) =>
    Object.entries(filter).every(([name, wanted]) => {
      if (wanted === undefined) return true;
      const field = fieldOf[name];
      if (field === undefined) return false;
      const value = item[field];
      return Array.isArray(value) ? value.includes(wanted) : value === wanted;
    });

/** In-memory ResourceStore for adapter tests: id order, cursor = the last id of the previous page. */
export function createMemoryStore<T extends { id: string }>(
  matches: FilterMatcher<T> = () => true,
): ResourceStore<T> & { items: Map<string, T> } {
  const items = new Map<string, T>();
  return {
    items,
    async get(id) {
      return structuredClone(items.get(id) ?? null);
    },
    async list({ cursor, limit, filter = {} }: ListQuery): Promise<Page<T>> {
      const sorted = [...items.values()]
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
