import { loadConfig } from './config';

/** Production with none of the repository's public defaults (other production rules must not be what trips). */
const PRODUCTION: Record<string, string> = {
  NODE_ENV: 'production', JWT_SECRET: 'j'.repeat(40), UNSUBSCRIBE_SECRET: 'u'.repeat(40), API_KEYS: `${'k'.repeat(32)}:admin`,
  SMS_API_TOKEN: 's'.repeat(40), PUSH_API_TOKEN: 'p'.repeat(40), SMS_SIMULATOR_SECRET: 'x'.repeat(40),
};

describe('loadConfig: Kafka topic prefix and security', () => {
  it('defaults to no prefix, no SASL and no TLS, so existing deployments keep their topics and connections', () => {
    const { kafka } = loadConfig({});
    expect(kafka.topicPrefix).toBe('');
    expect(kafka.security).toEqual({});
  });

  it('takes a topic prefix of Kafka topic characters and refuses others', () => {
    expect(loadConfig({ KAFKA_TOPIC_PREFIX: 'acme.prod' }).kafka.topicPrefix).toBe('acme.prod');
    for (const bad of ['acme.', '.acme', 'ac me', 'acme/x']) {
      expect(() => loadConfig({ KAFKA_TOPIC_PREFIX: bad })).toThrow(/KAFKA_TOPIC_PREFIX/);
    }
  });

  it('reads SASL (mechanism in any case) and TLS with its files', () => {
    const { kafka } = loadConfig({
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512', KAFKA_SASL_USERNAME: 'vestnik', KAFKA_SASL_PASSWORD: 'pw-123',
      KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: '/etc/kafka/ca.pem', KAFKA_SSL_CERT_FILE: '/c.pem', KAFKA_SSL_KEY_FILE: '/k.pem',
    });
    expect(kafka.security).toEqual({
      sasl: { mechanism: 'scram-sha-512', username: 'vestnik', password: 'pw-123' },
      ssl: { caFile: '/etc/kafka/ca.pem', certFile: '/c.pem', keyFile: '/k.pem', rejectUnauthorized: true },
    });
    expect(loadConfig({ KAFKA_SASL_MECHANISM: 'PLAIN', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }).kafka.security.sasl?.mechanism).toBe('plain');
    expect(loadConfig({ KAFKA_SSL: 'true', KAFKA_SSL_REJECT_UNAUTHORIZED: 'false' }).kafka.security.ssl?.rejectUnauthorized).toBe(false);
    // SCRAM never sends the password itself, and local clusters need no TLS: allowed even in production.
    expect(loadConfig({ ...PRODUCTION, KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' })
      .kafka.security.ssl).toBeUndefined();
    expect(loadConfig({ ...PRODUCTION, KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p', KAFKA_SSL: 'true' })
      .kafka.security.sasl?.mechanism).toBe('plain');
  });

  it.each([
    [{ KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }, 'KAFKA_SASL_MECHANISM'],
    [{ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'u' }, 'KAFKA_SASL_PASSWORD'],
    [{ KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }, 'KAFKA_SASL_MECHANISM'],
    [{ KAFKA_SSL_CA_FILE: '/ca.pem' }, 'KAFKA_SSL is not true'],
    [{ KAFKA_SSL: 'true', KAFKA_SSL_CERT_FILE: '/c.pem' }, 'KAFKA_SSL_KEY_FILE'],
    [{ KAFKA_SSL: 'yes' }, 'KAFKA_SSL'],
    [{ ...PRODUCTION, KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }, 'KAFKA_SSL=true'],
  ])('refuses %j naming %s', (env, named) => {
    expect(() => loadConfig(env)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining(named) }));
  });

  it('never repeats the password in its errors', () => {
    const password = 'do-not-print-me';
    for (const env of [
      { KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: password },
      { KAFKA_SASL_PASSWORD: password },
    ]) {
      let message = '';
      try {
        loadConfig(env);
      } catch (error) {
        message = `${(error as Error).message} ${JSON.stringify((error as { details?: unknown }).details ?? null)}`;
      }
      expect(message).toMatch(/KAFKA_SASL/);
      expect(message).not.toContain(password);
    }
  });
});
