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

const LOWEST_PORT = 20_000;
/** Ports this process handed out: a random pick never repeats one (a cluster takes a dozen at once). */
const handedOut = new Set<number>();

/**
 * A loopback TCP port nothing listens on right now, below the kernel's ephemeral range. A port from
 * listen(0) is an ephemeral one, which any outgoing connection may take between this check and the
 * service's own bind (seen in a CI run: a Redis Cluster node's bus port, "Address already in use");
 * the kernel never gives ports below the range to outgoing connections. So a port is picked at random
 * from 20,000 up to the range's start and tried with a listen; listen(0) only if that range is too small.
 */
export async function freePort(): Promise<number> {
  const ceiling = ephemeralRangeStart();
  for (let attempt = 0; ceiling - LOWEST_PORT >= 1_000 && attempt < 50; attempt++) {
    const port = LOWEST_PORT + Math.floor(Math.random() * (ceiling - LOWEST_PORT));
    if (handedOut.has(port) || !(await canListen(port))) continue;
    handedOut.add(port);
    return port;
  }
  return listenOn(0);
}

/** The first port of ip_local_port_range (32,768 by default), where outgoing connections take theirs. */
function ephemeralRangeStart(): number {
  try {
    const first = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(first) && first > 0 ? first : 32_768;
  } catch {
    return 32_768;
  }
}

async function canListen(port: number): Promise<boolean> {
  return listenOn(port).then(() => true, () => false);
}

/** Listens on the port (0: any) on loopback, closes, and answers the port that was bound. */
function listenOn(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
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

export function dataDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `vestnik-${name}-`));
}

