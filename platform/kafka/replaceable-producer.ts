import type { Producer } from 'kafkajs';

/**
 * kafkajs's idempotent producer numbers each partition's batches under a producer id. When a partition's
 * leader dies mid-request, the new leader can disagree with its numbering (OUT_OF_ORDER_SEQUENCE_NUMBER and
 * kin); kafkajs takes these for final, and the same producer then fails every later send to that partition.
 * Measured on the cluster world (tests/integration/cluster-world.test.ts, before this): after a `kill -9` of
 * a leader, every status the bulk senders produced failed, and 2,583 commands went to the dead letters. The
 * Java client gets a new producer id then; kafkajs does not, so we make a new producer.
 */
const PRODUCER_STATE_ERRORS = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID', 'INVALID_PRODUCER_EPOCH', 'INVALID_PRODUCER_ID_MAPPING',
]);

/** Whether `error` (or an error it wraps) says the producer's id or sequence numbers are no longer valid. */
export function isProducerStateError(error: unknown): boolean {
  for (let at: unknown = error; at instanceof Error; at = at.cause) {
    if (PRODUCER_STATE_ERRORS.has((at as { type?: unknown }).type as string)) return true;
  }
  return false;
}

export interface ReplaceableProducer {
  /** Connects the current producer once (again after a replacement); a failure lets the next call try again. */
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  /**
   * Runs `send` on the current producer, connected. After a producer-state error the producer is replaced
   * by a new one (and the old one disconnected) before the error is thrown on: the caller's retry goes out
   * under a new producer id. A record of the failed request may then be written twice; every consumer
   * de-duplicates (DESIGN.md: deterministic ids, claims), so that costs a repeated record, not a message.
   */
  send<T>(send: (producer: Producer) => Promise<T>): Promise<T>;
}

/** `make` builds each producer after `initial` (by default the first one too). */
export function createReplaceableProducer(make: () => Producer, onReplaced: (error: unknown) => void, initial: Producer = make()): ReplaceableProducer {
  let producer = initial;
  let connecting: Promise<void> | null = null;
  const connect = (): Promise<void> => {
    connecting ??= producer.connect().catch((error: unknown) => {
      connecting = null;
      throw error;
    });
    return connecting;
  };
  return {
    connect,
    async disconnect() {
      connecting = null;
      await producer.disconnect();
    },
    async send(send) {
      await connect();
      const used = producer;
      try {
        return await send(used);
      } catch (error) {
        // Only once per broken producer: concurrent sends that fail on it find it replaced already.
        if (isProducerStateError(error) && used === producer) {
          producer = make();
          connecting = null;
          void used.disconnect().catch(() => undefined);
          onReplaced(error);
        }
        throw error;
      }
    },
  };
}
