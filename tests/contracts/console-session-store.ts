/**
 * The ConsoleSessionStore contract, one suite for the in-memory double (tests/doubles, unit tier) and the
 * Redis store (tests/integration/console-session-store-contract.test.ts). `wait` lets time pass: real
 * milliseconds on Redis, a moved clock on the double.
 */
import type { ConsoleSession, ConsoleSessionStore } from '../../ingest/console/session-store';

const session: ConsoleSession = {
  subject: 'alice', name: 'Alice', email: 'alice@example.test', role: 'editor', csrfToken: 'csrf-1', createdAt: 1, expiresAt: 2,
};
const login = { state: 's', nonce: 'n', codeVerifier: 'v' };

export function describeConsoleSessionStoreContract(
  name: string,
  store: () => ConsoleSessionStore,
  ns: () => string,
  wait: (ms: number) => Promise<void>,
): void {
  describe(`ConsoleSessionStore contract: ${name}`, () => {
    const id = (suffix: string) => `${ns()}-${suffix}`;

    it('returns a saved session until it is deleted', async () => {
      const s = store();
      await s.save(id('a'), session, 60_000);
      expect(await s.get(id('a'))).toEqual(session);
      expect(await s.get(id('other'))).toBeNull();
      await s.delete(id('a'));
      expect(await s.get(id('a'))).toBeNull();
    });

    it('forgets a session after its ttl, unless touched in time', async () => {
      const s = store();
      await s.save(id('idle'), session, 150);
      await s.save(id('busy'), session, 150);
      await wait(80);
      await s.touch(id('busy'), 400);
      await wait(150);
      expect(await s.get(id('idle'))).toBeNull();
      expect(await s.get(id('busy'))).toEqual(session);
    });

    it('touching a missing session does not create it', async () => {
      const s = store();
      await s.touch(id('ghost'), 60_000);
      expect(await s.get(id('ghost'))).toBeNull();
    });

    it('hands a pending login out once', async () => {
      const s = store();
      await s.savePendingLogin(id('l'), login, 60_000);
      const taken = await Promise.all([s.takePendingLogin(id('l')), s.takePendingLogin(id('l'))]);
      expect(taken.filter(Boolean)).toEqual([login]);
    });

    it('a pending login expires', async () => {
      const s = store();
      await s.savePendingLogin(id('late'), login, 100);
      await wait(200);
      expect(await s.takePendingLogin(id('late'))).toBeNull();
    });
  });
}
