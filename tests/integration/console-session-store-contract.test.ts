/** The ConsoleSessionStore contract (tests/contracts/console-session-store.ts) on real Redis; the double runs it in the unit tier. */
import { setTimeout as delay } from 'node:timers/promises';
import { createRedisConsoleSessionStore, cookieHash } from '../../ingest/console/session-store';
import { silentLogger } from '../../platform/logger';
import { createRedis, type Redis } from '../../platform/redis/client';
import { describeConsoleSessionStoreContract } from '../contracts/console-session-store';
import { deleteKeysWithPrefix } from '../support/redis';
import { uniqueName } from '../support/unique';

const prefix = `vestnik-test-${uniqueName('console')}:`;
let redis: Redis;
let run = 0;

beforeAll(() => {
  redis = createRedis({ url: 'redis://127.0.0.1:6379', keyPrefix: prefix, logger: silentLogger, name: 'console-session-contract' });
});

afterAll(async () => {
  await deleteKeysWithPrefix(prefix);
  await redis.quit();
});

// Real time passes on Redis: the TTLs are real milliseconds.
describeConsoleSessionStoreContract('Redis', () => {
  run += 1;
  return createRedisConsoleSessionStore(redis);
}, () => `real${run}`, (ms) => delay(ms));

it('keeps sessions under a hash of the cookie, never the cookie itself', async () => {
  const store = createRedisConsoleSessionStore(redis);
  const cookie = 'cookie-value-that-must-not-appear';
  await store.save(cookie, { subject: 's', name: 'n', role: 'viewer', csrfToken: 'c', createdAt: 0, expiresAt: 1 }, 60_000);
  const keys = await redis.keys("*"); // ioredis prefixes the pattern and returns full names
  expect(keys).toContain(`${prefix}console:session:${cookieHash(cookie)}`);
  expect(keys.join(' ')).not.toContain(cookie);
});
