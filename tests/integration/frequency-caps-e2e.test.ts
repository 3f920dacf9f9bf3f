import { createSmsSimulator, type SmsSimulator } from '../../simulators/sms';
import { createSmsApiToken } from '../../simulators/sms/token';
import { createClients, iso, smsIdOf } from '../support/mailings';
import { startStack, type TestStack } from '../support/stack';
import { uniqueName } from '../support/unique';
import { waitFor } from '../support/wait-for';

/**
 * A frequency cap end to end: at most 3 promotional messages per client per 24 h. After two promo mailings,
 * two more run at once (with a non-promo one beside them): each client gets exactly one of the two, the
 * other is `suppressed` with the rule as its reason, the non-promo one reaches everyone, and no client's
 * phone sees a fourth promo message.
 */
describe('frequency caps on the real stack', () => {
  const secret = 'caps-sms-secret';
  const CLIENTS = 12;
  let sms: SmsSimulator;
  let stack: TestStack;

  beforeAll(async () => {
    sms = createSmsSimulator({ jwtSecret: secret });
    await sms.start();
    stack = await startStack({
      roles: ['api', 'processors', 'senders', 'analytics', 'scheduler'],
      env: {
        SMS_API_URL: sms.url, SMS_API_TOKEN: createSmsApiToken(secret),
        FREQUENCY_CAPS: JSON.stringify([{ name: 'promo-daily', match: { promo: true }, max: 3, window: '24h' }]),
      },
    });
  });

  afterAll(async () => {
    await stack?.stop();
    await sms?.stop();
  });

  it('holds 3 promo messages per client exactly with two mailings at once', async () => {
    const tag = uniqueName('caps');
    const clients = await createClients(stack, CLIENTS, { tag, operatorCode: '917' });
    const mailing = async (text: string, promo: boolean) => {
      const created = await stack.api('POST', '/api/mailings', {
        text, promo, startAt: iso(Date.now()), endAt: iso(Date.now() + 10 * 60_000), filter: { tags: [tag], operatorCodes: [] },
      });
      expect(created.status).toBe(201);
      return created.body.id as string;
    };
    const settled = (id: string) => waitFor(async () => {
      const body = (await stack.api('GET', `/api/stats/mailings/${id}?limit=100`)).body;
      const final = (body?.byStatus?.sent ?? 0) + (body?.byStatus?.suppressed ?? 0);
      return body?.total === CLIENTS && final === CLIENTS ? body : null;
    }, { timeoutMs: 60_000, description: `mailing ${id} settled` });

    // Two promo messages each, one after the other.
    for (const text of ['Promo one', 'Promo two']) expect((await settled(await mailing(text, true))).byStatus.sent).toBe(CLIENTS);
    // Two more promo mailings at once, and a non-promo one the cap does not count.
    const [third, fourth, service] = await Promise.all([mailing('Promo three', true), mailing('Promo four', true), mailing('Service note', false)]);
    const [a, b, c] = await Promise.all([settled(third!), settled(fourth!), settled(service!)]);
    expect(a.byStatus.sent + b.byStatus.sent).toBe(CLIENTS);
    expect(a.byStatus.suppressed + b.byStatus.suppressed).toBe(CLIENTS);
    expect(c.byStatus.sent).toBe(CLIENTS);
    for (const id of clients) {
      const promos = [third!, fourth!].filter((m) => sms.message(smsIdOf(m, id))?.accepted === 1);
      expect([id, promos.length]).toEqual([id, 1]);
    }
    const suppressed = [...a.messages, ...b.messages].filter((m: { status: string }) => m.status === 'suppressed');
    expect(suppressed).toHaveLength(CLIENTS);
    const log = (await stack.api('GET', `/api/clients/${suppressed[0].clientId}/deliveries`)).body.items as { status: string; reason: string | null }[];
    expect(log.find((item) => item.status === 'suppressed')?.reason).toBe('frequency cap promo-daily: at most 3 per 24h');
    expect(sms.stats().duplicateAccepts).toBe(0);
  });
});
