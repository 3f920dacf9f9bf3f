import type { Kafka, Producer, ProducerBatch, ProducerConfig, ProducerRecord, RecordMetadata } from 'kafkajs';
import { kafkaObserverOf, observe } from './observer';
import { createReplaceableProducer } from './replaceable-producer';
import { topicNamesOf, type TopicNames } from './topic-names';

/**
 * A plain kafkajs producer for records that are already encoded (the delay queue's), taking logical topic
 * names like the typed producer: the client's topic prefix is applied to what it sends and taken off the
 * metadata it returns. A failed request is reported to the client's observer (metrics) and thrown on; after
 * a producer-state error the next request goes out on a new producer.
 */
export function createRawProducer(kafka: Kafka, config?: ProducerConfig): Producer {
  const first = kafka.producer(config);
  // A new producer after a producer-state error (a leader change; replaceable-producer.ts); the delay pump
  // that uses this one logs the failed send and retries it.
  const producer = createReplaceableProducer(() => kafka.producer(config), () => undefined, first);
  const names = topicNamesOf(kafka);
  const observer = kafkaObserverOf(kafka);
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
    send: (record: ProducerRecord) => reported(
      new Map([[record.topic, record.messages.length]]),
      async () => logicalMetadata(names, await producer.send((current) => current.send({ ...record, topic: names.physical(record.topic) }))),
    ),
    sendBatch: (batch: ProducerBatch) => reported(
      new Map((batch.topicMessages ?? []).map((t) => [t.topic, t.messages.length] as const)),
      async () => logicalMetadata(names, await producer.send((current) => current.sendBatch({
        ...batch, topicMessages: batch.topicMessages?.map((t) => ({ ...t, topic: names.physical(t.topic) })),
      }))),
    ),
  };
}

function logicalMetadata(names: TopicNames, metadata: RecordMetadata[]): RecordMetadata[] {
  if (names.prefix === '') return metadata;
  return metadata.map((m) => ({ ...m, topicName: names.logical(m.topicName) }));
}
