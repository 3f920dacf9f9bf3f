/**
 * Which partition a produced record goes to: Java's default partitioner (murmur2 of the key, positive,
 * modulo the topic's partitions), so keys land where every other Kafka client puts them.
 *
 * kafkajs ships the same function, but computes it with a 64-bit Long object per step: in the fan-out's
 * profile it took 8% of the process (issue 15). murmur2 is 32-bit arithmetic throughout, which
 * `Math.imul` does natively; the hashes are the same (partitioner.test.ts checks Kafka's own test vectors
 * and random keys against kafkajs's function).
 */
import { Partitioners, type ICustomPartitioner, type Message } from 'kafkajs';

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/** Kafka's murmur2 (org.apache.kafka.common.utils.Utils.murmur2) of the key's bytes, as a signed 32-bit int. */
export function murmur2(key: string | Buffer): number {
  const data = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
  const length = data.length;
  const whole = length & ~3;
  let h = SEED ^ length;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  // The last one to three bytes (the Java original's fall-through switch).
  const tail = length & 3;
  if (tail > 0) {
    if (tail === 3) h ^= data[whole + 2]! << 16;
    if (tail >= 2) h ^= data[whole + 1]! << 8;
    h ^= data[whole]!;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** The partition of a keyed record among `partitions`: the Java client's choice. */
export function partitionOfKey(key: string | Buffer, partitions: number): number {
  return (murmur2(key) & 0x7fffffff) % partitions;
}

/**
 * kafkajs's partitioner hook with the choice above, telling `chosen` each record's partition (the typed
 * producer computes produced offsets from it). A record with its own partition keeps it; one without a key goes
 * round-robin, as kafkajs's default does (no Vestnik record is unkeyed, so that path is not worth owning).
 */
export function javaCompatiblePartitioner(chosen?: (message: Message, partition: number) => void): ICustomPartitioner {
  return () => {
    const unkeyed = Partitioners.DefaultPartitioner();
    return (args) => {
      const { message, partitionMetadata } = args;
      let partition: number;
      if (message.partition !== null && message.partition !== undefined) partition = message.partition;
      else if (message.key !== null && message.key !== undefined) partition = partitionOfKey(message.key, partitionMetadata.length);
      else partition = unkeyed(args);
      chosen?.(message, partition);
      return partition;
    };
  };
}
