import type { ChainableCommander } from 'ioredis';
import { VestnikError } from '../../platform/errors';
import type { Redis } from '../../platform/redis/client';
import { getMany } from '../../platform/redis/get-many';
import { KEYS } from '../../platform/redis/keys';
import type { DeliveryCommand } from '../../schemas/types';
import { readClaim, sendingClaim, type SettlePlan } from './batch-plan';

/** A final claim outlives any replay of the delivery's records (topics keep 7 days). */
export const DONE_CLAIM_TTL_SECONDS = 30 * 24 * 60 * 60;

export interface ClaimResult {
  claimed: DeliveryCommand[];
  /** Already final: replays to drop. */
  replays: DeliveryCommand[];
  /** Someone holds a live lease: to re-check once it expires. */
  leased: DeliveryCommand[];
}

/**
 * Claims every command of a batch in one pipeline (SET NX PX: a lease, so a crashed sender's claim
 * frees itself), then reads the claims it did not get in one more round trip. On a Redis Cluster, where a
 * pipeline must stay on one node, each claim is its own command and auto-pipelining groups them per node.
 */
export async function claimDeliveries(
  redis: Redis,
  commands: readonly DeliveryCommand[],
  options: { ownerId: string; leaseMs: number },
): Promise<ClaimResult> {
  const result: ClaimResult = { claimed: [], replays: [], leased: [] };
  if (commands.length === 0) return result;
  const claim = (c: DeliveryCommand) => [KEYS.deliveryClaim(c.deliveryId), sendingClaim(options.ownerId, c), 'PX', options.leaseMs, 'NX'] as const;
  let answers: unknown[];
  if (redis.isCluster) answers = await Promise.all(commands.map((c) => redis.set(...claim(c))));
  else {
    const pipeline = redis.pipeline();
    for (const c of commands) pipeline.set(...claim(c));
    answers = await execPipeline(pipeline);
  }
  const refused = commands.filter((c, i) => {
    if (answers[i] === 'OK') result.claimed.push(c);
    return answers[i] !== 'OK';
  });
  if (refused.length === 0) return result;
  const current = await getMany(redis, refused.map((c) => KEYS.deliveryClaim(c.deliveryId)));
  refused.forEach((c, i) => result[readClaim(current[i] ?? null) === 'replay' ? 'replays' : 'leased'].push(c));
  return result;
}

/** Renews a lease that is still this sender's, or takes it again if it lapsed and nobody else took it. */
const RENEW_SCRIPT = `
local held = redis.call('GET', KEYS[1])
if held == ARGV[1] or not held then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0`;

/**
 * Renews the leases of commands this sender claimed and has not recorded yet (record-in-place.ts), one
 * script call per claim: a claim is a key of its own, in a slot of its own on a Redis Cluster;
 * auto-pipelining sends the calls in one round trip per node. Answers how many it holds now.
 */
export async function renewLeases(
  redis: Redis, commands: readonly DeliveryCommand[], options: { ownerId: string; leaseMs: number },
): Promise<number> {
  const answers = await Promise.all(commands.map((c) =>
    redis.eval(RENEW_SCRIPT, 1, KEYS.deliveryClaim(c.deliveryId), sendingClaim(options.ownerId, c), options.leaseMs)));
  return answers.filter((held) => Number(held) === 1).length;
}

/**
 * The claim writes of a settled batch as separate commands, for a Redis Cluster (each claim is in a slot of
 * its own, so they cannot share a MULTI there); auto-pipelining sends them one round trip per node.
 */
export async function writeClaims(redis: Redis, plan: Pick<SettlePlan, 'done' | 'release'>): Promise<void> {
  await Promise.all([
    ...plan.done.map(({ deliveryId, claim }) => redis.set(KEYS.deliveryClaim(deliveryId), claim, 'EX', DONE_CLAIM_TTL_SECONDS)),
    ...plan.release.map((deliveryId) => redis.del(KEYS.deliveryClaim(deliveryId))),
  ]);
}

/** Queues the claim writes of a settled batch on `multi`: final claims kept 30 days, released ones deleted. */
export function queueClaimWrites(multi: ChainableCommander, plan: Pick<SettlePlan, 'done' | 'release'>): ChainableCommander {
  for (const { deliveryId, claim } of plan.done) multi.set(KEYS.deliveryClaim(deliveryId), claim, 'EX', DONE_CLAIM_TTL_SECONDS);
  for (const deliveryId of plan.release) multi.del(KEYS.deliveryClaim(deliveryId));
  return multi;
}

/** A command's error as the Redis edge classified it (REDIS_UNAVAILABLE retries, WRONGTYPE does not). */
async function execPipeline(pipeline: ChainableCommander): Promise<unknown[]> {
  const results = await pipeline.exec();
  if (results === null) throw new VestnikError('DEPENDENCY_UNAVAILABLE', 'redis pipeline aborted', { retriable: true });
  return results.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}
