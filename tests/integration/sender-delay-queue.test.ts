import { silentLogger } from '../../platform/logger';
import { createRedis, type Redis } from '../../platform/redis/client';
import { createDelayQueue, type DelayQueue } from '../../platform/redis/delay-queue';
import { KEYS } from '../../platform/redis/keys';
import { deleteKeysWithPrefix, TEST_REDIS_URL } from '../support/redis';
import { uniqueName } from '../support/unique';

const prefix = `vestnik-test-${uniqueName('dq')}:`;
let redis: Redis;
let queue: DelayQueue;

beforeAll(() => {
  redis = createRedis({ url: TEST_REDIS_URL, keyPrefix: prefix, logger: silentLogger, name: 'test-delay-queue' });
  queue = createDelayQueue({ redis });
});
afterAll(async () => {
  await deleteKeysWithPrefix(prefix);
  await redis.quit();
});

const item = (id: string, dueAt: number, topic = 'deliveries.retry') => ({ topic, key: `k-${id}`, id, dueAt, payload: Buffer.from([0xc3, 0x01, id.length]) });

describe('delay queue on Redis', () => {
  it('hands out due records earliest first with their key and bytes, and keeps them until acked', async () => {
    await queue.scheduleNow([item('late', 3_000), item('first', 1_000), item('second', 2_000, 'deliveries.express')]);
    const due = await queue.takeDue(2_500, 10);
    expect(due.map((d) => [d.topic, d.id, d.key, d.dueAt])).toEqual([
      ['deliveries.retry', 'first', 'k-first', 1_000], ['deliveries.express', 'second', 'k-second', 2_000],
    ]);
    expect(due[0]?.payload.equals(item('first', 0).payload)).toBe(true);
    expect(await queue.takeDue(2_500, 10)).toHaveLength(2);
    expect(await queue.ack(due)).toBe(2);
    expect(await queue.takeDue(2_500, 10)).toEqual([]);
    expect(await queue.size()).toBe(1);
    expect(await redis.exists(KEYS.delayPayload('deliveries.retry|first'))).toBe(0);
  });

  it('respects the limit', async () => {
    await queue.scheduleNow([item('a', 10), item('b', 11), item('c', 12)]);
    expect((await queue.takeDue(100, 2)).map((d) => d.id)).toEqual(['a', 'b']);
  });

  it('keeps a record rescheduled after it was taken (ack compares the score)', async () => {
    await queue.scheduleNow([item('again', 50)]);
    const [taken] = await queue.takeDue(60, 10).then((all) => all.filter((d) => d.id === 'again'));
    await queue.scheduleNow([item('again', 5_000)]);
    expect(await queue.ack([taken!])).toBe(0);
    const [still] = (await queue.takeDue(6_000, 10)).filter((d) => d.id === 'again');
    expect(still?.dueAt).toBe(5_000);
  });

  it('writes in the caller\'s MULTI together with other commands', async () => {
    const multi = redis.multi().set('other', '1');
    queue.schedule(multi, [item('in-multi', 1)]);
    await multi.exec();
    expect(await redis.get('other')).toBe('1');
    expect((await queue.takeDue(1, 100)).some((d) => d.id === 'in-multi')).toBe(true);
  });
});

