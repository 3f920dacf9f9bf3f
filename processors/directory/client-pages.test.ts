import type { Client } from '../../schemas/types';
import { indexPages, loadClients } from './client-pages';

/** A lexicographic zset as ZRANGEBYLEX sees it: sorted members, "-" / "(x" / "+" bounds, LIMIT 0 n. */
function fakeZset(members: string[]) {
  const sorted = [...members].sort();
  const calls: string[] = [];
  const zrangebylex = async (_key: string, min: string, _max: string, _limit: 'LIMIT', _offset: number, count: number) => {
    calls.push(min);
    const after = min === '-' ? null : min.slice(1);
    return sorted.filter((m) => after === null || m > after).slice(0, count);
  };
  return { redis: { zrangebylex } as never, calls };
}

async function collect(pages: AsyncGenerator<string[]>): Promise<string[][]> {
  const all: string[][] = [];
  for await (const page of pages) all.push(page);
  return all;
}

describe('indexPages', () => {
  it('walks the set in pages of the given size, each starting after the last id of the one before', async () => {
    const { redis, calls } = fakeZset(['c5', 'c1', 'c3', 'c2', 'c4']);
    expect(await collect(indexPages(redis, 'clients:series:s', 2))).toEqual([['c1', 'c2'], ['c3', 'c4'], ['c5']]);
    expect(calls).toEqual(['-', '(c2', '(c4']);
  });

  it('a full last page costs one more read, which comes back empty', async () => {
    const { redis, calls } = fakeZset(['a', 'b', 'c', 'd']);
    expect(await collect(indexPages(redis, 'k', 2))).toEqual([['a', 'b'], ['c', 'd']]);
    expect(calls).toEqual(['-', '(b', '(d']);
  });

  it('yields nothing for an empty or missing set', async () => {
    const { redis } = fakeZset([]);
    expect(await collect(indexPages(redis, 'k', 100))).toEqual([]);
  });

  it.each([0, -1, 1.5])('rejects page size %p', async (size) => {
    const { redis } = fakeZset(['a']);
    await expect(collect(indexPages(redis, 'k', size))).rejects.toThrow(RangeError);
  });
});

describe('loadClients', () => {
  const doc = (id: string) => JSON.stringify({ id } as Partial<Client>);

  it('reads every doc of the page in one MGET and leaves out the deleted ones', async () => {
    const mget = jest.fn(async (...keys: string[]) => keys.map((k) => (k === 'client:gone' ? null : doc(k.slice('client:'.length)))));
    const clients = await loadClients({ mget } as never, ['a', 'gone', 'b']);
    expect(mget).toHaveBeenCalledTimes(1);
    expect(mget).toHaveBeenCalledWith('client:a', 'client:gone', 'client:b');
    expect(clients.map((c) => c.id)).toEqual(['a', 'b']);
  });

  it('makes no call for an empty page', async () => {
    const mget = jest.fn();
    expect(await loadClients({ mget } as never, [])).toEqual([]);
    expect(mget).not.toHaveBeenCalled();
  });
});
