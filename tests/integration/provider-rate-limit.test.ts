import { deliveryIdOf } from '../../platform/ids';
import { silentLogger } from '../../platform/logger';
import { createRedis, type Redis } from '../../platform/redis/client';
import type { DeliveryCommand } from '../../schemas/types';
import { takeProviderSlots } from '../../senders/core/provider-rates';
import { smsMessageId } from '../../senders/sms/message';
import { createSmsSimulator, type SmsSimulator } from '../../simulators/sms';
import { createSmsApiToken } from '../../simulators/sms/token';
import { createClients, iso, smsIdOf } from '../support/mailings';
import { deleteKeysWithPrefix, TEST_REDIS_URL } from '../support/redis';
import { startStack, type TestStack } from '../support/stack';
import { uniqueName } from '../support/unique';
import { waitFor } from '../support/wait-for';

const RATE = 200;
const SHARE = 0.2;
const BULK_RATE = RATE * (1 - SHARE);

/** The shared token buckets on a real Redis: two clients (as two sender processes) together get the rate, not twice it. */
describe('provider rate buckets in Redis', () => {
  const prefix = `vestnik-test-${uniqueName('rate')}:`;
  let a: Redis;
  let b: Redis;
  beforeAll(() => {
    a = createRedis({ url: TEST_REDIS_URL, keyPrefix: prefix, logger: silentLogger, name: 'rate-a' });
    b = createRedis({ url: TEST_REDIS_URL, keyPrefix: prefix, logger: silentLogger, name: 'rate-b' });
  });
  afterAll(async () => {
    await deleteKeysWithPrefix(prefix);
    await Promise.all([a.quit(), b.quit()]);
  });

  it('hands out 200 slots a second across two clients asking as fast as they can', async () => {
    const rates = { providers: { 'sms-api': { perSecond: RATE, perHour: 0 } }, expressShare: 0 };
    const started = Date.now();
    const slots: number[] = [];
    const booked: DeliveryCommand[] = [];
    let asked = 0;
    const ask = async (redis: Redis) => {
      while (Date.now() - started < 2_000) {
        const chunk = Array.from({ length: 20 }, () => ({ deliveryId: `d${asked++}`, channel: 'sms', attempt: 0 }) as DeliveryCommand);
        const now = Date.now();
        const { toSend, later } = await takeProviderSlots(redis, chunk, rates, {}, 'express', now);
        slots.push(...toSend.map(() => now), ...later.filter((l) => l.dueAt - now <= 2_000).map((l) => l.dueAt));
        booked.push(...later.filter((l) => l.dueAt - now <= 2_000).map((l) => l.command));
      }
    };
    await Promise.all([ask(a), ask(b)]);
    // Slots in the first two seconds: 200 a second, plus the first burst (50 ms worth), whatever the two asked.
    const inWindow = slots.filter((at) => at < started + 2_000).length;
    expect(asked).toBeGreaterThan(1_000);
    expect(inWindow).toBeGreaterThan(RATE * 2 * 0.95);
    expect(inWindow).toBeLessThan(RATE * 2 * 1.05 + 10);
    // A booked delivery that comes back at its slot passes without taking another.
    expect(booked.length).toBeGreaterThan(0);
    const again = await takeProviderSlots(a, [booked[0]!, { deliveryId: 'never-booked', channel: 'sms', attempt: 0 } as DeliveryCommand], rates, {}, 'express', Date.now());
    expect(again.toSend.map((c) => c.deliveryId)).toEqual([booked[0]!.deliveryId]);
  });

  /** Two providers of one channel in order; `down` names the ones whose circuit is open. */
  const routeOf = (names: string[], down: string[] = []) => ({ sms: names.map((name) => ({ name, unavailable: () => down.includes(name) })) });
  const chunkOf = (n: number, from: number) => Array.from({ length: n }, (_, i) => ({ deliveryId: `p${from + i}`, channel: 'sms', attempt: 0 }) as DeliveryCommand);

  it('routes past a provider out of slots to the next one, and past one whose circuit is open', async () => {
    // `first` has 20 a second (a burst of one), `second` no limit: the first message takes first's slot, the rest overflow.
    const rates = { providers: { [uniqueName('first')]: { perSecond: 20, perHour: 0 } }, expressShare: 0 };
    const [first] = Object.keys(rates.providers);
    const second = uniqueName('second');
    const overflow = await takeProviderSlots(a, chunkOf(5, 0), rates, routeOf([first!, second]), 'bulk', Date.now());
    expect(overflow.toSend).toHaveLength(5);
    expect([...overflow.providerOf.values()]).toEqual([first, second, second, second, second]);
    expect(overflow.later).toEqual([]);
    // Its circuit open, `first` is passed by even with slots free; open everywhere, it is asked as if closed.
    const around = await takeProviderSlots(a, chunkOf(1, 10), { ...rates, providers: { ...rates.providers, [first!]: { perSecond: 1000, perHour: 0 } } }, routeOf([first!, second], [first!]), 'bulk', Date.now());
    expect([...around.providerOf.values()]).toEqual([second]);
  });

  it('hands out both providers\' rates when each is limited, booking each message at whichever frees first', async () => {
    const [first, second] = [uniqueName('first'), uniqueName('second')];
    const rates = { providers: { [first]: { perSecond: 100, perHour: 0 }, [second]: { perSecond: 50, perHour: 0 } }, expressShare: 0 };
    const answer = await takeProviderSlots(b, chunkOf(400, 100), rates, routeOf([first, second]), 'bulk', Date.now());
    const sendingNow = [...answer.providerOf.values()];
    // Now: each one's burst (50 ms worth: 5 and 2.5, plus the slot at now).
    expect(sendingNow.filter((name) => name === first).length).toBeGreaterThanOrEqual(5);
    expect(sendingNow.filter((name) => name === second).length).toBeGreaterThanOrEqual(2);
    // Booked within the two-second horizon at 150 a second together; the rest come back after it, spread at that rate.
    const booked = answer.later.filter((l) => l.dueAt - Date.now() <= 2_000).length;
    expect(answer.toSend.length + booked).toBeGreaterThan(295);
    expect(answer.toSend.length + booked).toBeLessThan(315);
    expect(answer.later.length - booked).toBeGreaterThan(80);
  });
});

