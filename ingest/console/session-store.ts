/**
 * Where console sessions and sign-ins in progress are kept: the port, and its Redis implementation.
 * Keys are a SHA-256 of the cookie value, so a Redis dump, KEYS or MONITOR never shows a live cookie.
 * tests/doubles/memory-console-sessions.ts is the in-memory double; tests/contracts/console-session-store.ts
 * runs one suite against both.
 */
import { createHash } from 'node:crypto';
import type { Redis } from '../../platform/redis/client';
import { KEYS } from '../../platform/redis/keys';

export const CONSOLE_ROLES = ['viewer', 'editor', 'admin'] as const;
export type ConsoleRole = (typeof CONSOLE_ROLES)[number];

/** A signed-in operator. */
export interface ConsoleSession {
  /** The provider's subject (`sub`), or `key:<fingerprint>` for an API-key sign-in. */
  subject: string;
  name: string;
  email?: string | undefined;
  role: ConsoleRole;
  /** The value every state-changing request must repeat in X-CSRF-Token. */
  csrfToken: string;
  /** Epoch ms: sign-in, and the end of the absolute lifetime. */
  createdAt: number;
  expiresAt: number;
}

/** What the callback needs to finish a sign-in the login route started. */
export interface PendingLogin {
  state: string;
  nonce: string;
  codeVerifier: string;
}

export interface ConsoleSessionStore {
  /** Stores a session under the cookie value `id` for `ttlMs` (the idle timeout, capped by the absolute end). */
  save(id: string, session: ConsoleSession, ttlMs: number): Promise<void>;
  get(id: string): Promise<ConsoleSession | null>;
  /** Pushes the idle expiry to `ttlMs` from now; nothing when the session is gone. */
  touch(id: string, ttlMs: number): Promise<void>;
  delete(id: string): Promise<void>;
  savePendingLogin(id: string, login: PendingLogin, ttlMs: number): Promise<void>;
  /** Returns and removes the pending login (a callback can use it once). */
  takePendingLogin(id: string): Promise<PendingLogin | null>;
}

/** The key a cookie value is kept under. */
export const cookieHash = (value: string): string => createHash('sha256').update(value).digest('base64url');

function parse<T>(raw: string | null): T | null {
  if (raw === null) return null;
  try {
    return JSON.parse(raw) as T;
  } catch {
    return null;
  }
}

export function createRedisConsoleSessionStore(redis: Redis): ConsoleSessionStore {
  return {
    async save(id, session, ttlMs) {
      await redis.set(KEYS.consoleSession(cookieHash(id)), JSON.stringify(session), 'PX', Math.max(1, Math.ceil(ttlMs)));
    },
    async get(id) {
      return parse<ConsoleSession>(await redis.get(KEYS.consoleSession(cookieHash(id))));
    },
    async touch(id, ttlMs) {
      await redis.pexpire(KEYS.consoleSession(cookieHash(id)), Math.max(1, Math.ceil(ttlMs)));
    },
    async delete(id) {
      await redis.del(KEYS.consoleSession(cookieHash(id)));
    },
    async savePendingLogin(id, login, ttlMs) {
      await redis.set(KEYS.consoleLogin(cookieHash(id)), JSON.stringify(login), 'PX', Math.max(1, Math.ceil(ttlMs)));
    },
    async takePendingLogin(id) {
      // GETDEL: of two callbacks racing with one login, only one gets it.
      return parse<PendingLogin>(await redis.getdel(KEYS.consoleLogin(cookieHash(id))));
    },
  };
}
