import type { Channel, DeliveryStatus, DeliveryStatusName, SourceType } from '../../schemas/types';

/**
 * One status change of a bulk delivery of `source`, as analytics receives it, for the ClickHouse tests that insert
 * rows directly: its statusId is deterministic (delivery × status × attempt), as the pipeline's are, so the same
 * change built twice is a replay.
 */
export function statusChange(
  source: [SourceType, string], deliveryId: string, clientId: string, channel: Channel,
  status: DeliveryStatusName, attempt: number, occurredAt: number, reason: string | null = null,
): DeliveryStatus {
  return {
    statusId: `${deliveryId}:${status}:${attempt}`, deliveryId, sourceType: source[0], sourceId: source[1], clientId,
    channel, priority: 'bulk', status, attempt, reason, providerMessageId: null, provider: null, occurredAt,
  };
}
