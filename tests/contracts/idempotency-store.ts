/**
 * The IdempotencyStore contract, one suite for the in-memory double (tests/doubles, unit tier) and the
 * Redis store (tests/integration/idempotency-store-contract.test.ts).
 */
import type { IdempotencyStore } from '../../ingest/middleware/idempotency-store';

const answer = { status: 201, body: { id: 'c-1' }, headers: { location: '/api/clients/c-1' } };

export function describeIdempotencyStoreContract(name: string, store: () => IdempotencyStore, ns: () => string): void {
  describe(`IdempotencyStore contract: ${name}`, () => {
    const key = (suffix: string) => `${ns()}-${suffix}`;

    it('reserves a new key once: a second reserve sees it in progress, with the first fingerprint', async () => {
      const s = store();
      expect((await s.reserve(key('a'), 'fp-1', 60_000)).kind).toBe('reserved');
      expect(await s.reserve(key('a'), 'fp-2', 60_000)).toEqual({ kind: 'in-progress', fingerprint: 'fp-1' });
    });

    it('of concurrent reserves of one key exactly one wins', async () => {
      const s = store();
      const results = await Promise.all(Array.from({ length: 10 }, () => s.reserve(key('race'), 'fp', 60_000)));
      expect(results.filter((r) => r.kind === 'reserved')).toHaveLength(1);
    });

    it('remembers the completed answer for later reserves', async () => {
      const s = store();
      const held = await s.reserve(key('done'), 'fp', 60_000);
      if (held.kind !== 'reserved') throw new Error('not reserved');
      expect(await s.complete(key('done'), held.token, answer, 60_000)).toBe(true);
      expect(await s.reserve(key('done'), 'fp', 60_000)).toEqual({ kind: 'done', fingerprint: 'fp', response: answer });
    });

    it('a released key can be reserved again; a release or completion with another token changes nothing', async () => {
      const s = store();
      const first = await s.reserve(key('rel'), 'fp', 60_000);
      if (first.kind !== 'reserved') throw new Error('not reserved');
      await s.release(key('rel'), 'someone-else');
      expect(await s.complete(key('rel'), 'someone-else', answer, 60_000)).toBe(false);
      expect((await s.reserve(key('rel'), 'fp', 60_000)).kind).toBe('in-progress');
      await s.release(key('rel'), first.token);
      expect((await s.reserve(key('rel'), 'fp', 60_000)).kind).toBe('reserved');
    });

    it('a released reservation cannot be completed any more', async () => {
      const s = store();
      const held = await s.reserve(key('late'), 'fp', 60_000);
      if (held.kind !== 'reserved') throw new Error('not reserved');
      await s.release(key('late'), held.token);
      expect(await s.complete(key('late'), held.token, answer, 60_000)).toBe(false);
    });
  });
}
