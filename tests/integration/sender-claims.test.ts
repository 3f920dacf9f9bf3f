import { silentLogger } from '../../platform/logger';
import { createRedis, type Redis } from '../../platform/redis/client';
import { KEYS } from '../../platform/redis/keys';
import type { DeliveryCommand } from '../../schemas/types';
import { claimDeliveries, DONE_CLAIM_TTL_SECONDS, queueClaimWrites } from '../../senders/core/claims';
import { deleteKeysWithPrefix, TEST_REDIS_URL } from '../support/redis';
import { uniqueName } from '../support/unique';
import { waitFor } from '../support/wait-for';

/**
 * A sender's claims on a real standalone Redis, where a batch's claims are one script call and its final
 * writes one more inside the settling MULTI (senders/core/claims.ts). The Redis Cluster path, a command per
 * claim, is redis-cluster-stores'.
 */
const prefix = `vestnik-test-${uniqueName('claims')}:`;
let redis: Redis;

beforeAll(() => {
  redis = createRedis({ url: TEST_REDIS_URL, keyPrefix: prefix, logger: silentLogger, name: 'sender-claims-test' });
});

afterAll(async () => {
  await deleteKeysWithPrefix(prefix);
  await redis.quit();
});

const commandsOf = (name: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({ deliveryId: `${name}-${i}`, attempt: i % 3 }) as DeliveryCommand);

it('claims a batch once, with a lease: a second owner finds each claim leased, and a final claim reads as a replay', async () => {
  const commands = commandsOf('batch', 300);
  await redis.set(KEYS.deliveryClaim(commands[5]!.deliveryId), 'done:sent');
  await redis.set(KEYS.deliveryClaim(commands[6]!.deliveryId), 'sending:sender-c:0', 'PX', 60_000);

  const first = await claimDeliveries(redis, commands, { ownerId: 'sender-a', leaseMs: 60_000 });
  expect(first.claimed.map((c) => c.deliveryId)).toEqual(commands.filter((_, i) => i !== 5 && i !== 6).map((c) => c.deliveryId));
  expect(first.replays.map((c) => c.deliveryId)).toEqual([commands[5]!.deliveryId]);
  expect(first.leased.map((c) => c.deliveryId)).toEqual([commands[6]!.deliveryId]);
  expect(await redis.get(KEYS.deliveryClaim(commands[7]!.deliveryId))).toBe('sending:sender-a:1');
  const lease = await redis.pttl(KEYS.deliveryClaim(commands[7]!.deliveryId));
  expect(lease).toBeGreaterThan(30_000);
  expect(lease).toBeLessThanOrEqual(60_000);

  const second = await claimDeliveries(redis, commands, { ownerId: 'sender-b', leaseMs: 60_000 });
  expect(second.claimed).toEqual([]);
  expect(second.replays.map((c) => c.deliveryId)).toEqual([commands[5]!.deliveryId]);
  expect(second.leased).toHaveLength(299);
});

it('takes a claim whose lease lapsed', async () => {
  const [command] = commandsOf('lapsed', 1);
  await claimDeliveries(redis, [command!], { ownerId: 'sender-a', leaseMs: 1 });
  await waitFor(async () => (await redis.exists(KEYS.deliveryClaim(command!.deliveryId))) === 0, { timeoutMs: 5_000, intervalMs: 5, description: 'the 1 ms lease to lapse' });
  const again = await claimDeliveries(redis, [command!], { ownerId: 'sender-b', leaseMs: 60_000 });
  expect(again.claimed).toEqual([command]);
  expect(await redis.get(KEYS.deliveryClaim(command!.deliveryId))).toBe('sending:sender-b:0');
});

it('writes a settled batch\'s claims in its MULTI: final ones kept 30 days, released ones deleted', async () => {
  const commands = commandsOf('settled', 4);
  await claimDeliveries(redis, commands, { ownerId: 'sender-a', leaseMs: 60_000 });
  const keyOf = (i: number) => KEYS.deliveryClaim(commands[i]!.deliveryId);
  const plan = {
    done: [{ deliveryId: commands[0]!.deliveryId, claim: 'done:sent' }, { deliveryId: commands[1]!.deliveryId, claim: 'done:failed' }],
    release: [commands[2]!.deliveryId],
  };
  const results = await queueClaimWrites(redis.multi(), plan).set(`${uniqueName('marker')}`, '1').exec();
  expect(results?.every(([error]) => error === null)).toBe(true);
  expect(await Promise.all([0, 1, 2, 3].map((i) => redis.get(keyOf(i))))).toEqual(['done:sent', 'done:failed', null, 'sending:sender-a:0']);
  expect(await redis.ttl(keyOf(0))).toBeGreaterThan(DONE_CLAIM_TTL_SECONDS - 60);
  // Nothing to write: no script call, the MULTI holds only what else was queued.
  expect(await queueClaimWrites(redis.multi(), { done: [], release: [] }).exec()).toEqual([]);
});
