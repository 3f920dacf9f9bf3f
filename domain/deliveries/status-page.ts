/**
 * A fan-out page's first statuses travel as page records (deliveries.status-pages): one Kafka record for a
 * page's `queued` and `suppressed` statuses instead of one per recipient. Each record carries the fields a
 * page's statuses share once (source, channel, priority, stamp) and per delivery what differs. Analytics
 * reads a page back as the statuses it stands for, so ClickHouse gets the same rows, with the same status
 * ids, as when each travelled alone.
 *
 * The fan-outs that walk an audience a page at a time write them (mailings and their re-sends, notifications,
 * episodes); the flows of one recipient per event (welcome, activity) and the senders write deliveries.status.
 *
 * Why: per recipient the fan-out wrote two records, its command and its `queued` status, and kafkajs's
 * per-record framing and partitioning was the largest part of the fan-out's profile (issue 15).
 */
import type { TopicBatch } from '../../platform/kafka';
import { TOPICS } from '../../platform/topics';
import type { DeliveryStatus, DeliveryStatusPage } from '../../schemas/types';

/** Entries per page record: at about 130 bytes each, far below Kafka's 1 MiB default record limit. */
export const MAX_PAGE_ENTRIES = 1000;

/**
 * The statuses as page records, in their order: those that share source, channel, priority and stamp go
 * in one record (split every `maxEntries`). Only a delivery's first status can go in a page: one of a
 * provider call (an attempt, a provider) is a programming error here.
 */
export function statusPagesOf(statuses: readonly DeliveryStatus[], maxEntries = MAX_PAGE_ENTRIES): DeliveryStatusPage[] {
  const pages: DeliveryStatusPage[] = [];
  const open = new Map<string, DeliveryStatusPage>();
  for (const status of statuses) {
    if (status.attempt !== 0 || status.provider !== null || status.providerMessageId !== null) {
      throw new Error(`status ${status.statusId} is not a first status (attempt ${status.attempt}, provider ${status.provider}); it cannot go in a page`);
    }
    const shared = `${status.sourceType}\u0000${status.sourceId}\u0000${status.channel}\u0000${status.priority}\u0000${status.occurredAt}`;
    let page = open.get(shared);
    if (!page || page.entries.length >= maxEntries) {
      page = {
        sourceType: status.sourceType, sourceId: status.sourceId, channel: status.channel, priority: status.priority,
        occurredAt: status.occurredAt, entries: [],
      };
      open.set(shared, page);
      pages.push(page);
    }
    page.entries.push({ statusId: status.statusId, deliveryId: status.deliveryId, clientId: status.clientId, status: status.status, reason: status.reason });
  }
  return pages;
}

/** The statuses as page records for a sendBatch, each keyed by its first delivery so that pages spread over partitions. */
export function statusPagesBatch(statuses: readonly DeliveryStatus[]): TopicBatch {
  return { topic: TOPICS.deliveriesStatusPages, records: statusPagesOf(statuses).map((value) => ({ key: value.entries[0]!.deliveryId, value })) };
}

/** The statuses a page record stands for, in its order. */
export function statusesOfPage(page: DeliveryStatusPage): DeliveryStatus[] {
  return page.entries.map((entry) => ({
    statusId: entry.statusId, deliveryId: entry.deliveryId, sourceType: page.sourceType, sourceId: page.sourceId,
    clientId: entry.clientId, channel: page.channel, priority: page.priority, status: entry.status, attempt: 0,
    reason: entry.reason, providerMessageId: null, provider: null, occurredAt: page.occurredAt,
  }));
}
