import { VestnikError } from '../../platform/errors';
import type { UserNotification, UserNotifications } from '../../analytics/ports';

/**
 * UserNotifications over deliveries held in memory per client, newest first as arranged by the test
 * (`byClient.set(clientId, [newest, …, oldest])`); the cursor is the index of the next item.
 */
export function createMemoryNotifications(): UserNotifications & { byClient: Map<string, UserNotification[]> } {
  const byClient = new Map<string, UserNotification[]>();
  return {
    byClient,
    async list(clientId, page) {
      const all = byClient.get(clientId) ?? [];
      const start = page.cursor === undefined ? 0 : Number(page.cursor);
      if (!Number.isSafeInteger(start) || start < 0) {
        throw new VestnikError('VALIDATION_FAILED', 'invalid pagination cursor', { details: { cursor: page.cursor } });
      }
      const end = start + page.limit;
      return { items: all.slice(start, end), nextCursor: end < all.length ? String(end) : null };
    },
  };
}
