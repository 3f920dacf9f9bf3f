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
