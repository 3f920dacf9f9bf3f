import { assertUnreachable, VestnikError } from '../../platform/errors';
import type { Redis } from '../../platform/redis/client';
import { VIEW_OFFSET_PREFIX } from '../../platform/redis/keys';
import type { ViewOp } from './plan';

/**
 * Applies a planned batch in one MULTI/EXEC, so a reader never sees a doc without its indexes nor an
 * applied offset ahead of the writes it stands for (read-your-writes waits on that offset).
 *
 * A Redis Cluster keeps a doc, its indexes and the offsets in different slots, where no MULTI reaches: there
 * the ops go in their planned order (per key, one connection per node keeps it), and the offsets, which the
 * plan puts last, only once every other op is acknowledged. A reader may then see a doc before its index
 * entries or the other way round for a moment, which every reader already allows (the directory skips an id
 * without a doc, and a fan-out checks each doc against its filter); read-your-writes still holds.
 */
export async function applyViewOps(redis: Redis, ops: readonly ViewOp[]): Promise<void> {
  if (ops.length === 0) return;
  if (redis.isCluster) {
    const offsetsFrom = firstOffsetOp(ops);
    await Promise.all(ops.slice(0, offsetsFrom).map((op) => send(redis, op)));
    await Promise.all(ops.slice(offsetsFrom).map((op) => send(redis, op)));
    return;
  }
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

/** Where the plan's trailing view-offset writes begin (plan.ts ends every batch with them). */
function firstOffsetOp(ops: readonly ViewOp[]): number {
  let at = ops.length;
  while (at > 0 && ops[at - 1]!.key.startsWith(VIEW_OFFSET_PREFIX)) at -= 1;
  return at;
}

/** One op as its own command (a Redis Cluster routes each to its key's node). */
function send(redis: Redis, op: ViewOp): Promise<unknown> {
  switch (op.op) {
    case 'set':
      return redis.set(op.key, op.value);
    case 'del':
      return redis.del(op.key);
    case 'zadd':
      return redis.zadd(op.key, op.score, op.member);
    case 'zrem':
      return redis.zrem(op.key, op.member);
    default:
      return assertUnreachable(op);
  }
}
