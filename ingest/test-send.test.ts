import type { Client } from '../schemas/types';
import { TEST_SEND_TTL_MS, testDelivery } from './test-send';

const content = { text: 'hi', subject: null, html: null, title: null, headers: {} };
const sample = { id: 'c-1', timezone: 'Asia/Tokyo' } as Client;
const base = { requestId: 'r-1', templateId: 't-1', content, now: 1_000 };

describe('testDelivery', () => {
  it('push goes to the given device token, under the sample client', () => {
    const { command } = testDelivery({ ...base, channel: 'push', to: 'token-xyz', sample });
    expect(command).toMatchObject({ address: 'c-1', deviceTokens: ['token-xyz'], clientId: 'c-1', timezone: 'Asia/Tokyo', fallback: null });
  });

  it('in-app lands in the inbox of the client it names, whoever the sample is', () => {
    const { command, status } = testDelivery({ ...base, channel: 'inapp', to: 'c-9', sample });
    expect(command).toMatchObject({ address: 'c-9', clientId: 'c-9', sourceType: 'test', sourceId: 'r-1', priority: 'express' });
    expect(status).toMatchObject({ clientId: 'c-9', status: 'queued', occurredAt: 1_000 });
  });

  it('expires if it cannot be sent soon; one request id is one delivery id', () => {
    const one = testDelivery({ ...base, channel: 'sms', to: '79001234567', sample: null });
    expect(one.command).toMatchObject({ expiresAt: 1_000 + TEST_SEND_TTL_MS, timezone: 'UTC', clientId: `test:${base.requestId}` });
    expect(testDelivery({ ...base, channel: 'sms', to: '79001234567', sample: null }).command.deliveryId).toBe(one.command.deliveryId);
    expect(testDelivery({ ...base, requestId: 'r-2', channel: 'sms', to: '79001234567', sample: null }).command.deliveryId).not.toBe(one.command.deliveryId);
  });
});
