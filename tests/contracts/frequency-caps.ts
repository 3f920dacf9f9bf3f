/**
 * The frequency caps' check-and-count (senders/core/frequency-caps.ts) on a real Redis: exact, atomic,
 * replay-safe. Run on one Redis (tests/integration/frequency-caps.test.ts) and on a Redis Cluster
 * (tests/integration/redis-cluster-stores.test.ts), where the call is split per client.
 */
import { FrequencyCapsSchema } from '../../domain/deliveries/frequency-caps';
import type { Redis } from '../../platform/redis/client';
import type { DeliveryCommand } from '../../schemas/types';
import { applyFrequencyCaps } from '../../senders/core/frequency-caps';

/** `redis` and `other` are two connections to one Redis (two sender processes); `reset` empties it after each test. */
export function describeFrequencyCapsContract(name: string, connections: () => { redis: Redis; other: Redis }, reset: () => Promise<void>): void {
  describe(`frequency caps on ${name}`, () => {
    let redis: Redis;
    let other: Redis;
    beforeAll(() => ({ redis, other } = connections()));
    afterEach(reset);

    const HOUR = 3_600_000;
    const rules = FrequencyCapsSchema.parse([
      { name: 'promo-daily', match: { promo: true }, max: 3, window: '24h' },
      { name: 'per-source-type', per: 'sourceType', max: 2, window: '1h' },
    ]);
    let seq = 0;
    const command = (fields: Partial<DeliveryCommand>): DeliveryCommand => ({
      deliveryId: `d${++seq}`, sourceType: 'mailing', sourceId: 'm1', clientId: 'c1', channel: 'sms', priority: 'bulk', address: '79000000000',
      deviceTokens: [], content: { text: 'hi' }, fallback: null, promo: true, timezone: 'UTC', sendWindow: null, notBefore: null,
      expiresAt: null, attempt: 0, createdAt: 0, ...fields,
    } as DeliveryCommand);
    const ids = (list: { deliveryId: string }[]) => list.map((c) => c.deliveryId);

    it('lets through at most `max` per client in the window, and says which rule capped the rest', async () => {
      const promos = Array.from({ length: 5 }, (_, i) => command({ sourceType: i < 2 ? 'mailing' : 'notification' }));
      const { allowed, capped } = await applyFrequencyCaps(redis, promos, rules, 1_000_000);
      expect(ids(allowed)).toEqual(ids(promos.slice(0, 3)));
      expect(capped.map((c) => [c.command.deliveryId, c.rule.name])).toEqual([[promos[3]!.deliveryId, 'promo-daily'], [promos[4]!.deliveryId, 'promo-daily']]);
      // Another client has counters of its own; a non-promo message meets only the per-source-type rule.
      const elsewhere = await applyFrequencyCaps(redis, [command({ clientId: 'c2' }), command({ promo: false, sourceType: 'episode' })], rules, 1_000_000);
      expect(elsewhere.capped).toEqual([]);
    });

    it('is replay-safe: a delivery already counted passes again without counting twice', async () => {
      const first = [command({}), command({ sourceType: 'notification' })];
      await applyFrequencyCaps(redis, first, rules, 1_000_000);
      const again = await applyFrequencyCaps(redis, first, rules, 1_000_100);
      expect(ids(again.allowed)).toEqual(ids(first));
      const third = command({ sourceType: 'welcome' });
      expect(ids((await applyFrequencyCaps(redis, [third], rules, 1_000_200)).allowed)).toEqual([third.deliveryId]);
      expect((await applyFrequencyCaps(redis, [command({ sourceType: 'episode' })], rules, 1_000_300)).capped).toHaveLength(1);
    });

    it('counts in a sliding window: a slot frees once its delivery is older than the window', async () => {
      const rule = FrequencyCapsSchema.parse([{ name: 'one-an-hour', max: 1, window: '1h' }]);
      expect((await applyFrequencyCaps(redis, [command({})], rule, 0)).allowed).toHaveLength(1);
      expect((await applyFrequencyCaps(redis, [command({})], rule, HOUR - 1)).capped).toHaveLength(1);
      expect((await applyFrequencyCaps(redis, [command({})], rule, HOUR + 1)).allowed).toHaveLength(1);
    });

    it('is exact when two processes check the same people at once', async () => {
      const batches = (tag: string) => Array.from({ length: 10 }, (_, chunk) =>
        Array.from({ length: 20 }, (_, client) => command({ clientId: `p${client}`, sourceId: `${tag}${chunk}` })));
      const results = await Promise.all([...batches('a').map((b) => applyFrequencyCaps(redis, b, rules, 5_000_000)), ...batches('b').map((b) => applyFrequencyCaps(other, b, rules, 5_000_000))]);
      const allowedPerClient = new Map<string, number>();
      for (const c of results.flatMap((r) => r.allowed)) allowedPerClient.set(c.clientId, (allowedPerClient.get(c.clientId) ?? 0) + 1);
      // 20 clients, 20 promo deliveries each: exactly two (the per-source-type cap, tighter than promo's 3) each.
      expect([...allowedPerClient.values()]).toEqual(Array(20).fill(2));
      expect(results.flatMap((r) => r.capped)).toHaveLength(20 * 18);
    });

    it('lets everything through, without a call, when no rule matches', async () => {
      const operators = [command({ sourceType: 'test' })];
      expect(await applyFrequencyCaps(redis, operators, rules, 0)).toEqual({ allowed: operators, capped: [] });
    });
  });
}
