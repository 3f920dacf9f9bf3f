import type { Kafka, Producer, ProducerBatch, ProducerConfig, ProducerRecord, RecordMetadata } from 'kafkajs';
import { kafkaObserverOf, observe } from './observer';
import { topicNamesOf, type TopicNames } from './topic-names';

/**
 * A plain kafkajs producer for records that are already encoded (the delay queue's), taking logical topic
 * names like the typed producer: the client's topic prefix is applied to what it sends and taken off the
 * metadata it returns. A failed request is reported to the client's observer (metrics) and thrown on.
 */
export function createRawProducer(kafka: Kafka, config?: ProducerConfig): Producer {
  const producer = kafka.producer(config);
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
    ...producer,
    send: (record: ProducerRecord) => reported(
      new Map([[record.topic, record.messages.length]]),
      async () => logicalMetadata(names, await producer.send({ ...record, topic: names.physical(record.topic) })),
    ),
    sendBatch: (batch: ProducerBatch) => reported(
      new Map((batch.topicMessages ?? []).map((t) => [t.topic, t.messages.length] as const)),
      async () => logicalMetadata(names, await producer.sendBatch({
        ...batch, topicMessages: batch.topicMessages?.map((t) => ({ ...t, topic: names.physical(t.topic) })),
      })),
    ),
  };
}

function logicalMetadata(names: TopicNames, metadata: RecordMetadata[]): RecordMetadata[] {
  if (names.prefix === '') return metadata;
  return metadata.map((m) => ({ ...m, topicName: names.logical(m.topicName) }));
}
