import { randomUUID } from 'node:crypto';
import { VestnikError } from '../errors';
import type { Redis } from '../redis/client';

/**
 * A short per-resource mutex in Redis (SET NX PX with an owner token, released by a script that deletes
 * only its own token). The kafka-backed store holds it around read → check → produce → wait-for-view,
 * so two writers of one id never both decide from the same stale read (a lost update).
 *
 * The lease bounds how long a crashed holder blocks others; it is longer than the store's whole write
 * (produce + view wait), so a live holder keeps it. A holder paused past its lease (a multi-second GC
 * or network stall) can still overlap the next one: the lock is an efficiency-grade guard with a
 * generous lease, not a fenced one (the notes say what fencing would take).
 */
export interface ResourceLock {
  /** Runs `critical` while holding `key`; waits up to the configured time, then fails retriably. */
  run<R>(key: string, critical: () => Promise<R>): Promise<R>;
}

export interface ResourceLockOptions {
  redis: Redis;
  leaseMs: number;
  /** How long to wait for a busy lock before failing with DEPENDENCY_UNAVAILABLE (the API's 503). */
  waitMs: number;
  pollMs?: number;
}

const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export function createResourceLock(options: ResourceLockOptions): ResourceLock {
  const { redis, leaseMs, waitMs } = options;
  const pollMs = options.pollMs ?? 10;
  const acquire = async (key: string, token: string): Promise<void> => {
    const deadline = Date.now() + waitMs;
    for (let attempt = 0; ; attempt++) {
      if ((await redis.set(key, token, 'PX', leaseMs, 'NX')) === 'OK') return;
      if (Date.now() >= deadline) {
        throw new VestnikError('DEPENDENCY_UNAVAILABLE', 'the resource is busy: another write holds it', { retriable: true, details: { key } });
      }
      // Jittered, growing pause: waiters do not poll in lockstep.
      const pause = Math.min(pollMs * 2 ** Math.min(attempt, 4), 200) * (0.5 + Math.random() / 2);
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  };
  return {
    async run(key, critical) {
      const token = randomUUID();
      await acquire(key, token);
      try {
        return await critical();
      } finally {
        // A failed release (Redis gone) is not the write's failure: the lease frees the key by itself.
        await redis.eval(RELEASE_SCRIPT, 1, key, token).catch(() => undefined);
      }
    },
  };
}
