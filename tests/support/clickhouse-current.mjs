// A current ClickHouse release on loopback, for the test that runs Vestnik's SQL on it as well as on 18.16
// (issue 15: "the same SQL on ClickHouse 18.16 and on current releases"). Debian ships only 18.16, and no
// registry this project reaches serves a current server; npm's `chdb` package carries the current engine as a
// library (libchdb), installed apart by infra/clickhouse-current.sh (infra/up.sh runs it) into
// .cache/clickhouse-current. This process serves it over ClickHouse's HTTP interface: the part of it that
// @clickhouse/client uses for Vestnik's calls, as the server answers them:
// - the statement is the `query` parameter, then the body (an INSERT's rows follow its `FORMAT` clause);
// - `database` is the default database, `default_format` the result's format, and every other parameter
//   a setting of that request only (each request runs on its own connection to the same data directory);
// - the answer carries X-ClickHouse-Query-Id, X-ClickHouse-Format and X-ClickHouse-Summary; an error is
//   `Code: N. DB::Exception: …` with X-ClickHouse-Exception-Code, which the client parses into its
//   ClickHouseError.
// One statement at a time, in the order they arrive, so two requests never race on one data directory. Not
// served: sessions, compression, authentication, progress headers.
// Configured by environment: CLICKHOUSE_CURRENT_PORT, CLICKHOUSE_CURRENT_DATA (a directory).
// Prints `listening <url> <version>` on stdout once it accepts connections.
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const installed = new URL('../../.cache/clickhouse-current/package.json', import.meta.url);
if (!existsSync(installed)) throw new Error('chdb is not installed: run bash infra/clickhouse-current.sh');
const { Session } = createRequire(installed)('chdb');
const port = Number(process.env.CLICKHOUSE_CURRENT_PORT);
const dataDir = process.env.CLICKHOUSE_CURRENT_DATA;
if (!Number.isInteger(port) || !dataDir) throw new Error('CLICKHOUSE_CURRENT_PORT and CLICKHOUSE_CURRENT_DATA are required');

// Held open for the life of the process, so the engine keeps the data directory bound between requests.
const root = new Session(dataDir);

/** URL parameters of the HTTP interface itself, not settings. */
const NOT_SETTINGS = new Set(['query', 'database', 'default_format', 'query_id', 'user', 'password', 'wait_end_of_query',
  'enable_http_compression', 'send_progress_in_http_headers']);
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The statement's own `FORMAT X` at its end, which decides the answer's format over `default_format`. */
function trailingFormat(statement) {
  return /\bFORMAT\s+([A-Za-z][A-Za-z0-9]*)\s*;?\s*$/i.exec(statement)?.[1] ?? null;
}

function settingValue(value) {
  return /^-?\d+(\.\d+)?$/.test(value) ? value : `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

async function run(params, body) {
  const statement = [params.get('query'), body].filter((part) => part && part.trim()).join('\n');
  if (!statement) throw Object.assign(new Error('Code: 62. DB::Exception: Empty query. (SYNTAX_ERROR)'), { code: 62 });
  const session = new Session(dataDir);
  try {
    const database = params.get('database');
    if (database) {
      if (!NAME.test(database)) throw Object.assign(new Error(`Code: 81. DB::Exception: Database ${database} does not exist. (UNKNOWN_DATABASE)`), { code: 81 });
      await session.queryAsync(`USE ${database}`, { format: 'TabSeparated' });
    }
    const settings = [...params].filter(([name]) => !NOT_SETTINGS.has(name) && NAME.test(name))
      .map(([name, value]) => `${name} = ${settingValue(value)}`);
    if (settings.length > 0) await session.queryAsync(`SET ${settings.join(', ')}`, { format: 'TabSeparated' });
    // An INSERT with its rows inline is one statement, so its trailing format is the data's, not the answer's.
    const format = /^\s*INSERT\b/i.test(statement) ? 'TabSeparated' : trailingFormat(statement) ?? params.get('default_format') ?? 'TabSeparated';
    const result = await session.queryAsync(statement, { format });
    return { body: Buffer.from(result.bytes()), format, summary: { read_rows: String(result.rowsRead ?? 0), read_bytes: String(result.bytesRead ?? 0) } };
  } finally {
    session.close();
  }
}

/** The engine's error as the server writes it: `Code: N. DB::Exception: … (NAME)`. */
function errorOf(error) {
  const message = String(error?.message ?? error).replace(/^Query failed: /, '');
  const code = Number(/Code: (\d+)/.exec(message)?.[1] ?? error?.code ?? 1001);
  return { code, text: /^Code: \d+/.test(message) ? message : `Code: ${code}. DB::Exception: ${message}` };
}

let queue = Promise.resolve();
/** Runs `work` after every statement before it has answered. */
function inTurn(work) {
  const turn = queue.then(work, work);
  queue = turn.catch(() => undefined);
  return turn;
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    if (url.pathname === '/ping' || (url.pathname === '/' && !url.searchParams.has('query') && body === '')) {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=UTF-8' }).end('Ok.\n');
      return;
    }
    const queryId = url.searchParams.get('query_id') ?? randomUUID();
    inTurn(() => run(url.searchParams, body)).then((answer) => {
      res.writeHead(200, {
        'Content-Type': 'text/plain; charset=UTF-8', 'X-ClickHouse-Query-Id': queryId, 'X-ClickHouse-Format': answer.format,
        'X-ClickHouse-Summary': JSON.stringify(answer.summary),
      }).end(answer.body);
    }, (error) => {
      const { code, text } = errorOf(error);
      res.writeHead(code === 62 || code === 47 || code === 60 || code === 81 ? 400 : 500, {
        'Content-Type': 'text/plain; charset=UTF-8', 'X-ClickHouse-Query-Id': queryId, 'X-ClickHouse-Exception-Code': String(code),
      }).end(`${text}\n`);
    });
  });
});

server.listen(port, '127.0.0.1', async () => {
  const version = (await root.queryAsync('SELECT version()', { format: 'TabSeparated' })).text().trim();
  process.stdout.write(`listening http://127.0.0.1:${port} ${version}\n`);
});

function stop() {
  server.close();
  root.close();
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
