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

/** One FINAL stream unless a test says otherwise, so each canned answer goes to the query it is for. */
const queriesOf = (client: ClickHouseClient) => createStatsQueries({ client, database: 'v', finalStreams: 1 });

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
    const result = await queriesOf(client).countsBySource('mailing', []);
    expect(result.size).toBe(0);
    expect(statements).toHaveLength(0);
  });

  it('reads one source by its key and names its id, so no source text is read', async () => {
    const { client, statements } = scriptedClient([[{ sourceId: 'm1', status: 'sent', n: '2' }]]);
    const result = await queriesOf(client).countsBySource('mailing', ['m1']);
    expect(statements[0]).toContain("sourceHigh = cityHash64('mailing', 'm1')");
    expect(statements[0]).toContain("SELECT 'm1' AS sourceId, arrayElement(");
    expect(statements[0]).not.toMatch(/sourceId (=|IN)/);
    expect(result.get('m1')?.byStatus.sent).toBe(2);
  });

  it('binds the ids as an escaped IN list and counts per source', async () => {
    const { client, statements } = scriptedClient([[{ sourceId: 'm1', status: 'sent', n: '2' }]]);
    const result = await queriesOf(client).countsBySource('mailing', ['m1', "m'2"]);
    expect(statements[0]).toContain("sourceId IN ('m1', 'm\\'2')");
    expect(result.get('m1')?.byStatus.sent).toBe(2);
    expect(result.get("m'2")?.total).toBe(0);
  });
});

