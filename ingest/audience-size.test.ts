import { KEYS } from '../platform/redis/keys';
import type { Client } from '../schemas/types';
import { createAudienceSize } from './audience-size';

const client = (id: string, operatorCode: string, tags: string[]): Client => ({
  id, phone: `7${operatorCode}0000000`, operatorCode, tags, timezone: 'UTC', email: null, emailConfirmed: false, name: null, locale: 'en',
  deviceTokens: [], preferences: { promo: true, channels: {}, quietHours: null }, subscriptions: [], updatedAt: 1,
});

/** The view as the state view writes it: docs and lexicographic index zsets; counts the calls made. */
function fakeView(clients: Client[]) {
  const docs = new Map(clients.map((c) => [KEYS.client(c.id), JSON.stringify(c)]));
  const sets = new Map<string, string[]>();
  const add = (key: string, id: string) => sets.set(key, [...(sets.get(key) ?? []), id].sort());
  for (const c of clients) {
    add(KEYS.clientIds, c.id);
    add(KEYS.clientsByOperator(c.operatorCode), c.id);
    for (const tag of c.tags) add(KEYS.clientsByTag(tag), c.id);
  }
  const calls = { zcard: 0, mget: 0 };
  const redis = {
    get: async (key: string) => docs.get(key) ?? null,
    mget: async (...keys: string[]) => { calls.mget += 1; return keys.map((k) => docs.get(k) ?? null); },
    zcard: async (key: string) => { calls.zcard += 1; return sets.get(key)?.length ?? 0; },
    zrangebylex: async (key: string, min: string, _max: string, _l: string, _o: number, count: number) => {
      const after = min === '-' ? null : min.slice(1);
      return (sets.get(key) ?? []).filter((id) => after === null || id > after).slice(0, count);
    },
  };
  return { redis: redis as never, calls };
}

const world = [
  client('a', '900', ['vip']), client('b', '900', ['vip', 'new']), client('c', '916', ['new']),
  client('d', '916', []), client('e', '926', ['vip']), client('f', '900', []),
];

describe('audience size (the fan-out\'s rule over the view)', () => {
  it.each([
    ['everyone', { operatorCodes: [], tags: [] }, 6],
    ['operator codes (a repeated code once)', { operatorCodes: ['900', '916', '900'], tags: [] }, 5],
    ['tags: a client in two tag sets counts once', { operatorCodes: [], tags: ['vip', 'new'] }, 4],
    ['codes and tags', { operatorCodes: ['900', '926'], tags: ['vip'] }, 3],
    ['a code nobody has', { operatorCodes: ['999'], tags: [] }, 0],
  ])('%s', async (_name, filter, size) => {
    const { redis } = fakeView(world);
    expect(await createAudienceSize({ redis, pageSize: 2 }).of(filter)).toBe(size);
  });

  it('without tags it only counts the sets (no doc is read)', async () => {
    const { redis, calls } = fakeView(world);
    await createAudienceSize({ redis }).of({ operatorCodes: ['900', '916'], tags: [] });
    expect(calls).toEqual({ zcard: 2, mget: 0 });
  });

  it('with tags it reads one page of docs at a time', async () => {
    const { redis, calls } = fakeView(world);
    await createAudienceSize({ redis, pageSize: 2 }).of({ operatorCodes: [], tags: ['vip'] });
    expect(calls.mget).toBe(2); // vip = a, b, e: two pages
  });
});
