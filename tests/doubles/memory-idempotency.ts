/**
 * In-memory IdempotencyStore for the API's unit tests: the same states and answers as the Redis store
 * (tests/contracts/idempotency-store.ts runs one suite against both), with time from the given clock.
 */
import { randomUUID } from 'node:crypto';
import type { IdempotencyStore, Reservation, StoredResponse } from '../../ingest/middleware/idempotency-store';

type Entry = { token: string; fingerprint: string; response: StoredResponse | null; expiresAt: number };

export function createMemoryIdempotencyStore(clock: { now(): number } = { now: () => Date.now() }): IdempotencyStore & { entries: Map<string, Entry> } {
  const entries = new Map<string, Entry>();
  const live = (key: string): Entry | undefined => {
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= clock.now()) entries.delete(key);
    return entries.get(key);
  };
  return {
    entries,
    async reserve(key, fingerprint, leaseMs): Promise<Reservation> {
      const held = live(key);
      if (held) {
        return held.response ? { kind: 'done', fingerprint: held.fingerprint, response: structuredClone(held.response) } : { kind: 'in-progress', fingerprint: held.fingerprint };
      }
      const token = randomUUID();
      entries.set(key, { token, fingerprint, response: null, expiresAt: clock.now() + leaseMs });
      return { kind: 'reserved', token };
    },
    async complete(key, token, response, ttlMs) {
      const held = live(key);
      if (!held || held.response || held.token !== token) return false;
      entries.set(key, { ...held, response: structuredClone(response), expiresAt: clock.now() + ttlMs });
      return true;
    },
    async release(key, token) {
      const held = live(key);
      if (held && !held.response && held.token === token) entries.delete(key);
    },
  };
}
