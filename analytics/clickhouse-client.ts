/**
 * A thin ClickHouse client over @clickhouse/client, limited to what works the same on 18.16 (our CI
 * server) and current releases (tests/integration/clickhouse-current.test.ts runs it on both): statements
 * are fully bound `SqlFragment`s (no server-side parameters), results come as JSONEachRow, inserts are one
 * HTTP request each in JSONEachRow. The library sends no settings unless asked; we ask for one on every
 * call (EVERY_QUERY_SETTINGS), keep compression off and its own logger silent (we log, and classify
 * errors into VestnikErrors once, here).
 */
import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import type { Logger } from '../platform/logger';
import { silentLogger } from '../platform/logger';
import { toClickHouseError } from './clickhouse-errors';
import { SqlFragment, sqlIdentifier } from './sql-escape';

export interface ClickHouseClient {
  /** Runs a SELECT and returns its rows as parsed by JSONEachRow (UInt64 arrive as strings). */
  query<T>(statement: SqlFragment): Promise<T[]>;
  /** Runs a statement without a result set (DDL). */
  exec(statement: SqlFragment): Promise<void>;
  /** One HTTP INSERT of all rows (JSONEachRow) into `table` (`db.table`); no request for no rows. */
  insertJsonRows(table: string, rows: readonly object[]): Promise<void>;
  /** True when the server answers /ping. Never throws. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface ClickHouseClientOptions {
  url: string;
  username?: string;
  password?: string;
  requestTimeoutMs?: number;
  maxOpenConnections?: number;
  logger?: Logger;
  /**
   * The server is a shard of a cluster whose tables are Distributed (cluster-schema.ts): a subquery over a
   * Distributed table reads each shard's local table (a message's rows all live on one shard), and an
   * insert returns once every shard has its rows, not when they are spooled for sending.
   */
  clustered?: boolean;
}

const CLUSTER_SETTINGS = { distributed_product_mode: 'local', insert_distributed_sync: 1 } as const;
/**
 * UInt64 as JSON strings, 18.16's default, which current releases changed (25.8) to numbers: a hash above 2^53
 * would lose digits as a number.
 */
const EVERY_QUERY_SETTINGS = { output_format_json_quote_64bit_integers: 1 } as const;

/** Builds the client; it connects lazily, so construction never fails on a server that is down. */
export function createClickHouseClient(options: ClickHouseClientOptions): ClickHouseClient {
  const logger = (options.logger ?? silentLogger).child({ module: 'analytics.clickhouse' });
  const client = createClient({
    url: options.url,
    username: options.username ?? 'default',
    password: options.password ?? '',
    request_timeout: options.requestTimeoutMs ?? 30_000,
    max_open_connections: options.maxOpenConnections ?? 10,
    compression: { request: false, response: false },
    log: { level: ClickHouseLogLevel.OFF },
    application: 'vestnik',
    clickhouse_settings: options.clustered ? { ...EVERY_QUERY_SETTINGS, ...CLUSTER_SETTINGS } : EVERY_QUERY_SETTINGS,
  });

  async function run<R>(operation: string, call: () => Promise<R>): Promise<R> {
    try {
      return await call();
    } catch (error) {
      const wrapped = toClickHouseError(error, operation);
      logger.warn({ operation, code: wrapped.code, retriable: wrapped.retriable, err: error }, 'clickhouse call failed');
      throw wrapped;
    }
  }

  return {
    async query<T>(statement: SqlFragment): Promise<T[]> {
      assertFragment(statement);
      return run('query', async () => {
        const result = await client.query({ query: statement.text, format: 'JSONEachRow' });
        return result.json<T>();
      });
    },

    async exec(statement: SqlFragment): Promise<void> {
      assertFragment(statement);
      return run('exec', async () => {
        await client.command({ query: statement.text });
      });
    },

    async insertJsonRows(table: string, rows: readonly object[]): Promise<void> {
      const target = sqlIdentifier(table).text;
      if (rows.length === 0) return;
      return run('insert', async () => {
        await client.insert({ table: target, values: rows as object[], format: 'JSONEachRow' });
      });
    },

    async ping(): Promise<boolean> {
      try {
        return (await client.ping()).success;
      } catch {
        return false;
      }
    },

    close: () => client.close(),
  };
}

// The type system already demands a fragment; this also stops a plain string cast through `any`.
function assertFragment(statement: unknown): asserts statement is SqlFragment {
  if (!(statement instanceof SqlFragment)) {
    throw new TypeError('ClickHouse statements must be built with the sql`` template of analytics/sql-escape');
  }
}
