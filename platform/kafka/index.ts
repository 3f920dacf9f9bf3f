/** The typed Kafka layer: one client factory, topic admin, a typed producer and the batch consumer. */
export { createKafka, pinoLogCreator, DEFAULT_KAFKA_RETRY, type KafkaClient, type KafkaClientOptions } from './client';
export { createTopicNames, topicNamesOf, UNPREFIXED_TOPICS, type TopicNames } from './topic-names';
export { kafkaConnectionOptions, SASL_MECHANISMS, type KafkaSecurity, type SaslMechanism } from './security';
export { kafkaObserverOf, NO_KAFKA_OBSERVER, type KafkaObserver } from './observer';
export { fetchConsumerLag, fetchGroupLag } from './lag';
export { createRawProducer } from './raw-producer';
export { javaCompatiblePartitioner, murmur2, partitionOfKey } from './partitioner';
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
