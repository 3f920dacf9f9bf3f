import { deliveryIdOf } from '../../platform/ids';
import { TOPICS } from '../../platform/topics';
import { addressedDelivery, createExpressDeliveries } from './express';

const content = { text: 'hi', subject: 'Hi', html: null, title: null, headers: {} };
const input = {
  sourceType: 'report' as const, sourceId: '2026-12-03', clientId: 'report:abc', channel: 'email' as const,
  address: 'ops@example.com', content, timezone: 'Europe/Moscow', expiresAt: 9_000, reason: 'daily report of 2026-12-03', now: 1_000,
};

describe('addressedDelivery', () => {
  it('is an express command to the given address, its id deterministic in source, client and channel', () => {
    const { command, status } = addressedDelivery(input);
    expect(command).toMatchObject({
      deliveryId: deliveryIdOf('report', '2026-12-03', 'report:abc', 'email'), sourceType: 'report', priority: 'express',
      address: 'ops@example.com', deviceTokens: [], expiresAt: 9_000, createdAt: 1_000, attempt: 0, promo: false, content,
    });
    expect(status).toMatchObject({ deliveryId: command.deliveryId, status: 'queued', reason: 'daily report of 2026-12-03', occurredAt: 1_000 });
    expect(addressedDelivery({ ...input, now: 5_000 }).command.deliveryId).toBe(command.deliveryId);
  });
});

describe('createExpressDeliveries', () => {
  it('produces the command and its status in one request, keyed by client and by delivery', async () => {
    const requests: unknown[] = [];
    const express = createExpressDeliveries({ sendBatch: async (batches) => { requests.push(batches); return []; } });
    const { command, status } = addressedDelivery(input);
    await express.enqueue(command, status);
    expect(requests).toEqual([[
      { topic: TOPICS.deliveriesExpress, records: [{ key: 'report:abc', value: command }] },
      { topic: TOPICS.deliveriesStatus, records: [{ key: command.deliveryId, value: status }] },
    ]]);
  });
});
