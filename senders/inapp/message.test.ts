import type { DeliveryCommand } from '../../schemas/types';
import { decodeInboxMessage, encodeInboxMessage, INAPP_URL_HEADER, toInboxMessage } from './message';

const command = (overrides: Partial<DeliveryCommand> = {}): DeliveryCommand => ({
  deliveryId: 'd-1', sourceType: 'activity', sourceId: 'e-1', clientId: 'u-1', channel: 'inapp', priority: 'express',
  address: 'u-1', deviceTokens: [],
  content: { text: 'Bob liked your photo', subject: null, html: null, title: 'New like', headers: { [INAPP_URL_HEADER]: 'https://x.test/p/1' } },
  fallback: null, promo: false, timezone: 'UTC', sendWindow: null, notBefore: null, expiresAt: null, attempt: 0, createdAt: 1234,
  ...overrides,
});

describe('toInboxMessage', () => {
  it('takes id from the delivery id, title/text from the content, url from the in-app header', () => {
    expect(toInboxMessage(command())).toEqual({ id: 'd-1', title: 'New like', text: 'Bob liked your photo', url: 'https://x.test/p/1', createdAt: 1234 });
  });

  it('has no url and no title when the command carries none', () => {
    const message = toInboxMessage(command({ content: { text: 't', subject: null, html: null, title: null, headers: {} } }));
    expect(message.url).toBeNull();
    expect(message.title).toBeNull();
  });
});

describe('encode/decodeInboxMessage', () => {
  it('round-trips', () => {
    const message = toInboxMessage(command());
    expect(decodeInboxMessage(encodeInboxMessage(message))).toEqual(message);
  });

  it.each([
    ['missing', null],
    ['empty', ''],
    ['not JSON', '{'],
    ['an array', '[]'],
    ['no id', JSON.stringify({ text: 't', title: null, url: null, createdAt: 1 })],
    ['empty id', JSON.stringify({ id: '', text: 't', title: null, url: null, createdAt: 1 })],
    ['text not a string', JSON.stringify({ id: 'a', text: 1, title: null, url: null, createdAt: 1 })],
    ['createdAt not a number', JSON.stringify({ id: 'a', text: 't', title: null, url: null, createdAt: '1' })],
    ['title a number', JSON.stringify({ id: 'a', text: 't', title: 2, url: null, createdAt: 1 })],
  ])('is null for a value that is %s', (_case, raw) => {
    expect(decodeInboxMessage(raw)).toBeNull();
  });
});
