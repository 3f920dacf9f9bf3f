/** The typed Kafka layer: one client factory, topic admin, a typed producer and the batch consumer. */
export { createKafka, pinoLogCreator, DEFAULT_KAFKA_RETRY, type KafkaClientOptions } from './client';
export { ensureTopics, type EnsureTopicsOptions, type EnsureTopicsResult, type KafkaTopicSpec } from './admin';
export { createTypedProducer, type TypedProducer, type TypedProducerOptions, type TopicBatch } from './producer';
export {
  createBatchConsumer,
  type BatchConsumer,
  type BatchConsumerOptions,
  type BatchContext,
  type BatchHandler,
  type BatchMetrics,
  type ConsumedTopic,
  type PartitionLag,
  type RetryPolicy,
} from './consumer';
export type { DecodedRecord, OutgoingRecord, ProducedRecord, RecordHeaders, SchemaOfTopic, TopicValue } from './types';
