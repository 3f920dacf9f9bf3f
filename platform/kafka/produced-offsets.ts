import type { Message, RecordMetadata } from 'kafkajs';
import { VestnikError } from '../errors';
import type { ProducedRecord } from './types';

/**
 * The offset of every record of one produce request. The broker answers with the base offset of each
 * partition's record batch; kafkajs writes one batch per partition per request, in the order given,
 * so the n-th record sent to a partition sits at baseOffset + n.
 */
export function recordOffsets(
  topic: string,
  messages: readonly Message[],
  metadata: readonly RecordMetadata[],
  partitionOf: (message: Message) => number | undefined,
): ProducedRecord[] {
  const nextIndex = new Map<number, number>();
  return messages.map((message) => {
    const partition = partitionOf(message);
    const base = metadata.find((m) => m.topicName === topic && m.partition === partition)?.baseOffset;
    if (partition === undefined || base === undefined) {
      throw new VestnikError('INTERNAL', 'produce response lacks the partition of a record', {
        details: { topic, partition },
      });
    }
    const index = nextIndex.get(partition) ?? 0;
    nextIndex.set(partition, index + 1);
    return { topic, partition, offset: (BigInt(base) + BigInt(index)).toString() };
  });
}
