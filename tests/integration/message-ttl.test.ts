import { deliveryIdOf } from '../../platform/ids';
import { TOPICS } from '../../platform/topics';
import type { DeliveryCommand } from '../../schemas/types';
import { smsMessageId } from '../../senders/sms/message';
import { createSmsSimulator, type SmsSimulator } from '../../simulators/sms';
import { createSmsApiToken } from '../../simulators/sms/token';
import { startStack, type TestStack } from '../support/stack';
import { uniqueName } from '../support/unique';
import { waitFor } from '../support/wait-for';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * Default expiry per priority on the real stack (the defaults: express 10 min, bulk 24 h): commands left on
 * the delivery topics by an outage, older than their priority's TTL, end `expired` as stale and never reach
 * the provider; younger ones are sent.
 */
describe('messages left over from an outage', () => {
  const secret = 'ttl-sms-secret';
  let sms: SmsSimulator;
  let stack: TestStack;

  beforeAll(async () => {
    sms = createSmsSimulator({ jwtSecret: secret });
    await sms.start();
    stack = await startStack({ roles: ['api', 'senders', 'analytics'], env: { SMS_API_URL: sms.url, SMS_API_TOKEN: createSmsApiToken(secret) } });
  });

  afterAll(async () => {
    await stack?.stop();
    await sms?.stop();
  });

  it('expire at their default TTL; the younger ones are sent', async () => {
    const sourceId = uniqueName('ttl');
    const command = (n: number, priority: DeliveryCommand['priority'], ageMs: number): DeliveryCommand => {
      const clientId = `${sourceId}-${n}`;
      return {
        deliveryId: deliveryIdOf('notification', sourceId, clientId, 'sms'), sourceType: 'notification', sourceId, clientId, channel: 'sms',
        priority, address: `7900${String(1_000_000 + n).slice(1)}`, deviceTokens: [],
        content: { text: `message ${n}`, subject: null, html: null, title: null, headers: {} }, fallback: null, promo: false,
        timezone: 'UTC', sendWindow: null, notBefore: null, expiresAt: null, attempt: 0, createdAt: Date.now() - ageMs,
      };
    };
    const express = [command(1, 'express', 11 * MINUTE), command(2, 'express', 9 * MINUTE)];
    const bulk = [command(3, 'bulk', 25 * HOUR), command(4, 'bulk', 23 * HOUR)];
    const producer = await stack.runtime.producer();
    await producer.send(TOPICS.deliveriesExpress, express.map((value) => ({ key: value.deliveryId, value })));
    await producer.send(TOPICS.deliveriesBulk, bulk.map((value) => ({ key: value.deliveryId, value })));

    const counts = await waitFor(async () => {
      const items = (await stack.api('GET', `/api/stats/channels?sourceType=notification&sourceId=${sourceId}`)).body.items as { byStatus: Record<string, number> }[];
      const byStatus = items[0]?.byStatus ?? {};
      return (byStatus.sent ?? 0) + (byStatus.expired ?? 0) === 4 ? byStatus : null;
    }, { timeoutMs: 60_000, description: 'all four final' });
    expect(counts).toMatchObject({ sent: 2, expired: 2 });
    const [staleExpress, freshExpress, staleBulk, freshBulk] = [...express, ...bulk];
    expect(sms.message(smsMessageId(staleExpress!.deliveryId))).toBeUndefined();
    expect(sms.message(smsMessageId(staleBulk!.deliveryId))).toBeUndefined();
    expect(sms.message(smsMessageId(freshExpress!.deliveryId))?.accepted).toBe(1);
    expect(sms.message(smsMessageId(freshBulk!.deliveryId))?.accepted).toBe(1);
  });
});
