/**
 * A template's test send (POST /api/templates/{id}/test-send): one express delivery to an address of the
 * operator's choice (domain/deliveries/express.ts, as the daily report is sent).
 *
 * Marked by its source: sourceType `test`, sourceId a fresh request id (so every test is a new delivery,
 * claimed once). No mailing or notification counts a `test` source, and the overview leaves it out.
 * The operator's address is used as given: the sample client's opt-outs are not the operator's.
 */
import { addressedDelivery } from '../domain/deliveries/express';
import type { Channel, Client, DeliveryCommand, DeliveryStatus, MessageContent } from '../schemas/types';

/** A test nobody could deliver in this long is dropped (expired) rather than retried for hours. */
export const TEST_SEND_TTL_MS = 15 * 60_000;

export interface TestSendInput {
  requestId: string;
  templateId: string;
  channel: Channel;
  /** Phone, email, device token or (in-app) the inbox's client id. */
  to: string;
  sample: Client | null;
  content: MessageContent;
  now: number;
}

/** The command and its `queued` status (reason: which template was tested). */
export function testDelivery(input: TestSendInput): { command: DeliveryCommand; status: DeliveryStatus } {
  const { channel, to, sample, now } = input;
  // An in-app message lands in the inbox of the client it is addressed to; elsewhere the sample client (if
  // any) is the delivery's client, so the test shows in that client's delivery log. Without one, the
  // request names it: every command needs a client id, and the operator's address must not become one.
  const clientId = channel === 'inapp' || channel === 'webhook' ? to : sample?.id ?? `test:${input.requestId}`;
  return addressedDelivery({
    sourceType: 'test', sourceId: input.requestId, clientId, channel,
    address: channel === 'push' ? clientId : to,
    deviceTokens: channel === 'push' ? [to] : [],
    content: input.content,
    timezone: sample?.timezone ?? 'UTC',
    expiresAt: now + TEST_SEND_TTL_MS,
    reason: `test send of template ${input.templateId}`,
    now,
  });
}
