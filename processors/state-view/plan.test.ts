import { planBatch, planClientWrites, planMailingWrites, StateRecord } from './plan';
import type { Client, Mailing } from '../../schemas/types';

const client = (over: Partial<Client> = {}): Client => ({
  id: 'c1', phone: '79001234567', operatorCode: '900', tags: ['vip'], timezone: 'UTC', email: null,
  emailConfirmed: false, name: null, locale: 'en', deviceTokens: [],
  preferences: { promo: true, channels: {}, quietHours: null }, subscriptions: [], updatedAt: 1, ...over,
});

const mailing = (over: Partial<Mailing> = {}): Mailing => ({
  id: 'm1', text: 'hi', templateId: null, startAt: 1000, endAt: 2000, filter: { operatorCodes: [], tags: [] },
  channel: 'sms', sendWindow: null, promo: false, priority: 'bulk', status: 'scheduled', createdAt: 1, updatedAt: 1, ...over,
});

describe('planClientWrites', () => {
  it('indexes a new client by id, operator code, every tag and its phone', () => {
    const ops = planClientWrites('c1', null, client({ tags: ['vip', 'beta'] }));
    expect(ops.filter((o) => o.op === 'zadd').map((o) => o.key).sort()).toEqual(
      ['clients', 'clients:op:900', 'clients:phone:79001234567', 'clients:tag:beta', 'clients:tag:vip'],
    );
    expect(ops[ops.length - 1]).toMatchObject({ op: 'set', key: 'client:c1' });
  });

  it('moves a client between indexes when its tags and operator change', () => {
    const ops = planClientWrites('c1', client(), client({ tags: ['new'], operatorCode: '901' }));
    expect(ops).toContainEqual({ op: 'zrem', key: 'clients:tag:vip', member: 'c1' });
    expect(ops).toContainEqual({ op: 'zrem', key: 'clients:op:900', member: 'c1' });
    expect(ops).toContainEqual({ op: 'zadd', key: 'clients:tag:new', score: 0, member: 'c1' });
    expect(ops).not.toContainEqual(expect.objectContaining({ op: 'zadd', key: 'clients' }));
  });

  it('removes every index entry and the doc on a tombstone', () => {
    const ops = planClientWrites('c1', client(), null);
    expect(ops.map((o) => o.op)).toEqual(['zrem', 'zrem', 'zrem', 'zrem', 'del']);
  });
});

describe('planClientWrites: phone and email search indexes', () => {
  const searchOps = (ops: ReturnType<typeof planClientWrites>) =>
    ops.filter((o) => o.op !== 'set' && o.op !== 'del' && /^clients:(phone|email):/.test(o.key));

  it('indexes the email lower-cased, and no phone for a client without one', () => {
    expect(searchOps(planClientWrites('c1', null, client({ phone: '', operatorCode: '', email: 'Ann@Example.COM' })))).toEqual([
      { op: 'zadd', key: 'clients:email:ann@example.com', score: 0, member: 'c1' },
    ]);
  });

  it('a changed phone or email moves the client; a change of case only writes nothing', () => {
    const before = client({ email: 'ann@example.com' });
    expect(searchOps(planClientWrites('c1', before, client({ email: 'ANN@example.com', phone: '79001112233' })))).toEqual([
      { op: 'zrem', key: 'clients:phone:79001234567', member: 'c1' },
      { op: 'zadd', key: 'clients:phone:79001112233', score: 0, member: 'c1' },
    ]);
  });

  it('removing the email leaves its index', () => {
    expect(searchOps(planClientWrites('c1', client({ email: 'a@b.io' }), client({ email: null })))).toEqual([
      { op: 'zrem', key: 'clients:email:a@b.io', member: 'c1' },
    ]);
  });
});

