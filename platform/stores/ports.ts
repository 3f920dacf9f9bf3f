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
  remove(id: string, options?: WriteCondition): Promise<boolean>;
  /**
   * Read-check-write as one step (no other write of this id lands in between): `change` sees the
   * current value (null when absent) and returns the next one, null to remove it, or undefined to write
   * nothing. With `ifMatch`, a current value whose etag differs (or an absent one) fails with
   * PRECONDITION_FAILED before `change` runs. Resolves once the view shows the result.
   */
  update(id: string, change: (current: T | null) => T | null | undefined, options?: WriteCondition): Promise<Updated<T>>;
}

/** An optimistic-concurrency condition: the etag (etagOf) the writer last read. */
export interface WriteCondition {
  ifMatch?: string;
}

/** What an update left: the value as the view now shows it (null when absent) and its etag. */
export interface Updated<T> {
  value: T | null;
  etag: string | null;
  /** False when `change` returned undefined (or the value was already what it asked for). */
  written: boolean;
}

/** Produces one record to an Avro topic. */
export interface EventPublisher {
  /**
   * Fills Avro defaults of absent fields, validates against the topic's schema (throws VestnikError
   * VALIDATION_FAILED with `details` = the failing field paths) and produces with the given key.
   */
  publish(topic: TopicName, key: string, value: unknown): Promise<void>;
}
