import type { ClickHouseClient } from './clickhouse-client';
import { createClientDeliveries, decodeClientCursor, encodeClientCursor, toClientDelivery } from './client-deliveries';
import type { SqlFragment } from './sql-escape';

/** Answers each query with the next canned result and records the SQL it was given. */
function scriptedClient(results: unknown[][]) {
  const statements: string[] = [];
  const client: ClickHouseClient = {
    query: async <T>(statement: SqlFragment) => {
      statements.push(statement.text);
      return (results.shift() ?? []) as T[];
    },
    exec: async () => undefined,
    insertJsonRows: async () => undefined,
    ping: async () => true,
    close: async () => undefined,
  };
  return { client, statements };
}

const row = (id: string, firstAt: number, over: Record<string, unknown> = {}) => ({
  deliveryId: id, deliverySourceType: 'notification', deliverySourceId: 'r1', deliveryChannel: 'email',
  currentStatus: 'sent', attempts: '1', latestReason: '', firstAt: String(firstAt), lastAt: String(firstAt + 5), ...over,
});

describe('forClient', () => {
  it('asks only for the client (escaped), newest first, one row more than the page', async () => {
    const { client, statements } = scriptedClient([[row('b', 20), row('a', 10), row('z', 5)]]);
    const page = await createClientDeliveries({ client, database: 'v' }).forClient("c'1", { limit: 2 });
    const statement = statements[0] as string;
    expect(statement).toContain("clientId = 'c\\'1'");
    expect(statement).toMatch(/ORDER BY firstAt DESC, deliveryId DESC\s+LIMIT 3\s*$/);
    expect(statement).not.toContain('HAVING');
    expect(page.items.map((d) => d.deliveryId)).toEqual(['b', 'a']);
    expect(page.nextCursor).toBe(encodeClientCursor({ firstAt: 10, deliveryId: 'a' }));
  });

  it('continues strictly after the cursor position and ends with a null cursor', async () => {
    const { client, statements } = scriptedClient([[row('y', 10)]]);
    const page = await createClientDeliveries({ client, database: 'v' })
      .forClient('c1', { limit: 2, cursor: encodeClientCursor({ firstAt: 10, deliveryId: 'z' }) });
    expect(statements[0]).toContain("HAVING firstAt < 10 OR (firstAt = 10 AND deliveryId < 'z')");
    expect(page.nextCursor).toBeNull();
  });

  it.each([0, 1001, 2.5])('refuses limit %p', async (limit) => {
    const { client } = scriptedClient([]);
    await expect(createClientDeliveries({ client, database: 'v' }).forClient('c1', { limit })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('refuses a cursor it did not make', async () => {
    const { client, statements } = scriptedClient([]);
    await expect(createClientDeliveries({ client, database: 'v' }).forClient('c1', { cursor: 'not-ours' }))
      .rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(statements).toHaveLength(0);
  });
});

describe('toClientDelivery', () => {
  it('maps a row, with numbers from UInt64 text and an empty reason as null', () => {
    expect(toClientDelivery(row('d1', 1000, { currentStatus: 'suppressed', latestReason: 'promo opt-out', attempts: '0' }))).toEqual({
      deliveryId: 'd1', channel: 'email', sourceType: 'notification', sourceId: 'r1', status: 'suppressed', attempts: 0,
      reason: 'promo opt-out', firstAt: 1000, lastAt: 1005,
    });
    expect(toClientDelivery(row('d1', 1000)).reason).toBeNull();
  });
});

describe('client cursor', () => {
  it('round-trips', () => {
    const position = { firstAt: 1_700_000_000_123, deliveryId: '6f1c2a44-9c1e-5a0b-8d1e-0b2c3d4e5f60' };
    expect(decodeClientCursor(encodeClientCursor(position))).toEqual(position);
  });

  it.each([
    ['not base64url', 'a+b'],
    ['no separator', Buffer.from('12345').toString('base64url')],
    ['not a number', Buffer.from('x:id').toString('base64url')],
    ['leading zero (not ours)', Buffer.from('012:id').toString('base64url')],
    ['empty id', Buffer.from('12:').toString('base64url')],
    ['too long', 'A'.repeat(401)],
  ])('refuses %s', (_name, cursor) => {
    expect(() => decodeClientCursor(cursor)).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });
});
