import type { Message, Producer } from 'kafkajs';
import type { DelayQueue } from '../../platform/redis/delay-queue';

/** Records moved per Kafka request; the scheduler keeps pumping while pages come back full. */
export const DELAY_PAGE_SIZE = 500;

/**
 * Moves due delayed records (retries, deferred deliveries) from the Redis delay queue back to their Kafka
 * topics as they were encoded, with the trace headers they were queued with (a retry goes on in its
 * message's trace): one Kafka request and one ack per page. Produce-then-ack is at-least-once; senders'
 * claims make a record produced twice harmless.
 */
export function createDelayPump(deps: { queue: DelayQueue; producer: Producer; pageSize?: number }) {
  const pageSize = deps.pageSize ?? DELAY_PAGE_SIZE;
  return async function pumpDelayed(now: number): Promise<number> {
    const due = await deps.queue.takeDue(now, pageSize);
    if (due.length === 0) return 0;
    const byTopic = new Map<string, Message[]>();
    for (const record of due) {
      const messages = byTopic.get(record.topic) ?? [];
      messages.push({ key: record.key, value: record.payload, headers: record.headers });
      byTopic.set(record.topic, messages);
    }
    await deps.producer.sendBatch({ topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
    await deps.queue.ack(due);
    return due.length;
  };
}
