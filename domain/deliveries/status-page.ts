/**
 * Statuses travel as page records (deliveries.status-pages): one Kafka record for many deliveries' statuses
 * instead of one each. Each record carries the fields its statuses share once (source, channel, priority, a
 * stamp) and per delivery what differs. Analytics reads a page back as the statuses it stands for, so
 * ClickHouse gets the same rows, with the same status ids, as when each travelled alone.
 *
 * Who writes them: the fan-outs that walk an audience a page at a time (mailings and their re-sends,
 * notifications, episodes), for their `queued` and `suppressed` statuses, which share one stamp; and the
 * bulk senders, for a chunk's outcomes, each with its own time, attempt and provider. The flows of one
 * recipient per event (welcome, activity) and the express senders write deliveries.status, a record a status
 * with the message's own trace.
 *
 * Why: kafkajs's per-record framing and partitioning was the largest part of the fan-out's profile, and a
 * record per status was the analytics consumer's and the broker's largest per-message cost after the inserts
 * (issue 15).
 */
import type { TopicBatch } from '../../platform/kafka';
import type { RecordHeaders } from '../../platform/tracing/propagation';
import { TOPICS } from '../../platform/topics';
import type { DeliveryStatus, DeliveryStatusPage } from '../../schemas/types';

/**
 * Entries per page record: at about 130 bytes for a first status and 250 for a provider's outcome, far below
 * Kafka's 1 MiB default record limit.
 */
export const MAX_PAGE_ENTRIES = 1000;

/**
 * The statuses as page records, in their order: those of one source, channel and priority go in one record
 * (split every `maxEntries`), stamped with the first one's time; an entry whose time differs carries its own.
 */
export function statusPagesOf(statuses: readonly DeliveryStatus[], maxEntries = MAX_PAGE_ENTRIES): DeliveryStatusPage[] {
  const pages: DeliveryStatusPage[] = [];
  const open = new Map<string, DeliveryStatusPage>();
  for (const status of statuses) {
    const shared = `${status.sourceType}\u0000${status.sourceId}\u0000${status.channel}\u0000${status.priority}`;
    let page = open.get(shared);
    if (!page || page.entries.length >= maxEntries) {
      page = {
        sourceType: status.sourceType, sourceId: status.sourceId, channel: status.channel, priority: status.priority,
        occurredAt: status.occurredAt, entries: [],
      };
      open.set(shared, page);
      pages.push(page);
    }
    page.entries.push({
      statusId: status.statusId, deliveryId: status.deliveryId, clientId: status.clientId, status: status.status, reason: status.reason,
      attempt: status.attempt, providerMessageId: status.providerMessageId, provider: status.provider,
      occurredAt: status.occurredAt === page.occurredAt ? null : status.occurredAt,
    });
  }
  return pages;
}

/**
 * The statuses as page records for a sendBatch, each keyed by its first delivery so that pages spread over
 * partitions. With `headers`, each page record carries them (statuses of one trace: see the bulk senders).
 */
export function statusPagesBatch(statuses: readonly DeliveryStatus[], headers?: RecordHeaders): TopicBatch {
  return {
    topic: TOPICS.deliveriesStatusPages,
    records: statusPagesOf(statuses).map((value) => ({ key: value.entries[0]!.deliveryId, value, ...(headers ? { headers } : {}) })),
  };
}

/** The statuses a page record stands for, in its order. */
export function statusesOfPage(page: DeliveryStatusPage): DeliveryStatus[] {
  return page.entries.map((entry) => ({
    statusId: entry.statusId, deliveryId: entry.deliveryId, sourceType: page.sourceType, sourceId: page.sourceId,
    clientId: entry.clientId, channel: page.channel, priority: page.priority, status: entry.status, attempt: entry.attempt,
    reason: entry.reason, providerMessageId: entry.providerMessageId, provider: entry.provider, occurredAt: entry.occurredAt ?? page.occurredAt,
  }));
}