describe('planClientWrites: series subscriptions', () => {
  const zsetOps = (ops: ReturnType<typeof planClientWrites>) =>
    ops.filter((o) => o.op !== 'set' && o.op !== 'del' && o.key.startsWith('clients:series:'));

  it('indexes a new client under every series it subscribes to', () => {
    expect(zsetOps(planClientWrites('c1', null, client({ subscriptions: ['s-1', 's-2'] })))).toEqual([
      { op: 'zadd', key: 'clients:series:s-1', score: 0, member: 'c1' },
      { op: 'zadd', key: 'clients:series:s-2', score: 0, member: 'c1' },
    ]);
  });

  it('a new subscription adds one member, an unchanged one writes nothing', () => {
    const ops = planClientWrites('c1', client({ subscriptions: ['s-1'] }), client({ subscriptions: ['s-1', 's-2'] }));
    expect(zsetOps(ops)).toEqual([{ op: 'zadd', key: 'clients:series:s-2', score: 0, member: 'c1' }]);
  });

  it('unsubscribing removes the member from that series only', () => {
    const ops = planClientWrites('c1', client({ subscriptions: ['s-1', 's-2'] }), client({ subscriptions: ['s-2'] }));
    expect(zsetOps(ops)).toEqual([{ op: 'zrem', key: 'clients:series:s-1', member: 'c1' }]);
  });

  it('moving from one series to another is one zrem and one zadd', () => {
    const ops = planClientWrites('c1', client({ subscriptions: ['s-1'] }), client({ subscriptions: ['s-3'] }));
    expect(zsetOps(ops)).toEqual([
      { op: 'zrem', key: 'clients:series:s-1', member: 'c1' },
      { op: 'zadd', key: 'clients:series:s-3', score: 0, member: 'c1' },
    ]);
  });

  it('a deleted client leaves every series it was subscribed to', () => {
    const ops = planClientWrites('c1', client({ subscriptions: ['s-1', 's-2'] }), null);
    expect(zsetOps(ops)).toEqual([
      { op: 'zrem', key: 'clients:series:s-1', member: 'c1' },
      { op: 'zrem', key: 'clients:series:s-2', member: 'c1' },
    ]);
    expect(ops[ops.length - 1]).toEqual({ op: 'del', key: 'client:c1' });
  });

  it('a series id that looks like a tag does not collide with the tag index', () => {
    const ops = planClientWrites('c1', null, client({ tags: ['x'], subscriptions: ['x'] }));
    expect(ops.filter((o) => o.op === 'zadd').map((o) => o.key)).toEqual(
      expect.arrayContaining(['clients:tag:x', 'clients:series:x']),
    );
  });
});

describe('planMailingWrites', () => {
  it.each([
    ['scheduled', 'zadd'],
    ['running', 'zrem'],
    ['cancelled', 'zrem'],
  ] as const)('a %s mailing is %s-ed in the start schedule', (status, op) => {
    const ops = planMailingWrites('m1', mailing({ status }));
    expect(ops).toContainEqual(expect.objectContaining({ op, key: 'schedule:mailings', member: 'm1' }));
  });

  it('a deleted mailing leaves the schedule and the index', () => {
    expect(planMailingWrites('m1', null)).toEqual([
      { op: 'del', key: 'mailing:m1' },
      { op: 'zrem', key: 'mailings', member: 'm1' },
      { op: 'zrem', key: 'schedule:mailings', member: 'm1' },
    ]);
  });
});

describe('planBatch', () => {
  const rec = (offset: string, value: Client | null, partition = 0): StateRecord => ({
    topic: 'state.clients', partition, offset, key: 'c1', value,
  });

  it('diffs a client written twice in one batch against its own earlier write', () => {
    const ops = planBatch([rec('5', client({ tags: ['a'] })), rec('6', client({ tags: ['b'] }))], new Map([['c1', null]]));
    expect(ops).toContainEqual({ op: 'zrem', key: 'clients:tag:a', member: 'c1' });
  });

  it('records the last applied offset of each partition once', () => {
    const ops = planBatch([rec('5', client()), rec('9', client(), 1), rec('6', client())], new Map());
    const offsets = ops.filter((o) => o.op === 'set' && o.key.startsWith('view:offset'));
    expect(offsets).toEqual([
      { op: 'set', key: 'view:offset:state.clients:0', value: '6' },
      { op: 'set', key: 'view:offset:state.clients:1', value: '9' },
    ]);
  });
});
