/**
 * Where Idempotency-Keys are kept: the port, and its Redis implementation. One key per (caller, key)
 * hash holds either a reservation (`pending`, with the owner's token, for a short lease) or the first
 * answer (`done`, for 24 h). Reserving is SET NX, so of two concurrent requests exactly one runs; finishing
 * and releasing compare the exact reservation first, so a late owner never overwrites another's answer.
 * tests/doubles/memory-idempotency.ts is the in-memory double; tests/contracts/idempotency-store.ts runs
 * against both.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from '../../platform/redis/client';
import { KEYS } from '../../platform/redis/keys';

/** The answer remembered for replays. */
export interface StoredResponse {
  status: number;
  body: unknown;
  /** The response headers worth replaying (Location, ETag). */
  headers: Record<string, string>;
}

export type Reservation =
  | { kind: 'reserved'; token: string }
  | { kind: 'in-progress'; fingerprint: string }
  | { kind: 'done'; fingerprint: string; response: StoredResponse };

export interface IdempotencyStore {
  /** Reserves `key` for `leaseMs`, or says what holds it: a request in progress, or the first answer. */
  reserve(key: string, fingerprint: string, leaseMs: number): Promise<Reservation>;
  /** Stores the answer of the reservation `token` for `ttlMs`; false when the reservation was lost (lease over). */
  complete(key: string, token: string, response: StoredResponse, ttlMs: number): Promise<boolean>;
  /** Drops the reservation `token` (the request failed: a retry may run it again). */
  release(key: string, token: string): Promise<void>;
}

interface Pending { state: 'pending'; token: string; fingerprint: string }
interface Done { state: 'done'; fingerprint: string; response: StoredResponse }

/** What a stored value means; an unreadable one reads as in progress (never as a licence to run twice). */
export function reservationOf(raw: string): Reservation {
  try {
    const value = JSON.parse(raw) as Pending | Done;
    if (value.state === 'done') return { kind: 'done', fingerprint: value.fingerprint, response: value.response };
    return { kind: 'in-progress', fingerprint: value.fingerprint };
  } catch {
    return { kind: 'in-progress', fingerprint: '' };
  }
}

// SET NX, else the current value: one round trip, and no gap between the failed SET and the read.
const RESERVE_SCRIPT = `
if redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return false end
return redis.call('GET', KEYS[1]) or '{"state":"pending","fingerprint":""}'`;

const COMPLETE_SCRIPT = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1`;

const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export function createRedisIdempotencyStore(redis: Redis): IdempotencyStore {
  // The token is the exact pending value: comparing it proves the reservation is still the caller's.
  return {
    async reserve(key, fingerprint, leaseMs) {
      const token = JSON.stringify({ state: 'pending', token: randomUUID(), fingerprint } satisfies Pending);
      const held = (await redis.eval(RESERVE_SCRIPT, 1, KEYS.idempotency(key), token, leaseMs)) as string | null;
      return held === null ? { kind: 'reserved', token } : reservationOf(held);
    },
    async complete(key, token, response, ttlMs) {
      const pending = reservationOf(token);
      if (pending.kind !== 'in-progress' || !pending.fingerprint) return false; // not a token this store handed out
      const done = JSON.stringify({ state: 'done', fingerprint: pending.fingerprint, response } satisfies Done);
      return Number(await redis.eval(COMPLETE_SCRIPT, 1, KEYS.idempotency(key), token, done, ttlMs)) === 1;
    },
    async release(key, token) {
      await redis.eval(RELEASE_SCRIPT, 1, KEYS.idempotency(key), token);
    },
  };
}
