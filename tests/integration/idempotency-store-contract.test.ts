/** The IdempotencyStore contract (tests/contracts/idempotency-store.ts) on real Redis; the double runs it in the unit tier. */
import { createRedisIdempotencyStore } from '../../ingest/middleware/idempotency-store';
import { silentLogger } from '../../platform/logger';
import { createRedis, type Redis } from '../../platform/redis/client';
import { describeIdempotencyStoreContract } from '../contracts/idempotency-store';
import { deleteKeysWithPrefix } from '../support/redis';
import { uniqueName } from '../support/unique';

const prefix = `vestnik-test-${uniqueName('idem')}:`;
let redis: Redis;
let run = 0;

beforeAll(() => {
  redis = createRedis({ url: 'redis://127.0.0.1:6379', keyPrefix: prefix, logger: silentLogger, name: 'idempotency-contract' });
});

afterAll(async () => {
  await deleteKeysWithPrefix(prefix);
  await redis.quit();
});

describeIdempotencyStoreContract('Redis', () => {
  run += 1;
  return createRedisIdempotencyStore(redis);
}, () => `real${run}`);
