/**
 * In-memory ports of the console's reads for the API's unit tests: the overview's series and Kafka
 * backlog as arranged, the audience by the fan-out's rule over the memory client store, a delivery log
 * per client, the express topic as a list, and the user-data service as a map.
 */
import { CHARTED_STATUSES, type ClientDeliveryLog, type DeliveryLogItem, type OverviewQueries, type OverviewSeries, type OverviewWindow } from '../../analytics/ports';
import { matchesFilter } from '../../domain/audience';
import { VestnikError } from '../../platform/errors';
import type { ResourceStore } from '../../platform/stores/ports';
import type { ContextSource } from '../../processors/context-providers';
import { CHANNELS, type Client, type DeliveryCommand, type DeliveryStatus } from '../../schemas/types';
import type { AudienceSize, ExpressDeliveries, PipelineBacklog } from '../../ingest/ports';

/** Zeros for every minute; `set` arranges a series; `windows` records what was asked. */
export function createMemoryOverview(): OverviewQueries & { windows: OverviewWindow[]; arranged: Partial<OverviewSeries> } {
  const windows: OverviewWindow[] = [];
  const arranged: Partial<OverviewSeries> = {};
  return {
    windows,
    arranged,
    async series(window) {
      windows.push(window);
      const zeros = () => new Array<number>(window.minutes).fill(0);
      return {
        byStatus: Object.fromEntries(CHARTED_STATUSES.map((s) => [s, zeros()])) as OverviewSeries['byStatus'],
        byChannel: Object.fromEntries(CHANNELS.map((c) => [c, zeros()])) as OverviewSeries['byChannel'],
        failuresByReason: [],
        ...arranged,
      };
    },
  };
}

export function createMemoryBacklog(): PipelineBacklog & { lag: { group: string; topic: string; lag: number }[]; total: { deadLetters: number } } {
  const lag: { group: string; topic: string; lag: number }[] = [];
  const total = { deadLetters: 0 };
  return { lag, total, consumerLag: async () => lag, deadLetters: async () => total.deadLetters };
}

/** The fan-out's rule (domain/audience.ts matchesFilter) over every client of the store. */
export function createMemoryAudience(clients: ResourceStore<Client> & { items: Map<string, Client> }): AudienceSize {
  return { of: async (filter) => [...clients.items.values()].filter((client) => matchesFilter(client, filter)).length };
}

/** Delivery logs arranged per client, newest first; the cursor is the index of the next item. */
export function createMemoryDeliveryLog(): ClientDeliveryLog & { byClient: Map<string, DeliveryLogItem[]> } {
  const byClient = new Map<string, DeliveryLogItem[]>();
  return {
    byClient,
    async list(clientId, page) {
      const all = byClient.get(clientId) ?? [];
      const start = page.cursor === undefined ? 0 : Number(page.cursor);
      if (!Number.isSafeInteger(start) || start < 0) throw new VestnikError('VALIDATION_FAILED', 'invalid pagination cursor', { details: { cursor: page.cursor } });
      const end = start + page.limit;
      return { items: all.slice(start, end), nextCursor: end < all.length ? String(end) : null };
    },
  };
}

export function createMemoryExpress(): ExpressDeliveries & { enqueued: { command: DeliveryCommand; status: DeliveryStatus }[] } {
  const enqueued: { command: DeliveryCommand; status: DeliveryStatus }[] = [];
  return { enqueued, enqueue: async (command, status) => void enqueued.push({ command, status }) };
}

/** A user-data service that knows the contexts arranged per kind and user. */
export function createMemoryContexts(): ContextSource & { contexts: Map<string, Record<string, unknown>>; failWith: { error: Error | null } } {
  const contexts = new Map<string, Record<string, unknown>>();
  const failWith = { error: null as Error | null };
  return {
    contexts,
    failWith,
    async fetchContexts(kind, userIds) {
      if (failWith.error) throw failWith.error;
      return new Map(userIds.flatMap((id) => {
        const context = contexts.get(`${kind}:${id}`);
        return context ? [[id, context] as const] : [];
      }));
    },
    close: async () => undefined,
  };
}
