import { ReplyError } from 'ioredis';
import { CONNECTION_CLOSED_ERROR_MSG } from 'ioredis/built/utils';
import { classifyRedisError } from '../../platform/redis/classify';
import type { DeliveryCommand } from '../../schemas/types';
import { createInappDeliverer } from './deliver';
import type { Inbox } from './inbox';
import type { InboxMessage } from './message';

const command = (overrides: Partial<DeliveryCommand> = {}): DeliveryCommand => ({
  deliveryId: 'd-1', sourceType: 'activity', sourceId: 'e-1', clientId: 'u-1', channel: 'inapp', priority: 'express',
  address: 'u-1', deviceTokens: [], content: { text: 'hello', subject: null, html: null, title: null, headers: {} },
  fallback: null, promo: false, timezone: 'UTC', sendWindow: null, notBefore: null, expiresAt: null, attempt: 0, createdAt: 7,
  ...overrides,
});

/** An inbox fake recording appends; `fail` makes the next append throw like a lost Redis connection. */
function fakeInbox(result = { added: true, dropped: 0 }) {
  const appended: { userId: string; message: InboxMessage }[] = [];
  let fail: Error | null = null;
  const inbox = {
    append: async (userId: string, message: InboxMessage) => {
      if (fail) throw fail;
      appended.push({ userId, message });
      return result;
    },
  } as unknown as Inbox;
  return { inbox, appended, failWith: (error: Error) => void (fail = error) };
}

describe('in-app deliverer', () => {
  it('appends the message to the client inbox and reports sent with the delivery id', async () => {
    const fake = fakeInbox();
    const result = await createInappDeliverer({ inbox: fake.inbox }).deliver(command());
    expect(result).toEqual({ kind: 'sent', providerMessageId: 'd-1' });
    expect(fake.appended).toEqual([{ userId: 'u-1', message: { id: 'd-1', title: null, text: 'hello', url: null, createdAt: 7 } }]);
  });

  it('reports a replay (already in the inbox) and a full inbox as sent too', async () => {
    expect((await createInappDeliverer({ inbox: fakeInbox({ added: false, dropped: 0 }).inbox }).deliver(command())).kind).toBe('sent');
    expect((await createInappDeliverer({ inbox: fakeInbox({ added: true, dropped: 3 }).inbox }).deliver(command())).kind).toBe('sent');
  });

  describe('permanent', () => {
    it.each([
      ['no client id', command({ clientId: '' })],
      ['no text', command({ content: { text: '', subject: null, html: null, title: null, headers: {} } })],
    ])('%s', async (_case, bad) => {
      const fake = fakeInbox();
      expect(await createInappDeliverer({ inbox: fake.inbox }).deliver(bad)).toMatchObject({ kind: 'permanent', code: 'VALIDATION_FAILED' });
      expect(fake.appended).toEqual([]);
    });
  });

  describe('retriable', () => {
    it('Redis unavailable (as the Redis edge reports a lost connection)', async () => {
      const fake = fakeInbox();
      fake.failWith(classifyRedisError(new Error(CONNECTION_CLOSED_ERROR_MSG)) as Error);
      expect(await createInappDeliverer({ inbox: fake.inbox }).deliver(command())).toMatchObject({ kind: 'retriable', code: 'REDIS_UNAVAILABLE' });
    });
  });

  describe('permanent Redis answers', () => {
    it('a command error such as WRONGTYPE (the edge leaves it as it is)', async () => {
      const fake = fakeInbox();
      fake.failWith(new (ReplyError as new (message: string) => Error)('WRONGTYPE Operation against a key holding the wrong kind of value'));
      expect(await createInappDeliverer({ inbox: fake.inbox }).deliver(command())).toMatchObject({ kind: 'permanent', code: 'INTERNAL' });
    });
  });
});
