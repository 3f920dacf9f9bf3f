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
