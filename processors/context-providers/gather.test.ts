import { VestnikError } from '../../platform/errors';
import type { ContextsByUser } from './classify';
import type { ContextSource } from './client';
import { MAX_USER_IDS_PER_REQUEST, gatherContexts, pageContexts } from './gather';

/** A fake service: knows every id not starting with "ghost-", records each request. */
function fakeSource(overrides: Partial<ContextSource> = {}) {
  const requests: Array<{ kind: string; userIds: readonly string[] }> = [];
  const source: ContextSource = {
    async fetchContexts(kind, userIds): Promise<ContextsByUser> {
      requests.push({ kind, userIds });
      return new Map(userIds.filter((id) => !id.startsWith('ghost-')).map((id) => [id, { genreOf: id }]));
    },
    close: async () => undefined,
    ...overrides,
  };
  return { source, requests };
}

const recipients = (...ids: string[]) => ids.map((id) => ({ id }));

describe('gatherContexts', () => {
  it('makes one request for a page, each id once', async () => {
    const { source, requests } = fakeSource();
    const contexts = await gatherContexts(source, 'monthly-digest', recipients('u-1', 'u-2', 'u-1'));
    expect(requests).toEqual([{ kind: 'monthly-digest', userIds: ['u-1', 'u-2'] }]);
    expect([...contexts.keys()]).toEqual(['u-1', 'u-2']);
  });
  it('splits a page larger than the service takes, and merges the answers', async () => {
    const { source, requests } = fakeSource();
    const ids = Array.from({ length: MAX_USER_IDS_PER_REQUEST + 5 }, (_, i) => `u-${i}`);
    const contexts = await gatherContexts(source, 'monthly-digest', recipients(...ids));
    expect(requests.map((r) => r.userIds.length)).toEqual([MAX_USER_IDS_PER_REQUEST, 5]);
    expect(contexts.size).toBe(ids.length);
  });
  it('asks nothing for an empty page', async () => {
    const { source, requests } = fakeSource();
    expect((await gatherContexts(source, 'monthly-digest', [])).size).toBe(0);
    expect(requests).toEqual([]);
  });
  it('ignores contexts for users it did not ask about', async () => {
    const { source } = fakeSource({ fetchContexts: async () => new Map([['u-1', {}], ['stranger', {}]]) });
    expect([...(await gatherContexts(source, 'k', recipients('u-1'))).keys()]).toEqual(['u-1']);
  });
  it('fails the whole page when a request fails', async () => {
    const failure = new VestnikError('PROVIDER_UNAVAILABLE', 'down', { retriable: true });
    const { source } = fakeSource({ fetchContexts: async () => { throw failure; } });
    await expect(gatherContexts(source, 'k', recipients('u-1'))).rejects.toBe(failure);
  });
});

describe('pageContexts', () => {
  const plain = { id: 't-plain', contextProvider: null };
  const digest = { id: 't-digest', contextProvider: 'monthly-digest' };

  it('asks nothing for a template without a provider', async () => {
    const { source, requests } = fakeSource();
    const of = await pageContexts(source, plain, recipients('u-1'));
    expect(of('u-1')).toEqual({});
    expect(requests).toEqual([]);
  });
  it('gives each recipient their context under the kind\'s key, null for one left out', async () => {
    const { source, requests } = fakeSource();
    const of = await pageContexts(source, digest, recipients('u-1', 'ghost-2'));
    expect(requests).toHaveLength(1);
    expect(of('u-1')).toEqual({ monthlyDigest: { genreOf: 'u-1' } });
    expect(of('ghost-2')).toBeNull();
  });
  it('a provider without a configured service is a permanent error', async () => {
    await expect(pageContexts(undefined, digest, recipients('u-1'))).rejects.toMatchObject({ code: 'CONFIG_INVALID', retriable: false });
  });
});
