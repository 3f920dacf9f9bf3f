/**
 * A message Vestnik sends to an address it is given rather than to a client's (a template's test send,
 * ingest/test-send.ts; the daily statistics email, processors/scheduler/daily-report.ts): one express
 * delivery command with its `queued` status, built by the one builder of deliveries (build.ts), produced
 * in one Kafka request onto deliveries.express and deliveries.status. From there it is an ordinary
 * delivery: the express senders claim it once, call the provider, retry and record its statuses.
 */
import type { TypedProducer } from '../../platform/kafka';
import { TOPICS } from '../../platform/topics';
import type { Channel, DeliveryCommand, DeliveryStatus, MessageContent, SourceType } from '../../schemas/types';
import { commandOf, deliveryOf, statusOf } from './build';

/** Puts one delivery command on deliveries.express with its `queued` status. */
export interface ExpressDeliveries {
  enqueue(command: DeliveryCommand, status: DeliveryStatus): Promise<void>;
}

export interface AddressedDeliveryInput {
  sourceType: SourceType;
  sourceId: string;
  /** Whose delivery it is in the statistics and delivery logs ('' for nobody's); with the source, it makes the delivery id. */
  clientId: string;
  channel: Channel;
  /** Where it goes: a phone, an email address, a client id (in-app) or the client (push: see deviceTokens). */
  address: string;
  deviceTokens?: string[];
  content: MessageContent;
  timezone: string;
  /** Past this it is `expired`, never sent. */
  expiresAt: number;
  /** The reason on its `queued` status (what it is). */
  reason: string;
  now: number;
}

/** The express command to an explicit address and its `queued` status. */
export function addressedDelivery(input: AddressedDeliveryInput): { command: DeliveryCommand; status: DeliveryStatus } {
  const delivery = deliveryOf({
    sourceType: input.sourceType, sourceId: input.sourceId, clientId: input.clientId, channel: input.channel, priority: 'express',
  });
  const command = commandOf(delivery, {
    address: input.address, deviceTokens: input.deviceTokens ?? [], content: input.content, timezone: input.timezone, expiresAt: input.expiresAt,
  }, input.now);
  return { command, status: statusOf(delivery, 'queued', input.now, input.reason) };
}

/** The port over the typed producer: the command and its status in one request (as the fan-outs produce). */
export function createExpressDeliveries(producer: Pick<TypedProducer, 'sendBatch'>): ExpressDeliveries {
  return {
    async enqueue(command, status) {
      await producer.sendBatch([
        { topic: TOPICS.deliveriesExpress, records: [{ key: command.clientId, value: command }] },
        { topic: TOPICS.deliveriesStatus, records: [{ key: status.deliveryId, value: status }] },
      ]);
    },
  };
}
