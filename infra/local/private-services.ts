/**
 * Private instances of the infrastructure, for tests that stop and restart it: a redis-server, a
 * clickhouse-server and a Kafka broker of their own, on free loopback ports, with data in a temporary
 * folder. Restarting the shared services of the run instead would break every other test (and every
 * other developer's run) using them at that moment, and a failed test could leave them down; these die
 * with the test (child-processes.ts) and their folders are removed by `remove()`.
 *
 * They run the same binaries and configuration as infra/: the Debian redis-server and clickhouse-server
 * (with infra/clickhouse/config.xml), and the Kafka 3.9 jars infra/kafka.sh resolved into .cache/kafka,
 * with the broker properties of infra/kafka.sh.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createChild, REPO_ROOT, runCommand, type ManagedChild } from './child-processes';

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface PrivateService {
  process: ManagedChild;
  /** Where clients connect (REDIS_URL, CLICKHOUSE_URL, KAFKA_BROKERS). */
  url: string;
  /** Kills the process if running and deletes its data folder. */
  remove(): Promise<void>;
}

function dataDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `vestnik-${name}-`));
}

function removable(process: ManagedChild, dir: string) {
  return async () => {
    await process.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
}

/**
 * redis-server with an append-only file fsynced before every reply (`appendfsync always`): a write Redis
 * acknowledged is on disk, so even a SIGKILL loses none of it. RDB snapshots off, like infra/redis.sh.
 */
export async function startPrivateRedis(options: { appendfsync?: 'always' | 'everysec' } = {}): Promise<PrivateService> {
  const port = await freePort();
  const dir = dataDir('redis');
  const process = createChild({
    name: `redis-${port}`,
    command: 'redis-server',
    args: ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--appendonly', 'yes',
      '--appendfsync', options.appendfsync ?? 'always', '--save', '', '--daemonize', 'no', '--logfile', ''],
    readyLine: /Ready to accept connections/,
    readyTimeoutMs: 30_000,
  });
  await process.start();
  return { process, url: `redis://127.0.0.1:${port}/0`, remove: removable(process, dir) };
}

/** clickhouse-server (the Debian 18.16 package) in the foreground with infra/clickhouse/config.xml. */
export async function startPrivateClickHouse(): Promise<PrivateService> {
  const [httpPort, tcpPort] = [await freePort(), await freePort()];
  const dir = dataDir('clickhouse');
  for (const sub of ['tmp', 'user_files', 'format_schemas', 'log']) mkdirSync(join(dir, sub), { recursive: true });
  const server = ['/usr/sbin/clickhouse-server', '/usr/bin/clickhouse-server'].find((path) => existsSync(path)) ?? 'clickhouse-server';
  const url = `http://127.0.0.1:${httpPort}`;
  const process = createChild({
    name: `clickhouse-${httpPort}`,
    command: server,
    args: [`--config-file=${join(REPO_ROOT, 'infra/clickhouse/config.xml')}`],
    env: {
      CLICKHOUSE_HTTP_PORT: String(httpPort), CLICKHOUSE_TCP_PORT: String(tcpPort),
      CLICKHOUSE_DATA_PATH: `${dir}/`, CLICKHOUSE_TMP_PATH: `${dir}/tmp/`,
      CLICKHOUSE_USER_FILES_PATH: `${dir}/user_files/`, CLICKHOUSE_FORMAT_SCHEMA_PATH: `${dir}/format_schemas/`,
      CLICKHOUSE_LOG_FILE: `${dir}/log/clickhouse-server.log`, CLICKHOUSE_ERROR_LOG_FILE: `${dir}/log/clickhouse-server.err.log`,
    },
    readyProbe: async () => (await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1_000) }).then((r) => r.text())).trim() === 'Ok.',
    readyTimeoutMs: 60_000,
  });
  await process.start();
  return { process, url, remove: removable(process, dir) };
}

const KAFKA_LIBS = join(REPO_ROOT, '.cache/kafka/libs-3.9.1');

/** A single-node KRaft broker from the jars infra/kafka.sh resolved, with its broker properties. */
export async function startPrivateKafka(): Promise<PrivateService> {
  if (!existsSync(join(KAFKA_LIBS, '.complete'))) throw new Error(`${KAFKA_LIBS} is missing: run infra/up.sh first`);
  const [port, controllerPort] = [await freePort(), await freePort()];
  const dir = dataDir('kafka');
  const config = join(dir, 'server.properties');
  writeFileSync(config, brokerProperties(port, controllerPort, join(dir, 'data')));
  const java = ['-Dlog4j.configuration=file:' + join(REPO_ROOT, 'infra/kafka/log4j.properties'), `-Dkafka.logs.dir=${join(dir, 'logs')}`,
    '-cp', `${KAFKA_LIBS}/*`];
  // A Kafka cluster id is 16 random bytes in URL-safe base64 (what `StorageTool random-uuid` prints). Given
  // as `--cluster-id=…`: one id in 64 starts with '-', which the tool would take for an option.
  await runCommand('java', [...java, 'kafka.tools.StorageTool', 'format', `--cluster-id=${randomBytes(16).toString('base64url')}`, '-c', config,
    '--ignore-formatted']);
  const serverLog = join(dir, 'logs/server.log');
  const startsLogged = () => (existsSync(serverLog) ? readFileSync(serverLog, 'utf8').split('Kafka Server started').length - 1 : 0);
  let startsBefore = 0;
  const broker = createChild({
    name: `kafka-${port}`,
    command: 'java',
    args: ['-Xms128m', '-Xmx512m', '-XX:+UseG1GC', '-Djava.awt.headless=true', ...java, 'kafka.Kafka', config],
    // Each start waits for its own "Kafka Server started" line, not the one of the run before.
    beforeStart: () => void (startsBefore = startsLogged()),
    readyProbe: async () => startsLogged() > startsBefore,
    readyTimeoutMs: 120_000,
  });
  await broker.start();
  return { process: broker, url: `127.0.0.1:${port}`, remove: removable(broker, dir) };
}

/** infra/kafka.sh's broker properties (infra/kafka/broker.properties), on other ports and folders. */
function brokerProperties(port: number, controllerPort: number, logDirs: string): string {
  return readFileSync(join(REPO_ROOT, 'infra/kafka/broker.properties'), 'utf8')
    .replaceAll('@CONTROLLER_PORT@', String(controllerPort)).replaceAll('@PORT@', String(port)).replaceAll('@LOG_DIRS@', logDirs);
}
