/**
 * Issue 16, Redis Cluster: the stores whose keys fit a Cluster run their contracts on one
 * (infra/local/redis-cluster.ts, three masters and three replicas) through Vestnik's own client in cluster
 * mode (platform/redis/client.ts), with its key prefix and error classification. Each keeps its state in
 * one key per operation, so no command crosses a slot. So do the reads of many keys at once (the directory's
 * pages of documents, platform/redis/get-many.ts), the senders' claims and their frequency caps (one Lua
 * call per client's `{clientId}` keys). The rest of Vestnik's Redis use
 * is not there yet (README, "Scaling out").
 */
import { setTimeout as delay } from 'node:timers/promises';
import { createRedisConsoleSessionStore } from '../../ingest/console/session-store';
import { createRedisIdempotencyStore } from '../../ingest/middleware/idempotency-store';
import { silentLogger } from '../../platform/logger';
import { createRedis, type Redis } from '../../platform/redis/client';
import { createDelayQueue, delayQueueStats } from '../../platform/redis/delay-queue';
import { createDirectoryReader } from '../../platform/redis/directory';
import { KEYS } from '../../platform/redis/keys';
import { claimDeliveries, renewLeases } from '../../senders/core/claims';
import type { Client, DeliveryCommand } from '../../schemas/types';
import { startRedisCluster, type RedisCluster } from '../../infra/local/redis-cluster';
import { describeConsoleSessionStoreContract } from '../contracts/console-session-store';
import { describeFrequencyCapsContract } from '../contracts/frequency-caps';
import { describeIdempotencyStoreContract } from '../contracts/idempotency-store';
import { killAllChildren } from '../support/processes';

jest.setTimeout(120_000);

let cluster: RedisCluster;
let redis: Redis;
let other: Redis;
let run = 0;

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1 });
  const connect = (name: string) => createRedis({
    url: 'redis://127.0.0.1', clusterNodes: cluster.addresses.split(','), keyPrefix: 'vestnik:', logger: silentLogger, name,
  });
  redis = connect('cluster-stores');
  other = connect('cluster-stores-2');
});

afterAll(async () => {
  await Promise.all([redis?.quit(), other?.quit()]);
  await cluster?.remove();
  await killAllChildren();
});

it("is a Cluster client: it reaches every master, and a refused cross-slot MULTI fails as an answer, not as Redis being down", async () => {
  // Keys of many slots, through the prefix: each master holds some of them.
  await Promise.all(Array.from({ length: 60 }, (_, i) => redis.set(`spread:${i}`, 'x')));
  const masters = 'nodes' in redis ? redis.nodes('master') : [];
  expect(masters).toHaveLength(3);
  const perMaster = await Promise.all(masters.map((node) => node.keys('*spread:*')));
  expect(perMaster.map((keys) => keys.length > 0)).toEqual([true, true, true]);
  expect(perMaster.flat().filter((key) => !/^vestnik:spread:\d+$/.test(key))).toEqual([]); // prefixed once
  const refused = await redis.multi().set('a', '1').set('b', '2').exec().catch((error: unknown) => error);
  expect(refused).toBeInstanceOf(Error);
  expect((refused as { code?: string }).code).not.toBe('REDIS_UNAVAILABLE');
});

describeIdempotencyStoreContract('Redis Cluster', () => {
  run += 1;
  return createRedisIdempotencyStore(redis);
}, () => `cluster${run}`);

describeConsoleSessionStoreContract('Redis Cluster', () => {
  run += 1;
  return createRedisConsoleSessionStore(redis);
}, () => `cluster${run}`, (ms) => delay(ms));

describeFrequencyCapsContract('a Redis Cluster', () => ({ redis, other }), async () => {
  if ('nodes' in redis) await Promise.all(redis.nodes('master').map((node) => node.flushall()));
});

