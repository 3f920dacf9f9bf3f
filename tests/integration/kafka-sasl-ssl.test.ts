import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { killAllChildren } from '../../infra/local/child-processes';
import { startPrivateKafka, type PrivateKafka } from '../../infra/local/private-services';
import { loadConfig } from '../../platform/config';
import { createKafka, kafkaConnectionOptions } from '../../platform/kafka';
import { createLogger, type Logger } from '../../platform/logger';
import { createSmsSimulator, type SmsSimulator } from '../../simulators/sms';
import { createSmsApiToken } from '../../simulators/sms/token';
import { createClients, iso, smsIdOf } from '../support/mailings';
import { startStack, type TestStack } from '../support/stack';
import { uniqueName } from '../support/unique';
import { waitFor } from '../support/wait-for';

/**
 * A private broker whose only client listener is SASL_SSL (SCRAM-SHA-512 over TLS, certificates made for
 * this run): Vestnik's roles carry a mailing through it with KAFKA_SASL_* and KAFKA_SSL*; a wrong password,
 * a client without TLS and a client that does not trust the CA are refused; the password is in no log line.
 */
describe('Kafka over SASL_SSL', () => {
  const user = { username: 'vestnik', password: `pw-${randomBytes(12).toString('hex')}` };
  const smsSecret = 'sasl-ssl-sms-secret';
  let broker: PrivateKafka;
  let sms: SmsSimulator;
  let stack: TestStack | undefined;

  // Everything Vestnik and kafkajs log in this file, at debug, through the production redaction.
  const logged = { lines: 0, leaks: [] as string[] };
  const logger: Logger = createLogger({ level: 'debug', destination: new Writable({
    write(chunk, _encoding, done) {
      logged.lines += 1;
      const line = String(chunk);
      if (line.includes(user.password)) logged.leaks.push(line.slice(0, 500));
      done();
    },
  }) });

  const secureEnv = (): Record<string, string> => ({
    KAFKA_BROKERS: broker.url, KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512', KAFKA_SASL_USERNAME: user.username,
    KAFKA_SASL_PASSWORD: user.password, KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: broker.caFile ?? '',
  });

  /** Connects an admin client configured by `env` (over the secure settings) and lists topics; returns 'connected' or the error. */
  async function tryConnect(env: Record<string, string | undefined>): Promise<string> {
    const merged = Object.fromEntries(Object.entries({ ...secureEnv(), ...env }).filter(([, v]) => v !== undefined)) as Record<string, string>;
    const config = loadConfig(merged);
    const kafka = createKafka({
      brokers: [...config.kafka.brokers], clientId: 'sasl-probe', logger, security: kafkaConnectionOptions(config.kafka.security),
      retry: { retries: 0 }, connectionTimeoutMs: 3_000, requestTimeoutMs: 5_000,
    });
    const admin = kafka.admin();
    try {
      await admin.connect();
      await admin.listTopics();
      return 'connected';
    } catch (error) {
      return `${(error as Error).name}: ${(error as Error).message}`;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  beforeAll(async () => {
    broker = await startPrivateKafka({ saslSsl: user });
    sms = createSmsSimulator({ jwtSecret: smsSecret });
    await sms.start();
  }, 180_000);

  afterAll(async () => {
    await stack?.stop().catch(() => stack?.runtime.close());
    await sms?.stop();
    await broker?.remove();
    await killAllChildren();
  }, 60_000);

  it('accepts the right credentials over TLS checked against the CA', async () => {
    expect(broker.caFile).toBeDefined();
    expect(await tryConnect({})).toBe('connected');
  });

  it('refuses a wrong password (SASL authentication failed)', async () => {
    const outcome = await tryConnect({ KAFKA_SASL_PASSWORD: `${user.password}-wrong` });
    expect(outcome).toMatch(/SASL.*authentication failed/i);
  });

  it('refuses a client without TLS, and one that does not trust the CA', async () => {
    const plaintext = await tryConnect({ KAFKA_SSL: undefined, KAFKA_SSL_CA_FILE: undefined });
    expect(plaintext).not.toBe('connected');
    expect(plaintext).toMatch(/Closed connection|Connection error|timed? ?out/i);
    const untrusted = await tryConnect({ KAFKA_SSL_CA_FILE: undefined });
    expect(untrusted).toMatch(/certificate/i);
  });

  it('carries a mailing end to end: every message accepted once', async () => {
    stack = await startStack({
      roles: ['api', 'processors', 'senders', 'analytics', 'scheduler'],
      env: { ...secureEnv(), SMS_API_URL: sms.url, SMS_API_TOKEN: createSmsApiToken(smsSecret), RETRY_BASE_MS: '100', RETRY_MAX_MS: '1000' },
      logger,
    });
    const tag = uniqueName('sasl');
    const clients = await createClients(stack, 20, { tag, operatorCode: '931' });
    const created = await stack.api('POST', '/api/mailings', {
      text: 'Over TLS, {{name}}', startAt: iso(Date.now()), endAt: iso(Date.now() + 10 * 60_000), filter: { tags: [tag], operatorCodes: [] },
    });
    expect(created.status).toBe(201);
    const mailingId = created.body.id as string;
    await waitFor(async () => (await stack!.api('GET', `/api/stats/mailings/${mailingId}`)).body?.byStatus?.sent === clients.length, {
      timeoutMs: 90_000, description: `${clients.length} sent in the statistics`,
    });
    for (const clientId of clients) expect(sms.message(smsIdOf(mailingId, clientId))?.accepted).toBe(1);
    expect(sms.stats()).toMatchObject({ requests: clients.length, duplicateAccepts: 0 });
  }, 180_000);

  it('never logs the password (kafkajs at debug included)', () => {
    expect(logged.lines).toBeGreaterThan(100);
    expect(logged.leaks).toEqual([]);
  });
});
