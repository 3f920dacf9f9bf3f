import { loadConfig } from '../config';
import { statusMatches } from './provider-spec';

const spec = {
  name: 'acme-sms', channel: 'sms', baseUrl: 'https://gw.example/api', path: '/messages/{{url deliveryId}}',
  headers: { 'x-api-key': '${ACME_KEY}' }, body: '{"to":{{json address}}}',
};
const load = (providers: unknown, env: Record<string, string> = { ACME_KEY: 'k-123' }) => loadConfig({ HTTP_PROVIDERS: JSON.stringify(providers), ...env });

describe('HTTP_PROVIDERS', () => {
  it('is empty by default', () => {
    expect(loadConfig({}).httpProviders).toEqual([]);
  });

  it('takes a provider with its defaults and the header secret from the environment', () => {
    expect(load([spec]).httpProviders).toEqual([{
      ...spec, method: 'POST', headers: { 'x-api-key': 'k-123' }, sent: { status: ['2xx'] }, jsonMismatch: 'retriable',
      permanent: ['4xx'], retriable: [408, 425, 429, '5xx'], timeoutMs: 5000, concurrency: 16, ratePerSecond: 0, ratePerHour: 0,
    }]);
  });

  it('gives a provider with a rate its own limit, beside the built-in providers\' ones', () => {
    const config = load([{ ...spec, ratePerSecond: 30, ratePerHour: 5000 }], { ACME_KEY: 'k', SMS_RATE_PER_S: '100', SMS_SECONDARY_RATE_PER_S: '50' });
    expect(config.providerRates.providers['acme-sms']).toEqual({ perSecond: 30, perHour: 5000 });
    expect(config.providerRates.providers['sms-api']).toEqual({ perSecond: 100, perHour: 0 });
    expect(config.providerRates.providers['sms-api-secondary']).toEqual({ perSecond: 50, perHour: 0 });
  });

  it('escapes template syntax in a secret, so the secret is sent as it is', () => {
    expect(load([spec], { ACME_KEY: 'a{{b}}' }).httpProviders[0]!.headers['x-api-key']).toBe('a\\{{b}}');
  });

  it.each([
    ['not JSON', 'nope', /expected a JSON array/],
    ['a missing field', [{ ...spec, body: undefined }], /body/],
    ['a bad name', [{ ...spec, name: 'Acme SMS' }], /lower-case/],
    ['two of one name', [spec, spec], /unique.*acme-sms/],
    ['a built-in name', [{ ...spec, name: 'sms-api' }], /not built-in.*sms-api/],
    ['an unknown channel', [{ ...spec, channel: 'fax' }], /channel/],
  ])('refuses %s', (_case, providers, message) => {
    const raw = typeof providers === 'string' ? providers : JSON.stringify(providers);
    expect(() => loadConfig({ HTTP_PROVIDERS: raw, ACME_KEY: 'k' })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringMatching(message) }));
  });

  it('refuses a header secret that is not in the environment, naming the variable and not any value', () => {
    expect(() => load([spec], {})).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining('header x-api-key needs the environment variable ACME_KEY') }));
  });
});

describe('statusMatches', () => {
  it.each([
    [202, [202], true], [202, ['2xx'], true], [429, ['4xx'], true], [429, [408, 425], false], [503, ['5xx', 400], true], [301, ['2xx'], false],
  ] as const)('%i in %j: %s', (status, list, expected) => {
    expect(statusMatches(status, list)).toBe(expected);
  });
});
