/**
 * In-memory ConsoleSessionStore for the API's unit tests: the same answers as the Redis store
 * (tests/contracts/console-session-store.ts runs one suite against both), with time from the given clock.
 */
import type { ConsoleSession, ConsoleSessionStore, PendingLogin } from '../../ingest/console/session-store';

type Entry<T> = { value: T; expiresAt: number };

export function createMemoryConsoleSessionStore(clock: { now(): number } = { now: () => Date.now() }) {
  const sessions = new Map<string, Entry<ConsoleSession>>();
  const logins = new Map<string, Entry<PendingLogin>>();
  const live = <T>(map: Map<string, Entry<T>>, id: string): Entry<T> | undefined => {
    const entry = map.get(id);
    if (entry && entry.expiresAt <= clock.now()) map.delete(id);
    return map.get(id);
  };
  const store: ConsoleSessionStore & { sessions: typeof sessions } = {
    sessions,
    async save(id, session, ttlMs) {
      sessions.set(id, { value: structuredClone(session), expiresAt: clock.now() + ttlMs });
    },
    async get(id) {
      const entry = live(sessions, id);
      return entry ? structuredClone(entry.value) : null;
    },
    async touch(id, ttlMs) {
      const entry = live(sessions, id);
      if (entry) entry.expiresAt = clock.now() + ttlMs;
    },
    async delete(id) {
      sessions.delete(id);
    },
    async savePendingLogin(id, login, ttlMs) {
      logins.set(id, { value: structuredClone(login), expiresAt: clock.now() + ttlMs });
    },
    async takePendingLogin(id) {
      const entry = live(logins, id);
      logins.delete(id);
      return entry ? entry.value : null;
    },
  };
  return store;
}
