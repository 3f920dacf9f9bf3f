/** Resource records and store walks for tests that talk to a ResourceStore directly (no API). */
import type { ResourceStore } from '../../platform/stores/ports';
import type { Client, Mailing } from '../../schemas/types';

/** A valid client record with `id`, then `patch`. */
export const clientRecord = (id: string, patch: Partial<Client> = {}): Client => ({
  id, phone: '79001234567', operatorCode: '900', tags: [], timezone: 'UTC', email: null, emailConfirmed: false,
  name: null, locale: 'en', deviceTokens: [], preferences: { promo: true, channels: {}, quietHours: null },
  subscriptions: [], updatedAt: 1_763_888_400_000, ...patch,
});

/** A valid scheduled mailing record with `id`, then `patch`. */
export const mailingRecord = (id: string, patch: Partial<Mailing> = {}): Mailing => ({
  id, text: 'Hello', templateId: null, startAt: 1_763_906_400_000, endAt: 1_763_910_000_000,
  filter: { operatorCodes: [], tags: [] }, channel: 'sms', sendWindow: null, promo: false, priority: 'express',
  status: 'scheduled', createdAt: 1_763_900_000_000, updatedAt: 1_763_900_000_000, ...patch,
});

/** Every page of a listing as ids, following the cursors (at most 20 pages, so a cursor loop fails the test). */
export async function listingPages<T extends { id: string }>(store: ResourceStore<T>, filter: Record<string, string>, limit: number): Promise<string[][]> {
  const pages: string[][] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list({ cursor, limit, filter });
    pages.push(page.items.map((item) => item.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined && pages.length < 20);
  return pages;
}
