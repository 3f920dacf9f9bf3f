import { DELIVERY_STATUSES } from '../schemas/types';
import type { ClickHouseClient } from './clickhouse-client';
import type { SqlFragment } from './sql-escape';
import { STATUS_PRECEDENCE, createStatsQueries } from './stats-queries';
import { encodeCursor } from './stats-mappers';

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

const message = (id: string) => ({
  deliveryId: id, deliveryClientId: 'c', deliveryChannel: 'sms', currentStatus: 'sent', attempts: '1',
  lastError: '', firstAt: '1', lastAt: '2',
});

describe('STATUS_PRECEDENCE', () => {
  it('ranks every status exactly once', () => {
    expect([...STATUS_PRECEDENCE].sort()).toEqual([...DELIVERY_STATUSES].sort());
  });
});

describe('countsBySource', () => {
  it('asks nothing for an empty id list', async () => {
    const { client, statements } = scriptedClient([]);
    const result = await createStatsQueries({ client, database: 'v' }).countsBySource('mailing', []);
    expect(result.size).toBe(0);
    expect(statements).toHaveLength(0);
  });

  it('binds the ids as an escaped IN list and counts per source', async () => {
    const { client, statements } = scriptedClient([[{ sourceId: 'm1', status: 'sent', n: '2' }]]);
    const result = await createStatsQueries({ client, database: 'v' }).countsBySource('mailing', ['m1', "m'2"]);
    expect(statements[0]).toContain("sourceId IN ('m1', 'm\\'2')");
    expect(result.get('m1')?.byStatus.sent).toBe(2);
    expect(result.get("m'2")?.total).toBe(0);
  });
});

describe('sourceDetail pagination', () => {
  it('fetches one row more than the page to know whether another page exists', async () => {
    const { client, statements } = scriptedClient([[], [message('a'), message('b'), message('c')]]);
    const detail = await createStatsQueries({ client, database: 'v' }).sourceDetail('mailing', 'm1', { limit: 2 });
    expect(statements.some((s) => /LIMIT 3\s*$/.test(s))).toBe(true);
    expect(detail.messages.map((m) => m.deliveryId)).toEqual(['a', 'b']);
    expect(detail.nextCursor).toBe(encodeCursor('b'));
  });

  it('continues after the cursor and ends with a null cursor', async () => {
    const { client, statements } = scriptedClient([[], [message('c')]]);
    const detail = await createStatsQueries({ client, database: 'v' })
      .sourceDetail('mailing', 'm1', { limit: 2, cursor: encodeCursor('b') });
    expect(statements.some((s) => s.includes("deliveryId > 'b'"))).toBe(true);
    expect(detail.nextCursor).toBeNull();
  });

  it.each([0, 1001, 1.5])('refuses limit %p', async (limit) => {
    const { client } = scriptedClient([]);
    await expect(createStatsQueries({ client, database: 'v' }).sourceDetail('mailing', 'm1', { limit }))
      .rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});

describe('channelCountsBySource', () => {
  it('asks nothing for an empty id list', async () => {
    const { client, statements } = scriptedClient([]);
    expect((await createStatsQueries({ client, database: 'v' }).channelCountsBySource('notification', [])).size).toBe(0);
    expect(statements).toHaveLength(0);
  });

  it('counts per source and channel in one query; sources without rows are empty', async () => {
    const { client, statements } = scriptedClient([[
      { sourceId: 'n1', channel: 'email', status: 'sent', n: '2' },
      { sourceId: 'n1', channel: 'push', status: 'fallback', n: '1' },
      { sourceId: 'n1@5', channel: 'email', status: 'suppressed', n: 1 },
    ]]);
    const result = await createStatsQueries({ client, database: 'v' }).channelCountsBySource('notification', ['n1', 'n1@5', 'n2']);
    expect(statements).toHaveLength(1);
    expect(statements[0]).toContain("sourceId IN ('n1', 'n1@5', 'n2')");
    expect(statements[0]).toMatch(/GROUP BY sourceId, deliveryChannel, currentStatus/);
    expect(result.get('n1')?.get('email')?.byStatus.sent).toBe(2);
    expect(result.get('n1')?.get('push')?.byStatus.fallback).toBe(1);
    expect(result.get('n1@5')?.get('email')?.total).toBe(1);
    expect(result.get('n2')?.size).toBe(0);
  });
});