export function removable(process: ManagedChild, dir: string) {
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

/**
 * clickhouse-server (the Debian 18.16 package) in the foreground with infra/clickhouse/config.xml. With
 * `ports` and `extraConfig` (cluster-world.ts): on those ports, with the XML added inside the config's root
 * (a `<remote_servers>` section naming the other shards), from a copy of the config in its data folder.
 */
export async function startPrivateClickHouse(options: { ports?: { http: number; tcp: number }; extraConfig?: string } = {}): Promise<PrivateService> {
  const httpPort = options.ports?.http ?? await freePort();
  const tcpPort = options.ports?.tcp ?? await freePort();
  const dir = dataDir('clickhouse');
  for (const sub of ['tmp', 'user_files', 'format_schemas', 'log']) mkdirSync(join(dir, sub), { recursive: true });
  const server = ['/usr/sbin/clickhouse-server', '/usr/bin/clickhouse-server'].find((path) => existsSync(path)) ?? 'clickhouse-server';
  const url = `http://127.0.0.1:${httpPort}`;
  const process = createChild({
    name: `clickhouse-${httpPort}`,
    command: server,
    args: [`--config-file=${clickHouseConfig(dir, options.extraConfig)}`],
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

/** infra/clickhouse/config.xml itself, or a copy (with users.xml beside it) that has `extra` inside its root. */
function clickHouseConfig(dir: string, extra: string | undefined): string {
  const shared = join(REPO_ROOT, 'infra/clickhouse');
  if (extra === undefined) return join(shared, 'config.xml');
  const copy = join(dir, 'config.xml');
  writeFileSync(copy, readFileSync(join(shared, 'config.xml'), 'utf8').replace('</yandex>', `${extra}\n</yandex>`));
  writeFileSync(join(dir, 'users.xml'), readFileSync(join(shared, 'users.xml'), 'utf8'));
  return copy;
}

const KAFKA_LIBS = join(REPO_ROOT, '.cache/kafka/libs-3.9.1');

/** A SASL_SSL listener: SCRAM-SHA-512 over TLS with a certificate signed by a CA made for this broker. */
export interface SaslSslOptions {
  /** The SCRAM user created at format time (the broker also uses it for its own inter-broker connections). */
  username: string;
  password: string;
}

export interface PrivateKafka extends PrivateService {
  /** With `saslSsl`: the PEM file of the CA that signed the broker's certificate (KAFKA_SSL_CA_FILE). */
  caFile?: string;
}

/**
 * A single-node KRaft broker from the jars infra/kafka.sh resolved, with its broker properties. With
 * `saslSsl` its only client listener is SASL_SSL (SCRAM-SHA-512): no plaintext port at all.
 */
export async function startPrivateKafka(options: { saslSsl?: SaslSslOptions } = {}): Promise<PrivateKafka> {
  const [port, controllerPort] = [await freePort(), await freePort()];
  const dir = dataDir('kafka');
  const tls = options.saslSsl ? await makeBrokerCertificates(join(dir, 'tls')) : undefined;
  const properties = brokerProperties(port, controllerPort, join(dir, 'data'))
    + (options.saslSsl && tls ? saslSslProperties(port, controllerPort, options.saslSsl, tls) : '');
  // KRaft creates SCRAM users at format time (since 3.5): there is no broker yet to ask.
  const scram = options.saslSsl
    ? ['--add-scram', `SCRAM-SHA-512=[name=${options.saslSsl.username},password=${options.saslSsl.password}]`] : [];
  const broker = await startKafkaNode({ name: `kafka-${port}`, dir, properties, clusterId: newKafkaClusterId(), formatArgs: scram });
  return { process: broker, url: `127.0.0.1:${port}`, remove: removable(broker, dir), caFile: tls?.caFile };
}

/**
 * A Kafka cluster id: 16 random bytes in URL-safe base64 (what `StorageTool random-uuid` prints). The nodes
 * of one cluster are formatted with the same id (cluster-world.ts).
 */
export function newKafkaClusterId(): string {
  return randomBytes(16).toString('base64url');
}

/**
 * One KRaft node from the jars infra/kafka.sh resolved: its storage formatted under `dir` with `properties`
 * (server.properties in full), then started and ready once it logs "Kafka Server started".
 */
export async function startKafkaNode(node: { name: string; dir: string; properties: string; clusterId: string; formatArgs?: string[] }): Promise<ManagedChild> {
  if (!existsSync(join(KAFKA_LIBS, '.complete'))) throw new Error(`${KAFKA_LIBS} is missing: run infra/up.sh first`);
  const config = join(node.dir, 'server.properties');
  writeFileSync(config, node.properties);
  const java = ['-Dlog4j.configuration=file:' + join(REPO_ROOT, 'infra/kafka/log4j.properties'), `-Dkafka.logs.dir=${join(node.dir, 'logs')}`,
    '-cp', `${KAFKA_LIBS}/*`];
  // Given as `--cluster-id=…`: one id in 64 starts with '-', which the tool would take for an option.
  await runCommand('java', [...java, 'kafka.tools.StorageTool', 'format', `--cluster-id=${node.clusterId}`, '-c', config,
    '--ignore-formatted', ...(node.formatArgs ?? [])]);
  const serverLog = join(node.dir, 'logs/server.log');
  const startsLogged = () => (existsSync(serverLog) ? readFileSync(serverLog, 'utf8').split('Kafka Server started').length - 1 : 0);
  let startsBefore = 0;
  const broker = createChild({
    name: node.name,
    command: 'java',
    args: ['-Xms128m', '-Xmx512m', '-XX:+UseG1GC', '-Djava.awt.headless=true', ...java, 'kafka.Kafka', config],
    // Each start waits for its own "Kafka Server started" line, not the one of the run before.
    beforeStart: () => void (startsBefore = startsLogged()),
    readyProbe: async () => startsLogged() > startsBefore,
    readyTimeoutMs: 120_000,
  });
  await broker.start();
  return broker;
}

interface BrokerTls {
  caFile: string;
  keystore: string;
  truststore: string;
  storePassword: string;
}

/**
 * A throwaway CA and a broker certificate for 127.0.0.1 signed by it (openssl), as the PKCS12 keystore the
 * broker serves and a PKCS12 truststore (keytool) its own inter-broker client checks it with.
 */
async function makeBrokerCertificates(dir: string): Promise<BrokerTls> {
  mkdirSync(dir, { recursive: true });
  const at = (name: string) => join(dir, name);
  const storePassword = randomBytes(12).toString('hex');
  await runCommand('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', at('ca.key'), '-out', at('ca.pem'),
    '-days', '2', '-subj', '/CN=vestnik-test-ca']);
  await runCommand('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', at('broker.key'), '-out', at('broker.csr'),
    '-subj', '/CN=127.0.0.1']);
  writeFileSync(at('san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  await runCommand('openssl', ['x509', '-req', '-in', at('broker.csr'), '-CA', at('ca.pem'), '-CAkey', at('ca.key'), '-CAcreateserial',
    '-out', at('broker.pem'), '-days', '2', '-extfile', at('san.ext')]);
  await runCommand('openssl', ['pkcs12', '-export', '-in', at('broker.pem'), '-inkey', at('broker.key'), '-certfile', at('ca.pem'),
    '-name', 'broker', '-out', at('broker.p12'), '-passout', `pass:${storePassword}`]);
  await runCommand('keytool', ['-importcert', '-noprompt', '-alias', 'ca', '-file', at('ca.pem'), '-keystore', at('truststore.p12'),
    '-storetype', 'PKCS12', '-storepass', storePassword]);
  return { caFile: at('ca.pem'), keystore: at('broker.p12'), truststore: at('truststore.p12'), storePassword };
}

/** Overrides of the shared properties (a later key wins): SASL_SSL is the only listener besides the controller's. */
function saslSslProperties(port: number, controllerPort: number, user: SaslSslOptions, tls: BrokerTls): string {
  const jaas = `org.apache.kafka.common.security.scram.ScramLoginModule required username="${user.username}" password="${user.password}";`;
  return [
    '',
    `listeners=SASL_SSL://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=SASL_SSL://127.0.0.1:${port}`,
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL',
    'inter.broker.listener.name=SASL_SSL',
    'sasl.enabled.mechanisms=SCRAM-SHA-512',
    'sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512',
    `listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=${jaas}`,
    'ssl.keystore.type=PKCS12',
    `ssl.keystore.location=${tls.keystore}`,
    `ssl.keystore.password=${tls.storePassword}`,
    `ssl.key.password=${tls.storePassword}`,
    'ssl.truststore.type=PKCS12',
    `ssl.truststore.location=${tls.truststore}`,
    `ssl.truststore.password=${tls.storePassword}`,
    'ssl.client.auth=none',
    '',
  ].join('\n');
}

/** infra/kafka.sh's broker properties (infra/kafka/broker.properties), on other ports and folders. */
export function brokerProperties(port: number, controllerPort: number, logDirs: string): string {
  return readFileSync(join(REPO_ROOT, 'infra/kafka/broker.properties'), 'utf8')
    .replaceAll('@CONTROLLER_PORT@', String(controllerPort)).replaceAll('@PORT@', String(port)).replaceAll('@LOG_DIRS@', logDirs);
}
