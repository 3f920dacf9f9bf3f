import { loadConfig } from './config';
import { DEV_DEFAULTS, productionProblems, type ProductionEnvView } from './config-production';

const strong = (c: string) => c.repeat(40);
/** A production-safe environment; each case below spoils one part of it. */
const SAFE: ProductionEnvView = {
  JWT_SECRET: strong('j'),
  UNSUBSCRIBE_SECRET: strong('u'),
  API_KEYS: [{ key: strong('k'), roles: ['admin'] }],
  SMS_API_TOKEN: 'a-real-provider-token',
  SMS_SIMULATOR_SECRET: strong('s'),
  PUSH_API_TOKEN: 'a-real-push-token',
};

describe('productionProblems', () => {
  it('accepts a safe configuration', () => {
    expect(productionProblems(SAFE)).toEqual([]);
  });

  it.each<[string, Partial<ProductionEnvView>, string[]]>([
    ['the default JWT secret (and the unsubscribe secret derived from it)', { JWT_SECRET: DEV_DEFAULTS.JWT_SECRET, UNSUBSCRIBE_SECRET: undefined }, ['JWT_SECRET', 'UNSUBSCRIBE_SECRET']],
    ['the default JWT secret with its own unsubscribe secret', { JWT_SECRET: DEV_DEFAULTS.JWT_SECRET }, ['JWT_SECRET']],
    ['a short JWT secret', { JWT_SECRET: 'x'.repeat(31) }, ['JWT_SECRET']],
    ['the default JWT secret when tokens are verified by a JWKS', { JWT_SECRET: DEV_DEFAULTS.JWT_SECRET, JWT_JWKS_URL: 'https://id.example/jwks' }, []],
    ['an unsubscribe secret derived from the default, even with a JWKS', { JWT_SECRET: DEV_DEFAULTS.JWT_SECRET, JWT_JWKS_URL: 'https://id.example/jwks', UNSUBSCRIBE_SECRET: undefined }, ['UNSUBSCRIBE_SECRET']],
    ['an unsubscribe secret derived from a strong JWT secret', { UNSUBSCRIBE_SECRET: undefined }, []],
    ['a short unsubscribe secret', { UNSUBSCRIBE_SECRET: 'u'.repeat(20) }, ['UNSUBSCRIBE_SECRET']],
    ['the development API key', { API_KEYS: [{ key: DEV_DEFAULTS.API_KEYS.split(':')[0]!, roles: ['admin'] }] }, ['API_KEYS']],
    ['a long key that starts like the development key', { API_KEYS: [{ key: `dev-admin-key-${strong('x')}`, roles: ['admin'] }] }, ['API_KEYS']],
    ['one short key among long ones', { API_KEYS: [{ key: strong('k'), roles: ['admin'] }, { key: 'k'.repeat(23), roles: ['stats'] }] }, ['API_KEYS']],
    ['no API keys at all', { API_KEYS: [] }, []],
    ['the simulator SMS token', { SMS_API_TOKEN: DEV_DEFAULTS.SMS_API_TOKEN }, ['SMS_API_TOKEN']],
    ['the simulator SMS secret', { SMS_SIMULATOR_SECRET: DEV_DEFAULTS.SMS_SIMULATOR_SECRET }, ['SMS_SIMULATOR_SECRET']],
    ['the simulator push token', { PUSH_API_TOKEN: DEV_DEFAULTS.PUSH_API_TOKEN }, ['PUSH_API_TOKEN']],
  ])('%s', (_name, change, variables) => {
    expect(productionProblems({ ...SAFE, ...change }).map((p) => p.variable)).toEqual(variables);
  });
});

describe('loadConfig with NODE_ENV=production', () => {
  it('refuses the defaults, naming every variable at once and no value', () => {
    let thrown: unknown;
    try {
      loadConfig({ NODE_ENV: 'production' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'CONFIG_INVALID' });
    const { message, details } = thrown as { message: string; details: string[] };
    const names = ['JWT_SECRET', 'UNSUBSCRIBE_SECRET', 'API_KEYS', 'SMS_API_TOKEN', 'SMS_SIMULATOR_SECRET', 'PUSH_API_TOKEN'];
    expect(details).toEqual(names);
    for (const name of names) expect(message).toContain(name);
    for (const value of Object.values(DEV_DEFAULTS)) expect(message).not.toContain(value);
    expect(message).not.toContain('dev-admin-key:');
  });

  it('starts with safe values; the defaults stay fine outside production', () => {
    const safe = {
      NODE_ENV: 'production', JWT_SECRET: strong('j'), API_KEYS: `${strong('k')}:admin`, SMS_API_TOKEN: 'real',
      SMS_SIMULATOR_SECRET: strong('s'), PUSH_API_TOKEN: 'real',
    };
    expect(loadConfig(safe).env).toBe('production');
    expect(loadConfig({ NODE_ENV: 'development' }).env).toBe('development');
    expect(loadConfig({ NODE_ENV: 'test' }).env).toBe('test');
  });
});
