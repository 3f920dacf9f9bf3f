import type { DeliveryCommand } from '../../schemas/types';
import { FrequencyCapsSchema, capReason, countersOf, frequencyCapsOf, windowMs } from './frequency-caps';

const command = (fields: Partial<DeliveryCommand>): DeliveryCommand => ({
  deliveryId: 'd1', sourceType: 'mailing', sourceId: 'm1', clientId: 'c1', channel: 'sms', priority: 'bulk', address: '79000000000',
  deviceTokens: [], content: { text: 'hi' }, fallback: null, promo: true, timezone: 'UTC', sendWindow: null, notBefore: null,
  expiresAt: null, attempt: 0, createdAt: 0, ...fields,
} as DeliveryCommand);

const rules = FrequencyCapsSchema.parse([
  { name: 'promo-daily', match: { promo: true }, max: 3, window: '24h' },
  { name: 'one-per-source-type', per: 'sourceType', max: 1, window: '1d' },
  { name: 'sms-hourly', match: { channels: ['sms'], sourceTypes: ['mailing', 'notification'] }, max: 5, window: '60m' },
]);

describe('frequency cap rules', () => {
  it('counts a delivery against every rule it matches, with a counter per `per` value', () => {
    expect(countersOf(command({}), rules).map((c) => c.counter)).toEqual(['promo-daily', 'one-per-source-type:mailing', 'sms-hourly']);
    expect(countersOf(command({ promo: false, channel: 'email', sourceType: 'episode' }), rules).map((c) => c.counter)).toEqual(['one-per-source-type:episode']);
  });

  it("never counts the operators' own messages", () => {
    expect(countersOf(command({ sourceType: 'test' }), rules)).toEqual([]);
    expect(countersOf(command({ sourceType: 'report' as DeliveryCommand['sourceType'] }), rules)).toEqual([]);
  });

  it('reads windows in minutes, hours and days, and says the rule in the reason', () => {
    expect(rules.map(windowMs)).toEqual([86_400_000, 86_400_000, 3_600_000]);
    expect(capReason(rules[0]!)).toBe('frequency cap promo-daily: at most 3 per 24h');
    expect(capReason(rules[1]!)).toBe('frequency cap one-per-source-type: at most 1 per 1d per sourceType');
  });

  it.each([
    ['a duplicate name', [{ name: 'a', max: 1, window: '1d' }, { name: 'a', max: 2, window: '1d' }], ''],
    ['a window without unit', [{ name: 'a', max: 1, window: '24' }], '0.window'],
    ['max 0', [{ name: 'a', max: 0, window: '1d' }], '0.max'],
    ['an unknown channel', [{ name: 'a', match: { channels: ['fax'] }, max: 1, window: '1d' }], '0.match.channels.0'],
    ['an unknown field', [{ name: 'a', max: 1, window: '1d', category: 'x' }], '0'],
  ])('refuses %s', (_, input, path) => {
    const parsed = FrequencyCapsSchema.safeParse(input);
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues.map((i) => i.path.join('.'))).toContain(path);
  });

  it('stops the start on a wrong configured rule, naming the variable, the rule and the field', () => {
    expect(() => frequencyCapsOf([{ name: 'promo', max: 3, window: '24 hours' }])).toThrow(/FREQUENCY_CAPS\[0\.window\]: a number and m, h or d/);
    expect(frequencyCapsOf([])).toEqual([]);
  });
});
