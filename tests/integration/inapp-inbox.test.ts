import Redis from 'ioredis';
import { createInbox, type Inbox } from '../../senders/inapp/inbox';
import type { InboxMessage } from '../../senders/inapp/message';
import { parseWake } from '../../senders/inapp/wake';
import { deleteKeysWithPrefix, TEST_REDIS_URL } from '../support/redis';
import { uniqueName } from '../support/unique';
import { waitFor } from '../support/wait-for';

/** The in-app inbox's Lua scripts on a real Redis: bounds, drains that hand out each message once, read flags. */
describe('in-app inbox (Redis)', () => {
  const prefix = `${uniqueName('inbox')}:`;
  let redis: Redis;
  let other: Redis;
  let inbox: Inbox;
  let secondGateway: Inbox;

  const message = (id: string, createdAt = 1): InboxMessage => ({ id, title: null, text: `text ${id}`, url: null, createdAt });

  beforeAll(() => {
    redis = new Redis(TEST_REDIS_URL, { keyPrefix: prefix, enableAutoPipelining: true });
    other = new Redis(TEST_REDIS_URL, { keyPrefix: prefix });
    inbox = createInbox({ redis, inboxMax: 3, historyMax: 4 });
    secondGateway = createInbox({ redis: other, inboxMax: 3, historyMax: 4 });
  });

  afterAll(async () => {
    await deleteKeysWithPrefix(prefix);
    await redis?.quit();
    await other?.quit();
  });

  it('drains pending messages oldest first, once', async () => {
    for (const id of ['a', 'b', 'c']) expect(await inbox.append('u1', message(id))).toEqual({ added: true, dropped: 0 });
    expect((await inbox.drain('u1')).map((m) => m.id)).toEqual(['a', 'b', 'c']);
    expect(await inbox.drain('u1')).toEqual([]);
  });

  it('keeps a replayed delivery once', async () => {
    expect(await inbox.append('u2', message('x'))).toEqual({ added: true, dropped: 0 });
    expect(await inbox.append('u2', message('x'))).toEqual({ added: false, dropped: 0 });
    expect((await inbox.drain('u2')).map((m) => m.id)).toEqual(['x']);
    expect(await inbox.append('u2', message('x'))).toEqual({ added: false, dropped: 0 }); // delivered already: still once
    expect(await inbox.drain('u2')).toEqual([]);
  });

  it('drops the oldest pending messages beyond inboxMax, bodies included', async () => {
    const results = [];
    for (const id of ['1', '2', '3', '4', '5']) results.push(await inbox.append('u3', message(id)));
    expect(results.map((r) => r.dropped)).toEqual([0, 0, 0, 1, 1]);
    expect((await inbox.drain('u3')).map((m) => m.id)).toEqual(['3', '4', '5']);
    expect(await redis.hexists(`inapp:{u3}:items`, '1')).toBe(0);
  });

  it('keeps historyMax delivered messages, newest first, and forgets older ones with their read flags', async () => {
    for (const id of ['h1', 'h2', 'h3']) await inbox.append('u4', message(id));
    await inbox.drain('u4');
    expect(await inbox.markRead('u4', 'h1', 111)).toBe(true);
    for (const id of ['h4', 'h5']) await inbox.append('u4', message(id));
    await inbox.drain('u4');
    const history = await inbox.history('u4', 10);
    expect(history.map((m) => [m.id, m.read])).toEqual([['h5', false], ['h4', false], ['h3', false], ['h2', false]]);
    expect(await redis.hlen('inapp:{u4}:items')).toBe(4);
    expect(await redis.hexists('inapp:{u4}:read', 'h1')).toBe(0);
    expect((await inbox.history('u4', 2)).map((m) => m.id)).toEqual(['h5', 'h4']);
  });

  it('marks read once (the first time stays) and only the user\'s own messages', async () => {
    await inbox.append('u5', message('r1'));
    await inbox.drain('u5');
    expect(await inbox.markRead('u5', 'r1', 100)).toBe(true);
    expect(await inbox.markRead('u5', 'r1', 200)).toBe(true);
    expect(await inbox.markRead('u5', 'nope', 100)).toBe(false);
    expect(await inbox.markRead('someone-else', 'r1', 100)).toBe(false);
    expect(await inbox.history('u5', 5)).toEqual([{ ...message('r1'), read: true, readAt: 100 }]);
  });

  it('hands each message to exactly one of many concurrent drains (two connections = two gateways)', async () => {
    const ids = Array.from({ length: 3 }, (_, i) => `c${i}`);
    const big = createInbox({ redis, inboxMax: 1000, historyMax: 1000 });
    const bigOther = createInbox({ redis: other, inboxMax: 1000, historyMax: 1000 });
    const all: string[] = [];
    for (let round = 0; round < 20; round++) {
      const roundIds = ids.map((id) => `${id}-${round}`);
      const appends = Promise.all(roundIds.map((id) => big.append('u6', message(id))));
      const drains = await Promise.all([big.drain('u6'), bigOther.drain('u6'), big.drain('u6'), bigOther.drain('u6')]);
      await appends;
      drains.push(await bigOther.drain('u6'));
      all.push(...drains.flat().map((m) => m.id));
    }
    expect(all).toHaveLength(60);
    expect(new Set(all).size).toBe(60);
  });

  it('requeues undelivered messages in front, in their order, out of the history', async () => {
    for (const id of ['q1', 'q2']) await inbox.append('u7', message(id));
    const drained = await inbox.drain('u7');
    await inbox.append('u7', message('q3'));
    expect(await inbox.requeue('u7', drained.map((m) => m.id))).toBe(2);
    expect(await inbox.history('u7', 10)).toEqual([]);
    expect((await secondGateway.drain('u7')).map((m) => m.id)).toEqual(['q1', 'q2', 'q3']);
  });

  it('publishes a wake-up on the user channel (key prefix included) with each new message', async () => {
    const subscriber = new Redis(TEST_REDIS_URL);
    const received: string[] = [];
    try {
      subscriber.on('message', (channel, raw) => received.push(`${channel}|${parseWake(raw)?.t}:${parseWake(raw)?.u}`));
      await subscriber.subscribe(`${prefix}inapp:wake:u8`);
      expect(inbox.channelOf('u8')).toBe(`${prefix}inapp:wake:u8`);
      await inbox.append('u8', message('w1'));
      await inbox.append('u8', message('w1')); // a replay adds nothing and wakes nobody
      await inbox.append('u8', message('w2'));
      await waitFor(() => received.length >= 2, { timeoutMs: 5_000, description: 'two wake-ups' });
      expect(received).toEqual([`${prefix}inapp:wake:u8|wake:u8`, `${prefix}inapp:wake:u8|wake:u8`]);
    } finally {
      await subscriber.quit();
    }
  });
});
