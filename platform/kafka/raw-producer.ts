import type { ICustomPartitioner, Kafka, Message, Producer, ProducerBatch, ProducerConfig, ProducerRecord, RecordMetadata } from 'kafkajs';
import { sendEveryPartition } from './every-partition';
import { kafkaObserverOf, observe } from './observer';
import { createReplaceableProducer } from './replaceable-producer';
import { topicNamesOf, type TopicNames } from './topic-names';

/**
 * A plain kafkajs producer for records that are already encoded (the delay queue's), taking logical topic
 * names like the typed producer: the client's topic prefix is applied to what it sends and taken off the
 * metadata it returns. A failed request is reported to the client's observer (metrics) and thrown on; after
 * a producer-state error the next request goes out on a new producer.
 */
export function createRawProducer(kafka: Kafka, config: ProducerConfig & { createPartitioner: ICustomPartitioner }): Producer {
  // The partition each message was given, so a produce answer without some partitions is seen (every-partition.ts).
  const partitionOf = new WeakMap<Message, number>();
  const withPartitions: ProducerConfig = { ...config, createPartitioner: remembering(config.createPartitioner, partitionOf) };
  const first = kafka.producer(withPartitions);
  // A new producer after a producer-state error (a leader change; replaceable-producer.ts); the delay pump
  // that uses this one logs the failed send and retries it.
  const producer = createReplaceableProducer(() => kafka.producer(withPartitions), () => undefined, first);
  const names = topicNamesOf(kafka);
  const observer = kafkaObserverOf(kafka);
  const sendBatch = (topicMessages: ProducerBatch['topicMessages'] & object, batch: Omit<ProducerBatch, 'topicMessages'>) => sendEveryPartition(
    (pending) => producer.send((current) => current.sendBatch({ ...batch, topicMessages: pending })),
    topicMessages.map((t) => ({ ...t, topic: names.physical(t.topic) })), (message) => partitionOf.get(message),
    (records) => observe(() => observer.produceResent?.(new Map([...records].map(([topic, n]) => [names.logical(topic), n] as const))), () => undefined),
  );
  const reported = async (records: Map<string, number>, send: () => Promise<RecordMetadata[]>) => {
    try {
      return await send();
    } catch (error) {
      observe(() => observer.produceFailed?.(records), () => undefined);
      throw error;
    }
  };
  return {
    ...first,
    connect: () => producer.connect(),
    disconnect: () => producer.disconnect(),
    send: ({ topic, messages, ...rest }: ProducerRecord) => reported(
      new Map([[topic, messages.length]]),
      async () => logicalMetadata(names, await sendBatch([{ topic, messages }], rest)),
    ),
    sendBatch: ({ topicMessages = [], ...rest }: ProducerBatch) => reported(
      new Map(topicMessages.map((t) => [t.topic, t.messages.length] as const)),
      async () => logicalMetadata(names, await sendBatch(topicMessages, rest)),
    ),
  };
}

/** `create`'s partitioners, each also writing down the partition it gives a message. */
function remembering(create: ICustomPartitioner, partitionOf: WeakMap<Message, number>): ICustomPartitioner {
  return () => {
    const partitioner = create();
    return (args) => {
      const partition = partitioner(args);
      partitionOf.set(args.message, partition);
      return partition;
    };
  };
}

function logicalMetadata(names: TopicNames, metadata: RecordMetadata[]): RecordMetadata[] {
  if (names.prefix === '') return metadata;
  return metadata.map((m) => ({ ...m, topicName: names.logical(m.topicName) }));
}
