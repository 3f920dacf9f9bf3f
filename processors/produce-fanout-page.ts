/**
 * One fan-out page to Kafka: its new commands and its first statuses, both as page records
 * (domain/deliveries/command-page.ts, status-page.ts), in as few produce requests as Kafka's batch limit
 * allows: one, unless the page's contents are large. The statuses go with the last request, so a page's
 * `queued` statuses are written only once all its commands are. A failure part-way fails the page; the
 * fan-out's retry produces it again with the same ids (commands claimed once, statuses counted once).
 */
import type { TypedProducer } from '../platform/kafka';
import { fanoutCommandRequests } from '../domain/deliveries/command-page';
import { statusPagesBatch } from '../domain/deliveries/status-page';
import type { DeliveryCommand, DeliveryStatus, Priority } from '../schemas/types';

export async function produceFanoutPage(
  producer: Pick<TypedProducer, 'sendBatch'>, commands: readonly DeliveryCommand[], priority: Priority, statuses: readonly DeliveryStatus[],
): Promise<void> {
  const requests = fanoutCommandRequests(commands, priority);
  const last = requests.pop();
  for (const request of requests) await producer.sendBatch([request]);
  await producer.sendBatch([...(last ? [last] : []), statusPagesBatch(statuses)]);
}
