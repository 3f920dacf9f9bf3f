/** Resources kept in Kafka state topics and read from the Redis directory view (the clients, mailings and templates stores are built on these in domain/resources/stores). */
export { waitForView, type WaitForViewOptions } from './wait-for-view';
export { createKafkaBackedStore, type KafkaBackedStoreOptions, type StoreFilter, type StoreKind } from './kafka-backed-store';
export { createEventPublisher } from './event-publisher';
