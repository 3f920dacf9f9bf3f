import type { Redis } from '../../platform/redis/client';

/**
 * A Redis lease: one key holding its owner's id, with a TTL, so one process acts at a time and a dead
 * owner is replaced within one TTL. Taking and renewing are one Lua script (acquire when free, renew when
 * ours, refuse otherwise): split into SET NX then GET + PEXPIRE, another owner could take the key between
 * the GET and the PEXPIRE and have its fresh lease extended by the old owner. Releasing deletes the key
 * only if it is still ours, for the same reason. Renewal resets the full TTL; an owner that stops
 * renewing loses it when the TTL runs out.
 */
export interface Lease {
  /** Takes the lease if free, renews it if ours; true when we hold it afterwards. */
  acquireOrRenew(): Promise<boolean>;
  /** Whether we hold it now (read only: never takes nor extends it). */
  holds(): Promise<boolean>;
  /** Gives it up if we still hold it, so another owner need not wait out the TTL. */
  release(): Promise<void>;
}

export interface LeaseOptions {
  redis: Redis;
  key: string;
  ownerId: string;
  ttlMs: number;
}

/** KEYS[1] the lease, ARGV[1] owner, ARGV[2] TTL in ms → 1 held, 0 someone else holds it. */
const ACQUIRE_OR_RENEW = `
local owner = redis.call('GET', KEYS[1])
if owner == false then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if owner == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0`;

/** KEYS[1] the lease, ARGV[1] owner → 1 released, 0 not ours. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** A lease on `key` for `ownerId` (see Lease). */
export function createLease({ redis, key, ownerId, ttlMs }: LeaseOptions): Lease {
  if (!Number.isInteger(ttlMs) || ttlMs < 1) throw new RangeError(`lease ttlMs must be a positive integer, got ${ttlMs}`);
  if (!ownerId) throw new RangeError('lease ownerId must not be empty');
  return {
    async acquireOrRenew() {
      return Number(await redis.eval(ACQUIRE_OR_RENEW, 1, key, ownerId, ttlMs)) === 1;
    },
    async holds() {
      return (await redis.get(key)) === ownerId;
    },
    async release() {
      await redis.eval(RELEASE, 1, key, ownerId);
    },
  };
}
