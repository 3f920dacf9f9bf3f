/**
 * The ports of the admin resources, beside their Kafka + Redis implementation (this folder): the API
 * and the processors program against these; tests/doubles has in-memory versions that pass the same
 * contract suite (tests/contracts/resource-store.ts).
 */
import type { TopicName } from '../topics';

/** One page of a listing; `nextCursor` is null on the last page. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A listing request: opaque cursor from the previous page, page size, and equality filters. */
export interface ListQuery {
  cursor?: string;
  limit: number;
  /** Field → required value; undefined entries mean "no filter on that field". */
  filter?: Record<string, string | undefined>;
}

/** An admin resource (clients, mailings, templates) kept in a compacted state topic with a Redis view. */
export interface ResourceStore<T extends { id: string }> {
  /** The current value, or null when absent (never created or removed). */
  get(id: string): Promise<T | null>;
  /** A page in a stable order; clients filter by `tag` and `operatorCode`, mailings by `status`. */
  list(query: ListQuery): Promise<Page<T>>;
  /** Publishes to the state topic and resolves once the Redis view shows it (read-your-writes). */
  put(value: T): Promise<void>;
  /** Publishes a tombstone; resolves true if the resource existed, once the view no longer shows it. */
  remove(id: string): Promise<boolean>;
}

/** Produces one record to an Avro topic. */
export interface EventPublisher {
  /**
   * Fills Avro defaults of absent fields, validates against the topic's schema (throws VestnikError
   * VALIDATION_FAILED with `details` = the failing field paths) and produces with the given key.
   */
  publish(topic: TopicName, key: string, value: unknown): Promise<void>;
}
