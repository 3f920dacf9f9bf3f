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
    ['FREQUENCY_CAPS', '{"name":"promo"}'],
    ['FREQUENCY_CAPS', 'not json'],
    ['AMBIGUOUS_POLICY_SMS', 'maybe'],
    ['AMBIGUOUS_RESEND_DELAY_FACTOR', '0'],
  ])('names the bad variable %s', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining(name) }));
  });

  it('replicates topics once with one in sync by default; a cluster sets 3 and 2; never more in sync than copies', () => {
    expect(loadConfig({}).kafka).toMatchObject({ replicationFactor: 1, minInsyncReplicas: 1 });
    expect(loadConfig({ KAFKA_REPLICATION_FACTOR: '3', KAFKA_MIN_INSYNC_REPLICAS: '2' }).kafka).toMatchObject({ replicationFactor: 3, minInsyncReplicas: 2 });
    expect(() => loadConfig({ KAFKA_REPLICATION_FACTOR: '1', KAFKA_MIN_INSYNC_REPLICAS: '2' })).toThrow(/KAFKA_MIN_INSYNC_REPLICAS \(2\) exceeds KAFKA_REPLICATION_FACTOR \(1\)/);
  });

  it('uses one Redis by default; REDIS_CLUSTER_NODES names a Cluster by host:port, and never echoes an entry', () => {
    expect(loadConfig({}).redis.clusterNodes).toBeNull();
    expect(loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:7000, redis-1.internal:7001,[::1]:7002' }).redis.clusterNodes)
      .toEqual(['10.0.0.1:7000', 'redis-1.internal:7001', '[::1]:7002']);
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: ' , ' })).toThrow(/REDIS_CLUSTER_NODES is set but names no node/);
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:7000,redis://:secret@b:7001' })).toThrow(/REDIS_CLUSTER_NODES entry 2 is not host:port/);
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:7000,redis://:secret@b:7001' })).not.toThrow(/secret/);
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:70000' })).toThrow(/entry 1 is not host:port/);
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.1' })).toThrow(/entry 1 is not host:port/);
  });

  it('uses one ClickHouse server by default; a cluster needs its name and a URL per shard, and never echoes a URL', () => {
    expect(loadConfig({}).clickhouse.cluster).toBeNull();
    expect(loadConfig({ CLICKHOUSE_CLUSTER: 'vestnik', CLICKHOUSE_SHARD_URLS: 'http://a:8123, http://b:8123' }).clickhouse.cluster)
      .toEqual({ name: 'vestnik', shardUrls: ['http://a:8123', 'http://b:8123'] });
    expect(() => loadConfig({ CLICKHOUSE_CLUSTER: 'vestnik' })).toThrow(/CLICKHOUSE_CLUSTER needs CLICKHOUSE_SHARD_URLS/);
    expect(() => loadConfig({ CLICKHOUSE_SHARD_URLS: 'http://a:8123' })).toThrow(/CLICKHOUSE_SHARD_URLS is set without CLICKHOUSE_CLUSTER/);
    expect(() => loadConfig({ CLICKHOUSE_CLUSTER: 'vestnik', CLICKHOUSE_SHARD_URLS: 'http://a:8123,user:secret@b' }))
      .toThrow(/CLICKHOUSE_SHARD_URLS entry 2 is not an http\(s\) URL/);
    expect(() => loadConfig({ CLICKHOUSE_CLUSTER: 'vestnik', CLICKHOUSE_SHARD_URLS: 'http://a:8123,user:secret@b' })).not.toThrow(/secret/);
    expect(() => loadConfig({ CLICKHOUSE_CLUSTER: 'bad name', CLICKHOUSE_SHARD_URLS: 'http://a:8123' })).toThrow(/CLICKHOUSE_CLUSTER/);
  });

  it('takes a nice value from 0 to 19 (PROCESS_NICE), 0 by default', () => {
    expect(loadConfig({}).processNice).toBe(0);
    expect(loadConfig({ PROCESS_NICE: '10' }).processNice).toBe(10);
    expect(() => loadConfig({ PROCESS_NICE: '20' })).toThrow(/PROCESS_NICE/);
    expect(() => loadConfig({ PROCESS_NICE: '-5' })).toThrow(/PROCESS_NICE/);
  });

  it('fails an ambiguous SMS and resends an ambiguous push or email by default, after 5× the retry delay', () => {
    expect(loadConfig({}).ambiguous).toEqual({ sms: 'fail', push: 'resend', email: 'resend', resendDelayFactor: 5 });
    expect(loadConfig({ AMBIGUOUS_POLICY_SMS: 'resend', AMBIGUOUS_POLICY_PUSH: 'fail', AMBIGUOUS_POLICY_EMAIL: 'fail', AMBIGUOUS_RESEND_DELAY_FACTOR: '10' }).ambiguous)
      .toEqual({ sms: 'resend', push: 'fail', email: 'fail', resendDelayFactor: 10 });
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

describe('daily report configuration', () => {
  it('is off (no recipients) by default, at 07:00 UTC', () => {
    expect(loadConfig({}).dailyReport).toEqual({ recipients: [], at: '07:00', timezone: 'UTC', templateId: undefined });
  });

  it('reads recipients, time, zone and template', () => {
    const config = loadConfig({
      DAILY_REPORT_TO: ' ops@example.com,, lead@example.org ', DAILY_REPORT_AT: '06:30', DAILY_REPORT_TZ: 'Europe/Moscow',
      DAILY_REPORT_TEMPLATE_ID: 'daily-report',
    });
    expect(config.dailyReport).toEqual({
      recipients: ['ops@example.com', 'lead@example.org'], at: '06:30', timezone: 'Europe/Moscow', templateId: 'daily-report',
    });
  });

  it.each([
    ['DAILY_REPORT_TZ', 'Mars/Olympus', /DAILY_REPORT_TZ: unknown IANA time zone "Mars\/Olympus"/],
    ['DAILY_REPORT_AT', '7:00', /DAILY_REPORT_AT: expected HH:MM/],
    ['DAILY_REPORT_AT', '24:00', /DAILY_REPORT_AT/],
    ['DAILY_REPORT_TO', 'ops@example.com, not-an-address', /DAILY_REPORT_TO/],
    ['DAILY_REPORT_TEMPLATE_ID', 'no spaces please', /DAILY_REPORT_TEMPLATE_ID/],
  ])('refuses %s=%s, naming it', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });
});
