import type { Kafka, Producer, ProducerBatch, ProducerConfig, ProducerRecord, RecordMetadata } from 'kafkajs';
import { topicNamesOf, type TopicNames } from './topic-names';

/**
 * A plain kafkajs producer for records that are already encoded (the delay queue's), taking logical topic
 * names like the typed producer: the client's topic prefix is applied to what it sends and taken off the
 * metadata it returns.
 */
export function createRawProducer(kafka: Kafka, config?: ProducerConfig): Producer {
  const producer = kafka.producer(config);
  const names = topicNamesOf(kafka);
  if (names.prefix === '') return producer;
  return {
    ...producer,
    send: async (record: ProducerRecord) => logicalMetadata(names, await producer.send({ ...record, topic: names.physical(record.topic) })),
    sendBatch: async (batch: ProducerBatch) => logicalMetadata(names, await producer.sendBatch({
      ...batch, topicMessages: batch.topicMessages?.map((t) => ({ ...t, topic: names.physical(t.topic) })),
    })),
  };
}

function logicalMetadata(names: TopicNames, metadata: RecordMetadata[]): RecordMetadata[] {
  return metadata.map((m) => ({ ...m, topicName: names.logical(m.topicName) }));
}
