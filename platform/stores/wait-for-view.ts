import { VestnikError } from '../errors';
import type { Redis } from '../redis/client';
import { KEYS } from '../redis/keys';

export interface WaitForViewOptions {
  redis: Redis;
  topic: string;
  partition: number;
  /** The offset of the record just produced; Kafka offsets travel as decimal strings. */
  offset: string;
  timeoutMs?: number;
  pollMs?: number;
}

/**
 * Resolves once the directory view has applied `offset` of the partition (read-your-writes). The view
 * consumer stores the last applied offset in the same MULTI as the writes, so seeing the offset means
 * seeing the writes. Offsets are compared as BigInt: they may exceed 2^53.
 */
export async function waitForView(options: WaitForViewOptions): Promise<void> {
  const { redis, topic, partition, timeoutMs = 5_000, pollMs = 15 } = options;
  const wanted = BigInt(options.offset);
  const key = KEYS.viewOffset(topic, partition);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const applied = await redis.get(key);
    if (applied !== null && BigInt(applied) >= wanted) return;
    if (Date.now() >= deadline) {
      throw new VestnikError('DEPENDENCY_UNAVAILABLE', 'the directory view is behind', {
        retriable: true,
        details: { topic, partition, offset: options.offset, applied },
      });
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
