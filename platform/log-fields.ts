import type { SourceType } from '../schemas/types';

/**
 * The fields every log line about a delivery carries, so "everything about mailing 42", "every request of
 * message 9001" and "everything done to client 17" are each one filter on one field name.
 */
export function deliveryLogFields(d: { deliveryId: string; clientId: string; sourceType: SourceType; sourceId: string }) {
  return {
    deliveryId: d.deliveryId,
    clientId: d.clientId,
    sourceType: d.sourceType,
    sourceId: d.sourceId,
    ...(d.sourceType === 'mailing' ? { mailingId: d.sourceId } : {}),
  };
}
