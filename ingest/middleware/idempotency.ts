/**
 * `Idempotency-Key` on the POSTs that create something (clients, mailings, notifications): a client that
 * lost the answer may send the request again and gets the first answer back instead of a second client,
 * mailing or notification.
 *
 * - same key, same body, within 24 h: the first answer (status, body, Location/ETag), replayed with
 *   `Idempotent-Replayed: true`;
 * - same key, another body (or another route): 422 IDEMPOTENCY_KEY_REUSED;
 * - same key while the first request is still running: 409 IDEMPOTENCY_KEY_IN_USE (retry shortly).
 *
 * Keys are per caller: the store key is a hash of the principal's id (an API key's fingerprint, or a
 * user's id) and the Idempotency-Key, so two callers never see each other's answers. Only a 2xx answer is
 * remembered: an error releases the key, so the caller can retry (with the same key) once it is fixed.
 * Runs after the role guard (a 401/403 never touches the store) and before body validation.
 */
import { createHash } from 'node:crypto';
import type { Middleware } from 'koa';
import { z } from '../../domain/resources/zod';
import { VestnikError } from '../../platform/errors';
import { canonicalJson } from '../../platform/stores/etag';
import type { ApiState } from '../http/context';
import { MalformedRequestError } from '../http/errors';
import type { IdempotencyStore } from './idempotency-store';

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** How long a reservation lasts if its request never finishes (a crash): then the key is free again. */
export const IDEMPOTENCY_LEASE_MS = 60_000;
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
const REPLAYED_HEADERS = ['location', 'etag'];

export interface IdempotencyOptions {
  store: IdempotencyStore;
  ttlMs?: number;
  leaseMs?: number;
}

/** The documented request header of the routes that take it. */
export const IdempotencyHeaders = z.object({
  'idempotency-key': z.string().max(255).optional().openapi({
    description: 'Makes a retry safe: the same key and body within 24 h get the first answer again (with '
      + 'Idempotent-Replayed: true); another body → 422 IDEMPOTENCY_KEY_REUSED; while the first is running → 409.',
    example: '0b6f6a52-6c1e-4a5c-9f0e-2f4d3c1b7a90',
  }),
});

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** What "the same request" means: the route and the body, with key order ignored. */
export function requestFingerprint(method: string, path: string, body: unknown): string {
  return sha256(`${method} ${path}\n${canonicalJson(body ?? null)}`);
}

export function idempotency(options: IdempotencyOptions): Middleware<ApiState> {
  const { store } = options;
  const ttlMs = options.ttlMs ?? IDEMPOTENCY_TTL_MS;
  const leaseMs = options.leaseMs ?? IDEMPOTENCY_LEASE_MS;
  return async (ctx, next) => {
    const header = ctx.get('Idempotency-Key');
    if (header === '') return next();
    if (!KEY_PATTERN.test(header)) {
      throw new MalformedRequestError('invalid Idempotency-Key', [{ path: 'Idempotency-Key', message: '1 to 255 visible ASCII characters' }]);
    }
    const key = sha256(`${ctx.state.principal?.id ?? 'anonymous'}\n${header}`);
    const fingerprint = requestFingerprint(ctx.method, ctx.path, ctx.request.body);
    const held = await store.reserve(key, fingerprint, leaseMs);
    if (held.kind !== 'reserved') {
      if (held.fingerprint !== fingerprint) {
        throw new VestnikError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used with another request');
      }
      if (held.kind === 'in-progress') {
        throw new VestnikError('IDEMPOTENCY_KEY_IN_USE', 'a request with this Idempotency-Key is still in progress; retry later');
      }
      ctx.status = held.response.status;
      for (const [name, value] of Object.entries(held.response.headers)) ctx.set(name, value);
      ctx.set('Idempotent-Replayed', 'true');
      ctx.body = held.response.body;
      return;
    }
    let remembered = false;
    try {
      await next();
      if (ctx.status >= 200 && ctx.status < 300) {
        const headers = Object.fromEntries(REPLAYED_HEADERS.flatMap((name) => (ctx.response.get(name) ? [[name, ctx.response.get(name)]] : [])));
        // The work is done: a store that fails now must not turn its success into an error.
        remembered = await store.complete(key, held.token, { status: ctx.status, body: ctx.body ?? null, headers }, ttlMs)
          .catch(() => false);
        if (!remembered) ctx.state.log?.warn({ status: ctx.status }, 'idempotency answer not stored: a retry with this key runs again');
      }
    } finally {
      // An error, a non-2xx answer or a failed store: free the key (best effort; the lease frees it anyway).
      if (!remembered) await store.release(key, held.token).catch(() => undefined);
    }
  };
}
