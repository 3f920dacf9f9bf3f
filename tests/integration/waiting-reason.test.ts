/**
 * A message the sender holds says why, instead of a bare `queued`: one outside its send window is
 * `waiting` with the window and the local time it opens, one scheduled later is `waiting` until then.
 * Neither reaches the provider meanwhile.
 */
import { deliveryIdOf } from '../../platform/ids';
import { TOPICS } from '../../platform/topics';
import type { DeliveryCommand } from '../../schemas/types';
import { smsMessageId } from '../../senders/sms/message';
import { createSmsSimulator, type SmsSimulator } from '../../simulators/sms';
import { createSmsApiToken } from '../../simulators/sms/token';
import { createTestClient } from '../support/clients';
import { startStack, type TestStack } from '../support/stack';
import { uniqueName } from '../support/unique';
import { waitFor } from '../support/wait-for';

const HOUR = 3_600_000;
/** The minute `hours` after `from`, as "YYYY-MM-DD HH:MM" in UTC. */
const utcMinute = (from: number, hours: number) => new Date(from + hours * HOUR).toISOString().slice(0, 16).replace('T', ' ');

describe('a held message', () => {
  const secret = 'waiting-sms-secret';
  let sms: SmsSimulator;
  let stack: TestStack;

  beforeAll(async () => {
    sms = createSmsSimulator({ jwtSecret: secret });
    await sms.start();
    stack = await startStack({ roles: ['api', 'processors', 'senders', 'analytics'], env: { SMS_API_URL: sms.url, SMS_API_TOKEN: createSmsApiToken(secret) } });
  });

  afterAll(async () => {
    await stack?.stop();
    await sms?.stop();
  });

  it('is `waiting` with why and until when, and not sent meanwhile', async () => {
    const sourceId = uniqueName('held');
    const [windowed, scheduled] = [await createTestClient(stack), await createTestClient(stack)];
    const command = (clientId: string, held: Partial<DeliveryCommand>): DeliveryCommand => ({
      deliveryId: deliveryIdOf('notification', sourceId, clientId, 'sms'), sourceType: 'notification', sourceId, clientId, channel: 'sms',
      priority: 'bulk', address: '79000000001', deviceTokens: [],
      content: { text: 'later', subject: null, html: null, title: null, headers: {} }, fallback: null, promo: false,
      timezone: 'UTC', sendWindow: null, notBefore: null, expiresAt: null, attempt: 0, createdAt: Date.now(), ...held,
    });
    const created = Date.now();
    const opens = utcMinute(created, 2);
    const window = { from: opens.slice(11), to: utcMinute(created, 3).slice(11) };
    const notBefore = created + HOUR;
    const commands = [command(windowed, { sendWindow: window }), command(scheduled, { notBefore })];
    const producer = await stack.runtime.producer();
    await producer.send(TOPICS.deliveriesBulk, commands.map((value) => ({ key: value.clientId, value })));

    const latest = (clientId: string) => async () => {
      const items = (await stack.api('GET', `/api/clients/${clientId}/deliveries?limit=5`)).body.items as { sourceId: string; status: string; reason: string | null }[];
      const item = items?.find((i) => i.sourceId === sourceId);
      return item?.status === 'waiting' ? item : null;
    };
    const held = await waitFor(latest(windowed), { timeoutMs: 30_000, description: 'the windowed message waiting' });
    expect(held.reason).toBe(`outside its send window ${window.from}–${window.to}: held until ${opens} UTC`);
    const later = await waitFor(latest(scheduled), { timeoutMs: 30_000, description: 'the scheduled message waiting' });
    expect(later.reason).toBe(`scheduled: not before ${utcMinute(notBefore, 0)} UTC`);
    for (const c of commands) expect(sms.message(smsMessageId(c.deliveryId))).toBeUndefined();
  });
});
