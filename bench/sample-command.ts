import { createCodec } from '../platform/codec';
import { deliveryIdOf, newId } from '../platform/ids';
import type { DeliveryCommand } from '../schemas/types';

/** A bulk SMS command as the fan-out writes it for a bench client (same text template, same fields). */
export function sampleCommand(now = Date.now()): DeliveryCommand {
  const mailingId = newId();
  const clientId = newId();
  return {
    deliveryId: deliveryIdOf('mailing', mailingId, clientId, 'sms'), sourceType: 'mailing', sourceId: mailingId, clientId,
    channel: 'sms', priority: 'bulk', address: '79001234567', deviceTokens: [],
    content: { text: 'Bench Client 12345', subject: null, html: null, title: null, headers: {} },
    fallback: null, promo: false, timezone: 'Europe/Moscow', sendWindow: null, notBefore: null, expiresAt: now + 3_600_000,
    attempt: 0, createdAt: now,
  };
}

/** The encoded size in bytes of one real command, with the codec the pipeline uses. */
export async function commandRecordBytes(): Promise<number> {
  return (await createCodec().encode('deliveries.command', sampleCommand())).length;
}