describe('sourceDetail pagination', () => {
  it('fetches one row more than the page to know whether another page exists', async () => {
    const { client, statements } = scriptedClient([[], [message('a'), message('b'), message('c')]]);
    const detail = await queriesOf(client).sourceDetail('mailing', 'm1', { limit: 2 });
    expect(statements.some((s) => /LIMIT 3\s*$/.test(s))).toBe(true);
    expect(detail.messages.map((m) => m.deliveryId)).toEqual(['a', 'b']);
    expect(detail.nextCursor).toBe(encodeCursor('b'));
  });

  it('continues after the cursor and ends with a null cursor', async () => {
    const { client, statements } = scriptedClient([[], [message('c')]]);
    const detail = await queriesOf(client)
      .sourceDetail('mailing', 'm1', { limit: 2, cursor: encodeCursor('b') });
    expect(statements.some((s) => s.includes("deliveryId > 'b'"))).toBe(true);
    expect(detail.nextCursor).toBeNull();
  });

  it.each([0, 1001, 1.5])('refuses limit %p', async (limit) => {
    const { client } = scriptedClient([]);
    await expect(queriesOf(client).sourceDetail('mailing', 'm1', { limit }))
      .rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});

describe('sourceDetail counts', () => {
  it('read the rank alone from delivery_current, found by the source key', async () => {
    const { client, statements } = scriptedClient([[{ status: 'sent', n: '1' }], [message('a')]]);
    await queriesOf(client).sourceDetail('mailing', 'm1', { limit: 2 });
    expect(statements[0]).toContain("toUInt8(bitAnd(bitShiftRight(rank, 8), 15))) AS currentStatus FROM `v`.`delivery_current_v3` FINAL WHERE ((typeHash = cityHash64('mailing')) AND (sourceHigh");
    // Neither the status column nor the source's text is read.
    expect(statements[0]?.split('FROM (')[1]).not.toMatch(/sourceId|\bstatus\b/);
  });
});

describe('countsByChannel', () => {
  it('leaves the operators’ own messages out by their type hash', async () => {
    const { client, statements } = scriptedClient([[]]);
    await queriesOf(client).countsByChannel();
    expect(statements[0]).toContain("typeHash NOT IN (cityHash64('test'), cityHash64('report'))");
  });
});

describe('channelCountsBySource', () => {
  it('asks nothing for an empty id list', async () => {
    const { client, statements } = scriptedClient([]);
    expect((await queriesOf(client).channelCountsBySource('notification', [])).size).toBe(0);
    expect(statements).toHaveLength(0);
  });

  it('counts per source and channel in one query; sources without rows are empty', async () => {
    const { client, statements } = scriptedClient([[
      { sourceId: 'n1', channel: 'email', status: 'sent', n: '2' },
      { sourceId: 'n1', channel: 'push', status: 'fallback', n: '1' },
      { sourceId: 'n1@5', channel: 'email', status: 'suppressed', n: 1 },
    ]]);
    const result = await queriesOf(client).channelCountsBySource('notification', ['n1', 'n1@5', 'n2']);
    expect(statements).toHaveLength(1);
    expect(statements[0]).toContain("sourceId IN ('n1', 'n1@5', 'n2')");
    expect(statements[0]).toMatch(/GROUP BY sourceId, deliveryChannel, currentStatus/);
    expect(result.get('n1')?.get('email')?.byStatus.sent).toBe(2);
    expect(result.get('n1')?.get('push')?.byStatus.fallback).toBe(1);
    expect(result.get('n1@5')?.get('email')?.total).toBe(1);
    expect(result.get('n2')?.size).toBe(0);
  });
});

describe('FINAL reads in streams', () => {
  it('reads delivery_current once per key range, each range bounded where the next begins', async () => {
    const { client, statements } = scriptedClient([[{ sourceId: 'm1', status: 'sent', n: '2' }]]);
    await createStatsQueries({ client, database: 'v', finalStreams: 2 }).countsBySource('mailing', ['m1']);
    expect(statements).toHaveLength(1);
    expect(statements[0]?.match(/FINAL/g)).toHaveLength(2);
    expect(statements[0]).toContain('messageHigh < 9223372036854775808 UNION ALL SELECT');
    expect(statements[0]).toContain('messageHigh >= 9223372036854775808');
  });

  it('reads a list of sources in one stream, and a whole source type in as many as asked', async () => {
    const { client, statements } = scriptedClient([[], [], []]);
    const stats = createStatsQueries({ client, database: 'v', finalStreams: 2 });
    await stats.countsBySource('mailing', ['m1', 'm2']);
    await stats.channelCountsBySource('notification', ['n1']);
    await stats.countsBySource('mailing');
    expect(statements.map((s) => s.match(/FINAL/g)?.length)).toEqual([1, 1, 2]);
  });

  it("asks the server's max_threads once and reads in that many streams", async () => {
    const counts = [{ sourceId: 'm1', status: 'sent', n: '2' }];
    const { client, statements } = scriptedClient([[{ value: '3' }], counts, counts]);
    const stats = createStatsQueries({ client, database: 'v' });
    await stats.countsBySource('mailing', ['m1']);
    await stats.countsBySource('mailing', ['m1']);
    expect(statements.filter((s) => s.includes("name = 'max_threads'"))).toHaveLength(1);
    expect(statements[2]?.match(/FINAL/g)).toHaveLength(3);
  });

  it('asks again after a failed ask', async () => {
    const statements: string[] = [];
    let failNext = true;
    const client: ClickHouseClient = {
      ...scriptedClient([]).client,
      query: async <T>(statement: SqlFragment) => {
        statements.push(statement.text);
        if (failNext) {
          failNext = false;
          throw new Error('ClickHouse is down');
        }
        return (statement.text.includes('max_threads') ? [{ value: '2' }] : []) as T[];
      },
    };
    const stats = createStatsQueries({ client, database: 'v' });
    await expect(stats.countsBySource('mailing', ['m1'])).rejects.toThrow('ClickHouse is down');
    await stats.countsBySource('mailing', ['m1']);
    expect(statements.filter((s) => s.includes('max_threads'))).toHaveLength(2);
    expect(statements[2]?.match(/FINAL/g)).toHaveLength(2);
  });

  it('refuses a stream count out of range when built', () => {
    const { client } = scriptedClient([]);
    expect(() => createStatsQueries({ client, database: 'v', finalStreams: 0 })).toThrow(RangeError);
  });
});
