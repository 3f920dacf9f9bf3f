import { assertUnreachable, VestnikError } from '../../platform/errors';
import type { Redis } from '../../platform/redis/client';
import type { ViewOp } from './plan';

/**
 * Applies a planned batch in one MULTI/EXEC, so a reader never sees a doc without its indexes nor an
 * applied offset ahead of the writes it stands for (read-your-writes waits on that offset).
 */
export async function applyViewOps(redis: Redis, ops: readonly ViewOp[]): Promise<void> {
  if (ops.length === 0) return;
  const multi = redis.multi();
  for (const op of ops) {
    switch (op.op) {
      case 'set':
        multi.set(op.key, op.value);
        break;
      case 'del':
        multi.del(op.key);
        break;
      case 'zadd':
        multi.zadd(op.key, op.score, op.member);
        break;
      case 'zrem':
        multi.zrem(op.key, op.member);
        break;
      default:
        assertUnreachable(op);
    }
  }
  // Redis being down fails exec() with REDIS_UNAVAILABLE (the Redis edge): the consumer retries the batch,
  // and every op is idempotent. exec() yields null when the transaction was discarded; a per-command
  // error aborts nothing in Redis, so report it as the edge classified it (WRONGTYPE is not retried).
  const results = await multi.exec();
  if (results === null) throw new VestnikError('DEPENDENCY_UNAVAILABLE', 'redis view update discarded', { retriable: true });
  const failed = results.find(([error]) => error)?.[0];
  if (failed) throw failed;
}
