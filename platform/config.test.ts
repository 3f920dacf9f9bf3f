import { loadConfig } from './config';

describe('loadConfig', () => {
  it('gives a complete frozen config from an empty environment', () => {
    const config = loadConfig({});
    expect(config.kafka.brokers).toEqual(['127.0.0.1:9092']);
    expect(config.auth.apiKeys).toEqual([{ key: 'dev-admin-key', roles: ['admin', 'service', 'stats'] }]);
    expect(Object.isFrozen(config.kafka)).toBe(true);
    expect(() => {
      (config.kafka as { clientId: string }).clientId = 'x';
    }).toThrow(TypeError);
  });

  it('splits brokers and API keys with roles', () => {
    const config = loadConfig({ KAFKA_BROKERS: 'a:1, b:2', API_KEYS: 'k1:admin,k2:stats|service' });
    expect(config.kafka.brokers).toEqual(['a:1', 'b:2']);
    expect(config.auth.apiKeys).toEqual([{ key: 'k1', roles: ['admin'] }, { key: 'k2', roles: ['stats', 'service'] }]);
  });

  it.each([
    ['HTTP_PORT', 'eighty'],
    ['CLICKHOUSE_URL', 'not a url'],
    ['CLICKHOUSE_DATABASE', 'drop table; --'],
    ['API_KEYS', 'key-without-roles'],
    ['LOG_LEVEL', 'loud'],
    ['JWT_SECRET', 'short'],
  ])('names the bad variable %s', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining(name) }));
  });

  it('checks rules across variables', () => {
    expect(() => loadConfig({ RETRY_BASE_MS: '5000', RETRY_MAX_MS: '1000' })).toThrow(/RETRY_BASE_MS/);
  });
});

describe('console sign-in configuration', () => {
  it('has no OIDC provider by default, and 60 min idle / 12 h sessions', () => {
    expect(loadConfig({}).console).toEqual({ sessionIdleMs: 3_600_000, sessionMaxMs: 43_200_000 });
  });

  it('reads the provider, its roles claim and scopes', () => {
    const config = loadConfig({
      OIDC_ISSUER: 'https://idp.example', OIDC_CLIENT_ID: 'vestnik', OIDC_CLIENT_SECRET: 's3cret', OIDC_ROLES_CLAIM: 'realm_access.roles',
      OIDC_SCOPES: 'openid  profile', CONSOLE_SESSION_IDLE_MIN: '15', CONSOLE_SESSION_MAX_H: '8',
    });
    expect(config.console).toEqual({
      oidc: { issuer: 'https://idp.example', clientId: 'vestnik', clientSecret: 's3cret', rolesClaim: 'realm_access.roles', scopes: ['openid', 'profile'] },
      sessionIdleMs: 900_000, sessionMaxMs: 28_800_000,
    });
  });

  it('refuses an issuer without a client id, and sessions of 0 minutes', () => {
    expect(() => loadConfig({ OIDC_ISSUER: 'https://idp.example' })).toThrow(/OIDC_CLIENT_ID/);
    expect(() => loadConfig({ CONSOLE_SESSION_IDLE_MIN: '0' })).toThrow(/CONSOLE_SESSION_IDLE_MIN/);
  });
});
