import type { Client } from '../../schemas/types';
import { createDirectoryReader, parseViewDoc } from './directory';

/** A lexicographic zset as ZRANGEBYLEX sees it: sorted members, "-" / "(x" / "+" bounds, LIMIT 0 n. */
function fakeZset(members: string[]) {
  const sorted = [...members].sort();
  const calls: string[] = [];
  const zrangebylex = async (_key: string, min: string, _max: string, _limit: 'LIMIT', _offset: number, count: number) => {
    calls.push(min);
    const after = min === '-' ? null : min.slice(1);
    return sorted.filter((m) => after === null || m > after).slice(0, count);
  };
  return { redis: createDirectoryReader({ zrangebylex } as never), calls };
}

async function collect(pages: AsyncGenerator<string[]>): Promise<string[][]> {
  const all: string[][] = [];
  for await (const page of pages) all.push(page);
  return all;
}

describe('indexPages (the one paging of an index)', () => {
  it('walks the set in pages of the given size, each starting after the last id of the one before', async () => {
    const { redis, calls } = fakeZset(['c5', 'c1', 'c3', 'c2', 'c4']);
    expect(await collect(redis.indexPages('clients:series:s', 2))).toEqual([['c1', 'c2'], ['c3', 'c4'], ['c5']]);
    expect(calls).toEqual(['-', '(c2', '(c4']);
  });

  it('a full last page costs one more read, which comes back empty', async () => {
    const { redis, calls } = fakeZset(['a', 'b', 'c', 'd']);
    expect(await collect(redis.indexPages('k', 2))).toEqual([['a', 'b'], ['c', 'd']]);
    expect(calls).toEqual(['-', '(b', '(d']);
  });

  it('yields nothing for an empty or missing set', async () => {
    const { redis } = fakeZset([]);
    expect(await collect(redis.indexPages('k', 100))).toEqual([]);
  });

  it.each([0, -1, 1.5])('rejects page size %p', async (size) => {
    const { redis } = fakeZset(['a']);
    await expect(collect(redis.indexPages('k', size))).rejects.toThrow(RangeError);
  });
});

describe('clients (one MGET per page)', () => {
  const doc = (id: string) => JSON.stringify({ id } as Partial<Client>);

  it('reads every doc of the page in one MGET and leaves out the deleted ones', async () => {
    const mget = jest.fn(async (...keys: string[]) => keys.map((k) => (k === 'client:gone' ? null : doc(k.slice('client:'.length)))));
    const clients = await createDirectoryReader({ mget } as never).clients(['a', 'gone', 'b']);
    expect(mget).toHaveBeenCalledTimes(1);
    expect(mget).toHaveBeenCalledWith('client:a', 'client:gone', 'client:b');
    expect(clients.map((c) => c.id)).toEqual(['a', 'b']);
  });

  it('makes no call for an empty page', async () => {
    const mget = jest.fn();
    expect(await createDirectoryReader({ mget } as never).clients([])).toEqual([]);
    expect(mget).not.toHaveBeenCalled();
  });
});

describe('one policy for a corrupt document', () => {
  it('reads a document that is not JSON as absent and reports its key, in single and batched reads', async () => {
    const corrupt: string[] = [];
    const values: Record<string, string> = { 'client:a': JSON.stringify({ id: 'a' }), 'client:bad': '{not json', 'mailing:m': 'nope' };
    const reader = createDirectoryReader({
      get: async (key: string) => values[key] ?? null,
      mget: async (...keys: string[]) => keys.map((k) => values[k] ?? null),
    } as never, (key) => corrupt.push(key));
    expect((await reader.clients(['a', 'bad', 'gone'])).map((c) => c.id)).toEqual(['a']);
    expect(await reader.client('bad')).toBeNull();
    expect(await reader.mailing('m')).toBeNull();
    expect(await reader.mailings(['m', 'gone'])).toEqual([null, null]);
    expect(corrupt).toEqual(['client:bad', 'client:bad', 'mailing:m', 'mailing:m']);
  });

  it.each([
    [null, null, false],
    [undefined, null, false],
    ['{"id":"x"}', { id: 'x' }, false],
    ['{', null, true],
    ['', null, true],
  ])('parseViewDoc(%p) is %p (corrupt: %p)', (raw, expected, reported) => {
    const onCorrupt = jest.fn();
    expect(parseViewDoc(raw as string | null | undefined, onCorrupt)).toEqual(expected);
    expect(onCorrupt).toHaveBeenCalledTimes(reported ? 1 : 0);
  });
});
