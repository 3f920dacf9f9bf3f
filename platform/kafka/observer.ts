/** Counts of one batch attempt, for metrics. */
export interface BatchMetrics {
  topic: string;
  partition: number;
  attempt: number;
  outcome: 'processed' | 'retrying' | 'batch-dead-lettered';
  /** Records in the batch as fetched. */
  received: number;
  /** Records the handler took without flagging them. */
  handled: number;
  deadLettered: number;
  /** The dead letters this group wrote, by reason code (ErrorCode: a bounded set). */
  deadLetterCodes: Readonly<Record<string, number>>;
  durationMs: number;
}

/**
 * What the Kafka layer reports about itself, for metrics: every batch attempt of every consumer group,
 * failed produce requests and failed offset commits. The process's composition root builds one (cli/metrics)
 * and gives it to createKafka, so every consumer and producer made from that client reports without each
 * stage passing a hook along (the same way the client carries its topic names). A client without one
 * reports nowhere. Observers are called synchronously and must not throw (a throw is logged and ignored).
 */
export interface KafkaObserver {
  /** One batch attempt of `groupId` settled (processed, retrying or dead-lettered as a whole). */
  batch?(groupId: string, metrics: BatchMetrics): void;
  /** A produce request failed; `records` per logical topic it carried. */
  produceFailed?(records: ReadonlyMap<string, number>): void;
  /** kafkajs answered a produce request without some partitions (every-partition.ts); `records` per logical topic were sent again. */
  produceResent?(records: ReadonlyMap<string, number>): void;
  /** Committing `groupId`'s offsets failed (the batch will be read again). */
  commitFailed?(groupId: string): void;
}

/** Clients made by createKafka carry their observer; any other kafkajs client has none. */
export interface WithKafkaObserver {
  readonly vestnikObserver: KafkaObserver;
}

export const NO_KAFKA_OBSERVER: KafkaObserver = Object.freeze({});

/** The observer of a client: its own when createKafka was given one, else one that reports nowhere. */
export function kafkaObserverOf(kafka: object): KafkaObserver {
  return (kafka as Partial<WithKafkaObserver>).vestnikObserver ?? NO_KAFKA_OBSERVER;
}

/** Calls an observer method, logging instead of failing the Kafka work it reports on. */
export function observe(report: () => void, onError: (error: unknown) => void): void {
  try {
    report();
  } catch (error) {
    onError(error);
  }
}
