import type { DeliveryStatus } from '../schemas/types';
import { formatDateTimeUtc, statusTable, toDeliveryStatusRow } from './schema';

const status: DeliveryStatus = {
  statusId: 's1', deliveryId: 'd1', sourceType: 'mailing', sourceId: 'm1', clientId: 'c1', channel: 'sms',
  priority: 'bulk', status: 'failed', attempt: 2, reason: 'provider 500', providerMessageId: null, provider: null,
  occurredAt: Date.UTC(2024, 2, 1, 10, 0, 5, 250),
};

describe('toDeliveryStatusRow', () => {
  it('keeps the milliseconds for ordering and a UTC DateTime text for partitioning', () => {
    const row = toDeliveryStatusRow(status, Date.UTC(2024, 2, 1, 10, 0, 6));
    expect(row).toMatchObject({
      statusId: 's1', deliveryId: 'd1', status: 'failed', attempt: 2, reason: 'provider 500',
      occurredAt: '2024-03-01 10:00:05', occurredAtMs: Date.UTC(2024, 2, 1, 10, 0, 5, 250),
      insertedAt: '2024-03-01 10:00:06',
    });
  });

  it("stores Avro null as '' (no Nullable columns)", () => {
    const row = toDeliveryStatusRow({ ...status, reason: null }, 0);
    expect(row.reason).toBe('');
    expect(row.providerMessageId).toBe('');
  });
});

describe('formatDateTimeUtc', () => {
  it('truncates to whole seconds', () => {
    expect(formatDateTimeUtc(999)).toBe('1970-01-01 00:00:00');
  });

  it('gives what Date gives for any time, formatted before or not, past the cache\'s size', () => {
    const times = Array.from({ length: 2_000 }, (_, i) => 1_700_000_000_000 + ((i * 7_919_777) % 600_000_000));
    for (const ms of [...times, ...times.reverse()]) {
      expect(formatDateTimeUtc(ms)).toBe(new Date(ms).toISOString().slice(0, 19).replace('T', ' '));
    }
  });

  it.each([NaN, -1])('refuses %p', (ms) => {
    expect(() => formatDateTimeUtc(ms)).toThrow(RangeError);
  });
});

describe('statusTable', () => {
  it('quotes the qualified name and refuses a database outside the whitelist', () => {
    expect(statusTable('vestnik').text).toBe('`vestnik`.`delivery_status`');
    expect(() => statusTable('x`; DROP')).toThrow(TypeError);
  });
});
