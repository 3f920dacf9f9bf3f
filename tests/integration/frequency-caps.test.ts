import { silentLogger } from '../../platform/logger';
import { createRedis, type Redis } from '../../platform/redis/client';
import { describeFrequencyCapsContract } from '../contracts/frequency-caps';
import { deleteKeysWithPrefix, TEST_REDIS_URL } from '../support/redis';
import { uniqueName } from '../support/unique';

/** The frequency caps' contract (tests/contracts/frequency-caps.ts) on the shared single Redis. */
const prefix = `vestnik-test-${uniqueName('caps')}:`;
let redis: Redis;
let other: Redis;

beforeAll(() => {
  redis = createRedis({ url: TEST_REDIS_URL, keyPrefix: prefix, logger: silentLogger, name: 'caps-test' });
  other = createRedis({ url: TEST_REDIS_URL, keyPrefix: prefix, logger: silentLogger, name: 'caps-test-2' });
});
afterAll(async () => {
  await deleteKeysWithPrefix(prefix);
  await Promise.all([redis.quit(), other.quit()]);
});

describeFrequencyCapsContract('one Redis', () => ({ redis, other }), () => deleteKeysWithPrefix(prefix));