describe('many keys at once, without an MGET or a pipeline across slots', () => {
  const ids = Array.from({ length: 300 }, (_, i) => `cluster-client-${i}`);

  it('the directory reads a page of client documents spread over every master, in order, and pages an index', async () => {
    await Promise.all(ids.map((id, i) => (i % 7 === 3 ? redis.del(KEYS.client(id)) : redis.set(KEYS.client(id), JSON.stringify({ id, name: `n${i}` })))));
    await redis.set(KEYS.client('cluster-corrupt'), '{not json');
    await redis.zadd(KEYS.clientsByTag('cluster-tag'), ...ids.flatMap((id) => [0, id]));
    const corrupt: string[] = [];
    const directory = createDirectoryReader(redis, (key) => corrupt.push(key));
    const clients: Client[] = await directory.clients([...ids, 'cluster-corrupt']);
    expect(clients.map((client) => client.id)).toEqual(ids.filter((_, i) => i % 7 !== 3));
    expect(corrupt).toEqual([KEYS.client('cluster-corrupt')]);
    const paged: string[] = [];
    for await (const page of directory.indexPages(KEYS.clientsByTag('cluster-tag'), 64)) paged.push(...page);
    expect(paged).toEqual([...ids].sort());
  });

  it("claims a batch once: a second owner finds each claim leased, and a final claim reads as a replay", async () => {
    const commands = ids.map((id, attempt) => ({ deliveryId: `cluster-delivery-${id}`, attempt: attempt % 3 }) as DeliveryCommand);
    const first = await claimDeliveries(redis, commands, { ownerId: 'sender-a', leaseMs: 60_000 });
    expect({ claimed: first.claimed.length, replays: first.replays.length, leased: first.leased.length }).toEqual({ claimed: 300, replays: 0, leased: 0 });
    await redis.set(KEYS.deliveryClaim(commands[5]!.deliveryId), 'done:sent');
    const second = await claimDeliveries(redis, commands, { ownerId: 'sender-b', leaseMs: 60_000 });
    expect(second.claimed).toEqual([]);
    expect(second.replays.map((c) => c.deliveryId)).toEqual([commands[5]!.deliveryId]);
    expect(second.leased).toHaveLength(299);
  });

  it("renews only its own leases: one it holds, one that lapsed, never another sender's or a final claim", async () => {
    const commands = ['held', 'lapsed', 'other', 'done'].map((id) => ({ deliveryId: `cluster-renew-${id}`, attempt: 0 }) as DeliveryCommand);
    const keyOf = (i: number) => KEYS.deliveryClaim(commands[i]!.deliveryId);
    await claimDeliveries(redis, commands.slice(0, 1), { ownerId: 'sender-a', leaseMs: 1_000 });
    await redis.set(keyOf(2), 'sending:sender-b:0', 'PX', 60_000);
    await redis.set(keyOf(3), 'done:sent');
    expect(await renewLeases(redis, commands, { ownerId: 'sender-a', leaseMs: 60_000 })).toBe(2);
    expect(await Promise.all(commands.map((_, i) => redis.get(keyOf(i))))).toEqual(['sending:sender-a:0', 'sending:sender-a:0', 'sending:sender-b:0', 'done:sent']);
    expect(await redis.pttl(keyOf(0))).toBeGreaterThan(30_000);
    expect(await redis.pttl(keyOf(1))).toBeGreaterThan(30_000);
    expect(await redis.pttl(keyOf(3))).toBe(-1);
  });
});

it("keeps the delay queue in one slot ({delay}): schedules, takes what is due, acks, and counts it for metrics", async () => {
  const queue = createDelayQueue({ redis });
  const items = Array.from({ length: 50 }, (_, i) => ({ topic: 'deliveries.retry', key: `k${i}`, id: `d${i}`, dueAt: 1_000 + i, payload: Buffer.from(`p${i}`) }));
  await queue.scheduleNow(items);
  expect(await delayQueueStats(redis)).toEqual({ depth: 50, earliestDueAt: 1_000 });
  const due = await queue.takeDue(1_019, 100);
  expect(due.map((d) => [d.id, d.payload.toString()])).toEqual(items.slice(0, 20).map((item) => [item.id, item.payload.toString()]));
  expect(await queue.ack(due)).toBe(20);
  expect(await queue.size()).toBe(30);
  // Its keys are the tagged ones, all on one master.
  const masters = 'nodes' in redis ? redis.nodes('master') : [];
  const holding = await Promise.all(masters.map((node) => node.keys('vestnik:{delay}:*')));
  expect(holding.filter((keys) => keys.length > 0)).toHaveLength(1);
  expect(holding.flat()).toHaveLength(31);
});
