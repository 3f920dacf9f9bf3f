/**
 * The escaping of analytics/sql-escape against the real server's parser: whatever a value holds
 * (quotes, backslashes, NUL, control characters, any Unicode, injection attempts), the literal we
 * bind reads back as exactly that value — compared as text and as UTF-8 bytes (hex).
 */
import fc from 'fast-check';
import { loadConfig } from '../../platform/config';
import { createClickHouseClient, type ClickHouseClient } from '../../analytics/clickhouse-client';
import { sql, sqlArray } from '../../analytics/sql-escape';

jest.setTimeout(120_000);

let client: ClickHouseClient;

beforeAll(async () => {
  const config = loadConfig();
  client = createClickHouseClient({ url: config.clickhouse.url, username: config.clickhouse.user, password: config.clickhouse.password });
  if (!(await client.ping())) throw new Error(`ClickHouse is not answering at ${config.clickhouse.url}: run bash infra/clickhouse.sh`);
});

afterAll(async () => {
  await client?.close();
});

const hostile = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary-ascii', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => Buffer.from(s, 'utf8').toString('utf8') === s),
  fc.array(
    fc.constantFrom("'", '\\', '\0', '\n', '\r', '\t', "'; DROP TABLE system.one; --", "\\'", '😀', 'ё', '\u2028', '\x7f', '\x1b', '"', '`', '\\x41', '\\N'),
    { maxLength: 12 },
  ).map((parts) => parts.join('')),
);

async function readBack(value: string): Promise<{ v: string; h: string }> {
  const rows = await client.query<{ v: string; h: string }>(sql`SELECT ${value} AS v, hex(${value}) AS h`);
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

describe('string literals on the real server', () => {
  it.each([
    "it's", 'back\\slash', 'nul\0byte', "'; DROP TABLE system.one; --", '\\', "'", '', 'юникод 😀', 'a\\\'b',
  ])('reads back %j', async (value) => {
    const { v, h } = await readBack(value);
    expect(v).toBe(value);
    expect(h).toBe(Buffer.from(value, 'utf8').toString('hex').toUpperCase());
  });

  it('round-trips a few hundred arbitrary strings (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(hostile, async (value) => {
        const { v, h } = await readBack(value);
        expect(v).toBe(value);
        expect(h).toBe(Buffer.from(value, 'utf8').toString('hex').toUpperCase());
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips arrays of arbitrary strings', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(hostile, { maxLength: 5 }), async (values) => {
        const rows = await client.query<{ a: string[] }>(sql`SELECT ${sqlArray(values)} AS a`);
        expect(rows[0]?.a).toEqual(values);
      }),
      { numRuns: 50 },
    );
  });
});

describe('numbers and dates on the real server', () => {
  it('binds numbers and DateTimes to the same values', async () => {
    const at = new Date(Date.UTC(2024, 2, 1, 10, 0, 5, 999));
    const rows = await client.query<{ n: number; neg: number; f: number; t: string; ts: number }>(
      sql`SELECT ${42} AS n, ${-7} AS neg, ${0.25} AS f, toString(${at}) AS t, toUnixTimestamp(${at}) AS ts`,
    );
    expect(rows[0]).toEqual({ n: 42, neg: -7, f: 0.25, t: '2024-03-01 10:00:05', ts: 1709287205 });
  });
});
