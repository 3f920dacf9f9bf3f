import { getMany } from './get-many';

function fakeRedis(isCluster: boolean, values: Record<string, string>) {
  const calls: string[] = [];
  return {
    calls,
    redis: {
      isCluster,
      get: async (key: string) => { calls.push(`GET ${key}`); return values[key] ?? null; },
      mget: async (...keys: string[]) => { calls.push(`MGET ${keys.join(' ')}`); return keys.map((key) => values[key] ?? null); },
    } as unknown as Parameters<typeof getMany>[0],
  };
}

describe('getMany', () => {
  const values = { a: '1', c: '3' };

  it('reads one Redis with one MGET, in order, null where absent', async () => {
    const { redis, calls } = fakeRedis(false, values);
    expect(await getMany(redis, ['a', 'b', 'c'])).toEqual(['1', null, '3']);
    expect(calls).toEqual(['MGET a b c']);
  });

  it('reads a Redis Cluster with a GET per key (slots differ), in order', async () => {
    const { redis, calls } = fakeRedis(true, values);
    expect(await getMany(redis, ['c', 'b', 'a'])).toEqual(['3', null, '1']);
    expect(calls).toEqual(['GET c', 'GET b', 'GET a']);
  });

  it('sends nothing for no keys (MGET of none is an error)', async () => {
    const { redis, calls } = fakeRedis(false, values);
    expect(await getMany(redis, [])).toEqual([]);
    expect(calls).toEqual([]);
  });
});