/**
 * On the full stack with two sender instances: a bulk SMS mailing at SMS_RATE_PER_S=200 with 20% kept for
 * express reaches the provider at 160 a second (within 5%), every message once, and express notifications
 * sent meanwhile are not held behind it (they have their 40 a second).
 */
describe('a rate-limited provider on the real stack', () => {
  const secret = 'rate-sms-secret';
  const CLIENTS = 3_200;
  let sms: SmsSimulator;
  let stack: TestStack;
  let second: TestStack;

  beforeAll(async () => {
    sms = createSmsSimulator({ jwtSecret: secret });
    await sms.start();
    const env = { SMS_API_URL: sms.url, SMS_API_TOKEN: createSmsApiToken(secret), SMS_RATE_PER_S: String(RATE), PROVIDER_RATE_EXPRESS_SHARE: String(SHARE) };
    stack = await startStack({ roles: ['api', 'processors', 'senders', 'analytics', 'scheduler'], env });
    second = await startStack({ roles: ['senders'], env, id: stack.id });
  }, 120_000);

  afterAll(async () => {
    await second?.stop();
    await stack?.stop();
    await sms?.stop();
  });

  it('sends bulk at the rate less the express share, each message once, and express meanwhile without delay', async () => {
    const tag = uniqueName('rate');
    // Forty at a time: the audience is the setting here, not what is measured.
    const clients = (await Promise.all(Array.from({ length: 40 }, () => createClients(stack, CLIENTS / 40, { tag, operatorCode: '915' })))).flat();
    const template = await stack.api('POST', '/api/templates', { defaultLocale: 'en', variants: { en: { sms: 'Express {{n}}' } } });
    const express = async (n: number, clientId: string) => {
      const sentAt = Date.now();
      const accepted = await stack.api('POST', '/api/notifications', {
        templateId: template.body.id, userIds: [clientId], priority: 'express', channels: ['sms'], contextJson: JSON.stringify({ n }),
      });
      expect(accepted.status).toBe(202);
      const msgId = smsMessageId(deliveryIdOf('notification', accepted.body.id, clientId, 'sms'));
      const message = await waitFor(() => (sms.message(msgId)?.accepted ? sms.message(msgId)! : null), { timeoutMs: 10_000, description: `express ${n}` });
      return message.firstAcceptedAt! - sentAt;
    };
    // One before the bulk, not measured: the express path's first use (the template's first read) is not the rate's doing.
    await express(-1, clients[CLIENTS - 1]!);
    const created = await stack.api('POST', '/api/mailings', {
      text: 'Bulk {{name}}', startAt: iso(Date.now()), endAt: iso(Date.now() + 10 * 60_000), filter: { tags: [tag], operatorCodes: [] },
    });
    expect(created.status).toBe(201);
    const mailingId: string = created.body.id;

    // Express notifications while the bulk runs: each reaches the provider soon after it is accepted.
    await waitFor(() => clients.some((id) => sms.message(smsIdOf(mailingId, id))?.accepted), { timeoutMs: 30_000, description: 'the mailing sending' });
    const expressLatencies: number[] = [];
    for (let n = 0; n < 5; n++) expressLatencies.push(await express(n, clients[n]!));

    await waitFor(() => clients.every((id) => sms.message(smsIdOf(mailingId, id))?.accepted === 1), { timeoutMs: 60_000, intervalMs: 500, description: 'every bulk message' });
    const times = clients.map((id) => sms.message(smsIdOf(mailingId, id))!.firstAcceptedAt!).sort((x, y) => x - y);
    // From the first message to the last: slots are handed out from the start, so the whole run is the rate.
    // (A middle slice reads high: the first messages reach the provider later after their slot than the last.)
    const rate = (CLIENTS - 1) / ((times[CLIENTS - 1]! - times[0]!) / 1000);
    expect(rate).toBeGreaterThan(BULK_RATE * 0.95);
    expect(rate).toBeLessThan(BULK_RATE * 1.05);
    expect(sms.stats().duplicateAccepts).toBe(0);
    expect(Math.max(...expressLatencies)).toBeLessThan(1_000);
    console.log(JSON.stringify({ bulkRatePerS: Math.round(rate * 10) / 10, target: BULK_RATE, expressLatenciesMs: expressLatencies }));
  });
});

