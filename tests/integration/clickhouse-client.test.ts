/**
 * The thin ClickHouse client on the real server: results, one-request inserts, and how failures are
 * classified (the analytics consumer retries only what `retriable` says).
 */
import { createServer } from 'node:net';
import { loadConfig } from '../../platform/config';
import { VestnikError, isRetriable } from '../../platform/errors';
import { createClickHouseClient, type ClickHouseClient } from '../../analytics/clickhouse-client';
import { sql, sqlIdentifier } from '../../analytics/sql-escape';
import { uniqueName } from '../support/unique';

jest.setTimeout(60_000);

const config = loadConfig();
const database = uniqueName('vestnik_test_client', { separator: '_' });
const table = `${database}.items`;
let client: ClickHouseClient;

beforeAll(async () => {
  client = createClickHouseClient({ url: config.clickhouse.url, username: config.clickhouse.user, password: config.clickhouse.password });
  if (!(await client.ping())) throw new Error(`ClickHouse is not answering at ${config.clickhouse.url}: run bash infra/clickhouse.sh`);
  await client.exec(sql`CREATE DATABASE IF NOT EXISTS ${sqlIdentifier(database)}`);
  await client.exec(sql`CREATE TABLE IF NOT EXISTS ${sqlIdentifier(table)} (id String, n UInt64) ENGINE = MergeTree() ORDER BY id`);
});

afterAll(async () => {
  if (!client) return;
  await client.exec(sql`DROP DATABASE IF EXISTS ${sqlIdentifier(database)}`);
  await client.close();
});

/** A loopback port nobody listens on: bound by us, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function failureOf(promise: Promise<unknown>): Promise<VestnikError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(VestnikError);
  return error as VestnikError;
}

describe('createClickHouseClient on the real server', () => {
  it('inserts all rows in one request and reads them back (UInt64 as text)', async () => {
    await client.insertJsonRows(table, [{ id: 'a', n: 1 }, { id: "b'", n: 2 }]);
    await client.insertJsonRows(table, []); // nothing to send, no request
    const rows = await client.query<{ id: string; n: string }>(sql`SELECT id, n FROM ${sqlIdentifier(table)} ORDER BY id`);
    expect(rows).toEqual([{ id: 'a', n: '1' }, { id: "b'", n: '2' }]);
  });

  it('reports a bad statement as a permanent error with the server code', async () => {
    const error = await failureOf(client.query(sql`SELECT nosuch FROM ${sqlIdentifier(table)}`));
    expect(error).toMatchObject({ code: 'INTERNAL', retriable: false, details: { clickhouseCode: 47 } });
  });

  it('reports an insert into a missing table as permanent', async () => {
    const error = await failureOf(client.insertJsonRows(`${database}.missing`, [{ id: 'x' }]));
    expect(error).toMatchObject({ retriable: false, details: { clickhouseCode: 60 } });
  });

  it('reports an unreachable server as retriable, and ping says false', async () => {
    const down = createClickHouseClient({ url: `http://127.0.0.1:${await closedPort()}`, requestTimeoutMs: 2000 });
    try {
      expect(await down.ping()).toBe(false);
      const error = await failureOf(down.insertJsonRows(table, [{ id: 'x', n: 1 }]));
      expect(error.code).toBe('DEPENDENCY_UNAVAILABLE');
      expect(isRetriable(error)).toBe(true);
    } finally {
      await down.close();
    }
  });

  it('refuses a table name outside the identifier whitelist before any request', async () => {
    await expect(client.insertJsonRows('x; DROP TABLE y', [{}])).rejects.toThrow(TypeError);
  });
});
