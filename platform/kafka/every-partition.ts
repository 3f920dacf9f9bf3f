import type { Message, RecordMetadata, TopicMessages } from 'kafkajs';
import { VestnikError } from '../errors';

/** Sends after the first that a request's missing partitions get before the request fails (retriably). */
const MAX_RESENDS = 3;

/**
 * kafkajs 2.2 can resolve a `sendBatch` without some of its partitions, and without an error. When a
 * partition's leader answers NOT_LEADER, kafkajs retries by grouping the records by their new leaders, but
 * it skips every broker that answered the first try: a partition whose leadership moved onto such a broker
 * is never sent again (tulios/kafkajs#1798, open). Found on the cluster world: a notification's page of
 * commands was dropped when a restarted broker took its partitions back.
 *
 * A produce answer names every partition of the request it answers, so a partition missing from the answer
 * was not written by the last try. Its records are sent again, pinned to the partition they were given
 * (the partitioner keeps `message.partition`), so each partition's records stay one batch of one answer,
 * in order (produced-offsets.ts counts on that). A record an earlier, failed try did write is then written
 * twice; every consumer de-duplicates (DESIGN.md: deterministic ids, claims).
 *
 * `send` gets physical topic names and answers with physical names; `partitionOf` tells the partition the
 * partitioner gave a message (a message it never saw is not checked); `onResent` hears each resend's
 * records per topic, for metrics.
 */
export async function sendEveryPartition(
  send: (topicMessages: TopicMessages[]) => Promise<RecordMetadata[]>,
  topicMessages: readonly TopicMessages[],
  partitionOf: (message: Message) => number | undefined,
  onResent?: (records: ReadonlyMap<string, number>) => void,
): Promise<RecordMetadata[]> {
  const answers: RecordMetadata[] = [];
  let pending: TopicMessages[] = [...topicMessages];
  for (let resends = 0; ; resends++) {
    const answered = await send(pending);
    answers.push(...answered);
    const missing = unanswered(pending, answered, partitionOf);
    if (missing.length === 0) return answers;
    if (resends === MAX_RESENDS) {
      throw new VestnikError('DEPENDENCY_UNAVAILABLE', 'kafka answered a produce request without some of its partitions', {
        retriable: true, details: { partitions: missing.map(({ topic, messages }) => `${topic}/${partitionOf(messages[0]!)}`) },
      });
    }
    onResent?.(new Map(missing.map(({ topic, messages }) => [topic, messages.length] as const)));
    pending = missing.map(({ topic, messages }) => ({ topic, messages: messages.map((message) => ({ ...message, partition: partitionOf(message) })) }));
  }
}

/** The records of `sent` whose partition the answer does not name, per topic (topics with none left out). */
function unanswered(sent: readonly TopicMessages[], answered: readonly RecordMetadata[], partitionOf: (message: Message) => number | undefined): TopicMessages[] {
  const named = new Set(answered.map((m) => `${m.topicName}\u0000${m.partition}`));
  return sent.flatMap(({ topic, messages }) => {
    const left = messages.filter((message) => {
      const partition = partitionOf(message);
      return partition !== undefined && !named.has(`${topic}\u0000${partition}`);
    });
    return left.length > 0 ? [{ topic, messages: left }] : [];
  });
}
