/** The stores the HTTP API reads and writes through: Kafka state topics + the Redis directory view. */
export { waitForView, type WaitForViewOptions } from './wait-for-view';
export { createKafkaBackedStore, type KafkaBackedStoreOptions, type StoreFilter, type StoreKind } from './kafka-backed-store';
export { createClientStore, createMailingStore, createTemplateStore, clientIndexFor, clientMatches, type ResourceStoreOptions } from './resource-stores';
export { createRunStatusOverlay, effectiveMailingStatus } from './mailing-status';
export { createEventPublisher } from './event-publisher';