/**
 * Two SMS APIs, each with a rate of its own (SMS_RATE_PER_S=100, SMS_SECONDARY_RATE_PER_S=50): a mailing
 * larger than the first one's rate overflows into the second, each is sent at its own rate (not the
 * channel's), every message once.
 */
describe('a rate per provider, with two providers of a channel', () => {
  const secret = 'rate-two-secret';
  const CLIENTS = 2_400;
  const [PRIMARY_RATE, SECONDARY_RATE] = [100, 50];
  let primary: SmsSimulator;
  let secondary: SmsSimulator;
  let stack: TestStack;

  beforeAll(async () => {
    [primary, secondary] = [createSmsSimulator({ jwtSecret: secret }), createSmsSimulator({ jwtSecret: secret })];
    await Promise.all([primary.start(), secondary.start()]);
    const token = createSmsApiToken(secret);
    stack = await startStack({
      roles: ['api', 'processors', 'senders', 'scheduler'],
      env: {
        SMS_API_URL: primary.url, SMS_API_TOKEN: token, SMS_RATE_PER_S: String(PRIMARY_RATE),
        SMS_SECONDARY_API_URL: secondary.url, SMS_SECONDARY_API_TOKEN: token, SMS_SECONDARY_RATE_PER_S: String(SECONDARY_RATE),
        PROVIDER_RATE_EXPRESS_SHARE: '0',
      },
    });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await Promise.all([primary?.stop(), secondary?.stop()]);
  });

  it('sends through both at their own rates, each message once', async () => {
    const tag = uniqueName('two-rates');
    const clients = (await Promise.all(Array.from({ length: 40 }, () => createClients(stack, CLIENTS / 40, { tag, operatorCode: '916' })))).flat();
    const created = await stack.api('POST', '/api/mailings', {
      text: 'Two {{name}}', startAt: iso(Date.now()), endAt: iso(Date.now() + 10 * 60_000), filter: { tags: [tag], operatorCodes: [] },
    });
    expect(created.status).toBe(201);
    const mailingId: string = created.body.id;
    const acceptedBy = (id: string) => (primary.message(smsIdOf(mailingId, id))?.accepted ?? 0) + (secondary.message(smsIdOf(mailingId, id))?.accepted ?? 0);
    await waitFor(() => clients.every((id) => acceptedBy(id) >= 1), {
      timeoutMs: 90_000, intervalMs: 500, description: 'every message at one provider or the other',
    });
    expect(clients.filter((id) => acceptedBy(id) > 1)).toEqual([]);
    const rateAt = (sms: SmsSimulator) => {
      const times = clients.flatMap((id) => sms.message(smsIdOf(mailingId, id))?.firstAcceptedAt ?? []).sort((x, y) => x - y);
      return { count: times.length, rate: (times.length - 1) / ((times[times.length - 1]! - times[0]!) / 1000) };
    };
    const [first, second] = [rateAt(primary), rateAt(secondary)];
    console.log(JSON.stringify({ primary: first, secondary: second }));
    expect(first.count + second.count).toBe(CLIENTS);
    expect(first.rate).toBeGreaterThan(PRIMARY_RATE * 0.93);
    expect(first.rate).toBeLessThan(PRIMARY_RATE * 1.05);
    expect(second.rate).toBeGreaterThan(SECONDARY_RATE * 0.93);
    expect(second.rate).toBeLessThan(SECONDARY_RATE * 1.05);
    expect(primary.stats().duplicateAccepts + secondary.stats().duplicateAccepts).toBe(0);
  });
});
