import { createLinkStore, linkKeys, type LinkStore } from '../../platform/links/link-store';
import type { Redis } from '../../platform/redis/client';
import { useRedisBackend, type RedisBackendName } from '../support/redis-backend';

/**
 * The short-link store on the run's Redis and on a Redis Cluster (issue 16): there a link and its
 * tombstone share their code's slot, and creating a link is a few single-slot steps.
 */
for (const backendName of ['one Redis', 'a Redis Cluster'] as const) describe(`on ${backendName}`, () => describeLinkStore(backendName));

const HOUR = 3_600_000;
const link = (subject: string, ttlMs = HOUR) => ({ url: 'https://example.test/welcome', ttlMs, purpose: 'email-confirmation', subject });

function describeLinkStore(backendName: RedisBackendName): void {
  const connection = useRedisBackend(backendName, 'link-store');
  let redis: Redis;
  let store: LinkStore;

  beforeAll(() => {
    redis = connection();
    store = createLinkStore({ redis, tombstoneMs: HOUR });
  });

  it('gives a link once: a second click says used, an unknown code expired', async () => {
    const code = await store.create(link('u-1'));
    expect(await store.consume(code)).toMatchObject({ kind: 'ok', link: { url: 'https://example.test/welcome', subject: 'u-1' } });
    expect(await store.consume(code)).toEqual({ kind: 'used' });
    expect(await store.consume('AAAAAAAAAAAAAAAAAAAAAA')).toEqual({ kind: 'expired' });
  });

  it('gives a link to exactly one of many clicks at once', async () => {
    const code = await store.create(link('u-1'));
    const results = await Promise.all(Array.from({ length: 20 }, () => store.consume(code)));
    expect(results.filter((r) => r.kind === 'ok')).toHaveLength(1);
    expect(results.filter((r) => r.kind === 'used')).toHaveLength(19);
  });

  it('creates one code per source, however many replays race', async () => {
    const codes = await Promise.all(Array.from({ length: 10 }, () => store.createOnce('welcome:e-1', link('u-1'))));
    expect(new Set(codes).size).toBe(1);
    expect(await store.createOnce('welcome:e-1', link('u-1'))).toBe(codes[0]);
    // The losers' links are gone: only the winner's code opens anything.
    expect(await redis.exists(linkKeys(redis).link(codes[0]!))).toBe(1);
    expect(await store.consume(codes[0]!)).toMatchObject({ kind: 'ok' });
  });

  it('restores a consumed link for its remaining lifetime', async () => {
    const code = await store.create(link('u-1'));
    const taken = await store.consume(code);
    if (taken.kind !== 'ok') throw new Error(`expected the link, got ${taken.kind}`);
    await store.restore(code, taken.link);
    expect(await store.consume(code)).toMatchObject({ kind: 'ok' });
    expect(await redis.pttl(linkKeys(redis).link(code))).toBe(-2); // consumed again
  });

  it("erases every live link about a subject, and no one else's", async () => {
    const anna = await Promise.all([store.create(link('anna')), store.create(link('anna')), store.createOnce('welcome:anna', link('anna'))]);
    await store.consume(anna[0]);
    const other = await store.create(link('boris'));
    expect(await store.eraseSubject('anna')).toBe(2);
    for (const code of anna) expect(await redis.exists(linkKeys(redis).link(code))).toBe(0);
    expect(await store.consume(anna[1])).toEqual({ kind: 'expired' });
    expect(await store.consume(other)).toMatchObject({ kind: 'ok' });
  });
}
