/**
 * The API's own ports: health probes, the clock and ids. The ports it shares with the stages below
 * live beside their implementations: resource stores in platform/stores/ports, statistics in
 * analytics/ports, run records in domain/notification-run, recurring requests in processors/scheduler.
 */

/** A dependency probed by GET /healthz. */
export interface HealthCheck {
  /** Short name shown in the health document, e.g. `kafka`. */
  name: string;
  /** Resolves when the dependency answers; throws (with a short message) when it is down. */
  check(): Promise<void>;
}

/** Wall-clock time, injectable so tests control "now". */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

/** Generates a fresh unique id (uuid v4 in production). */
export type IdGenerator = () => string;

/**
 * One place that keeps a person's data outside the directory (the in-app inbox, links issued to them,
 * the analytics rows). Erasing is idempotent: erasing what is already gone succeeds.
 */
export interface PersonalDataEraser {
  /** Short name for logs and errors, e.g. `inapp-inbox`. */
  name: string;
  erase(clientId: string): Promise<void>;
}

/** The number of clients a mailing filter reaches, by the fan-out's rule (ingest/audience-size.ts over the directory view). */
export interface AudienceSize {
  of(filter: { operatorCodes: string[]; tags: string[] }): Promise<number>;
}

/** What is waiting in Kafka, for the console overview (ingest/pipeline-backlog.ts over the admin API). */
export interface PipelineBacklog {
  /** Committed lag per consumer group and topic (summed over partitions). */
  consumerLag(): Promise<{ group: string; topic: string; lag: number }[]>;
  /** Records on the deployment's dead-letter topic (end minus start offsets, over partitions). */
  deadLetters(): Promise<number>;
}

/** Puts one delivery command on deliveries.express with its `queued` status (domain/deliveries/express.ts). */
export type { ExpressDeliveries } from '../domain/deliveries/express';
