import type { ChainableCommander } from 'ioredis';
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
 * Claims the commands of a batch that nobody holds, atomically, and answers per key: 1 for a claim taken now
 * (a lease, so a crashed sender's claim frees itself), else the claim that holds it. One script call for the
 * whole batch: a command each (a pipeline of SET NX, then a GET of the refused ones) cost the sender an ioredis
 * command and a promise per message, and Redis a command to parse and answer each.
 * KEYS: the claims; ARGV[1]: the lease in ms; ARGV[1 + i]: the claim to set on KEYS[i].
 */
const CLAIM_SCRIPT = `
local answers = {}
for i, key in ipairs(KEYS) do
  local held = redis.call('GET', key)
  if held then
    answers[i] = held
  else
    redis.call('SET', key, ARGV[1 + i], 'PX', ARGV[1])
    answers[i] = 1
  end
end
return answers`;

/**
 * Claims every command of a batch (CLAIM_SCRIPT) and sorts them by its answers. On a Redis Cluster, where one
 * script runs on the keys of one slot and every claim has a slot of its own, each claim is a SET NX of its own
 * (auto-pipelining groups them per node) and the refused ones are read in one more round trip.
 */
export async function claimDeliveries(
  redis: Redis,
  commands: readonly DeliveryCommand[],
  options: { ownerId: string; leaseMs: number },
): Promise<ClaimResult> {
  const result: ClaimResult = { claimed: [], replays: [], leased: [] };
  if (commands.length === 0) return result;
  const keys = commands.map((c) => KEYS.deliveryClaim(c.deliveryId));
  const claims = commands.map((c) => sendingClaim(options.ownerId, c));
  const held = redis.isCluster
    ? await claimOneByOne(redis, keys, claims, options.leaseMs)
    : (await redis.eval(CLAIM_SCRIPT, keys.length, ...keys, options.leaseMs, ...claims)) as (number | string | null)[];
  commands.forEach((c, i) => {
    const answer = held[i] ?? null;
    if (answer === 1) result.claimed.push(c);
    else result[readClaim(answer === null ? null : String(answer)) === 'replay' ? 'replays' : 'leased'].push(c);
  });
  return result;
}

/** CLAIM_SCRIPT's answers, a command per claim (Redis Cluster); null: refused, and released since. */
async function claimOneByOne(redis: Redis, keys: readonly string[], claims: readonly string[], leaseMs: number): Promise<(1 | string | null)[]> {
  const taken = await Promise.all(keys.map((key, i) => redis.set(key, claims[i]!, 'PX', leaseMs, 'NX')));
  const refused = keys.filter((_, i) => taken[i] !== 'OK');
  const current = refused.length === 0 ? [] : await getMany(redis, refused);
  let next = 0;
  return taken.map((answer) => (answer === 'OK' ? 1 : current[next++] ?? null));
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

/**
 * The claim writes of a settled batch, in one script call: final claims kept 30 days, released ones deleted.
 * KEYS: the final claims, then the released ones; ARGV[1]: how many are final; ARGV[2]: their TTL in seconds;
 * ARGV[2 + i]: the value of the i-th final claim.
 */
const WRITE_CLAIMS_SCRIPT = `
local final = tonumber(ARGV[1])
for i = 1, final do
  redis.call('SET', KEYS[i], ARGV[2 + i], 'EX', ARGV[2])
end
for i = final + 1, #KEYS do
  redis.call('DEL', KEYS[i])
end
return #KEYS`;

/** Queues the claim writes of a settled batch on `multi` (WRITE_CLAIMS_SCRIPT), none when there are none. */
export function queueClaimWrites(multi: ChainableCommander, plan: Pick<SettlePlan, 'done' | 'release'>): ChainableCommander {
  const keys = [...plan.done.map(({ deliveryId }) => KEYS.deliveryClaim(deliveryId)), ...plan.release.map((deliveryId) => KEYS.deliveryClaim(deliveryId))];
  if (keys.length === 0) return multi;
  return multi.eval(WRITE_CLAIMS_SCRIPT, keys.length, ...keys, plan.done.length, DONE_CLAIM_TTL_SECONDS, ...plan.done.map(({ claim }) => claim));
}
