import { silentLogger } from '../../platform/logger';
import { createRedis, type Redis } from '../../platform/redis/client';
import { KEYS } from '../../platform/redis/keys';
import { TOPICS } from '../../platform/topics';
import { createLease } from '../../processors/scheduler/lease';
import { createScheduler } from '../../processors/scheduler/scheduler';
import { createRecordingProducer } from '../support/kafka-fakes';
import { deleteKeysWithPrefix, TEST_REDIS_URL } from '../support/redis';
import { uniqueName } from '../support/unique';
import { waitFor } from '../support/wait-for';

/** The scheduler lease (processors/scheduler/lease.ts) and the scheduler's use of it, on a real Redis. */
const prefix = `vestnik-test-${uniqueName('lease')}:`;
let redis: Redis;

beforeAll(() => {
  redis = createRedis({ url: TEST_REDIS_URL, keyPrefix: prefix, logger: silentLogger, name: 'scheduler-lease-test' });
});

afterEach(async () => {
  await deleteKeysWithPrefix(prefix);
});

afterAll(async () => {
  await redis.quit();
});

const KEY = 'test:lease';
const lease = (ownerId: string, ttlMs = 10_000) => createLease({ redis, key: KEY, ownerId, ttlMs });

describe('the lease', () => {
  it('is held by one owner at a time', async () => {
    const [a, b] = [lease('a'), lease('b')];
    expect(await a.acquireOrRenew()).toBe(true);
    expect(await b.acquireOrRenew()).toBe(false);
    expect(await a.holds()).toBe(true);
    expect(await b.holds()).toBe(false);
    expect(await redis.get(KEY)).toBe('a');
  });

  it('goes to exactly one of many owners asking at once', async () => {
    const owners = Array.from({ length: 20 }, (_, i) => lease(`owner-${i}`));
    const answers = await Promise.all(owners.map((o) => o.acquireOrRenew()));
    expect(answers.filter(Boolean)).toHaveLength(1);
    expect(await redis.get(KEY)).toBe(`owner-${answers.indexOf(true)}`);
  });

  it('is renewed to its full TTL by its holder', async () => {
    const a = lease('a', 10_000);
    await a.acquireOrRenew();
    await redis.pexpire(KEY, 100); // as if most of the TTL had passed
    expect(await a.acquireOrRenew()).toBe(true);
    expect(await redis.pttl(KEY)).toBeGreaterThan(5_000);
  });

  it('can never be extended by a non-owner', async () => {
    const [a, b] = [lease('a', 10_000), lease('b', 10_000)];
    await a.acquireOrRenew();
    await redis.pexpire(KEY, 5_000);
    for (let i = 0; i < 5; i += 1) expect(await b.acquireOrRenew()).toBe(false);
    expect(await redis.pttl(KEY)).toBeLessThanOrEqual(5_000);
    expect(await redis.get(KEY)).toBe('a');
  });

  it('passes to another owner once it expires, and the old holder cannot renew it back', async () => {
    const [a, b] = [lease('a', 200), lease('b', 10_000)];
    expect(await a.acquireOrRenew()).toBe(true);
    await waitFor(() => b.acquireOrRenew(), { timeoutMs: 5_000, description: 'b takes the expired lease' });
    expect(await a.acquireOrRenew()).toBe(false);
    expect(await a.holds()).toBe(false);
    expect(await redis.get(KEY)).toBe('b');
  });

  it('is released only by its holder', async () => {
    const [a, b] = [lease('a'), lease('b')];
    await a.acquireOrRenew();
    await b.release();
    expect(await redis.get(KEY)).toBe('a');
    await a.release();
    expect(await redis.exists(KEY)).toBe(0);
    expect(await b.acquireOrRenew()).toBe(true);
  });
});

describe('the scheduler under the lease', () => {
  /** A scheduler whose Kafka producer and delay pump are recording fakes; never started (no timers). */
  function scheduler(ownerId: string) {
    const producer = createRecordingProducer();
    const pumped: number[] = [];
    // Only the lifecycle loop asks analytics, and it is not started here.
    const stats = {} as Parameters<typeof createScheduler>[0]['stats'];
    const instance = createScheduler({
      redis, producer, stats, logger: silentLogger, ownerId, clock: { now: () => 10_000 },
      pumpDelayed: async (now) => {
        pumped.push(now);
        return 0;
      },
    });
    return { instance, producer, pumped };
  }

  it('acts in one instance per lease: the other does nothing until the holder stops', async () => {
    await redis.zadd(KEYS.mailingSchedule, 5_000, 'm-due');
    const first = scheduler('first');
    const second = scheduler('second');

    await first.instance.tick();
    await second.instance.tick();
    expect(first.pumped).toEqual([10_000]);
    expect(first.producer.sent.map((s) => [s.topic, s.records.map((r) => r.key)])).toEqual([[TOPICS.mailingStarted, ['m-due']]]);
    expect(second.pumped).toEqual([]);
    expect(second.producer.sent).toEqual([]);

    // The holder keeps it tick after tick; the other still does nothing.
    await first.instance.tick();
    await second.instance.tick();
    expect(first.pumped).toHaveLength(2);
    expect(second.pumped).toEqual([]);

    // Stopping releases the lease: the other takes over at its next tick, without waiting out the TTL.
    await first.instance.stop();
    await second.instance.tick();
    expect(second.pumped).toEqual([10_000]);
    expect(await redis.get(KEYS.schedulerLock)).toBe('second');
    await second.instance.stop();
    expect(await redis.exists(KEYS.schedulerLock)).toBe(0);
  });
});
