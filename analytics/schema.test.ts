import type { DeliveryStatus } from '../schemas/types';
import { STATUS_LINE_COLUMNS, formatDateTimeUtc, statusTable, toStatusLine } from './schema';

const status: DeliveryStatus = {
  statusId: 's1', deliveryId: 'd1', sourceType: 'mailing', sourceId: 'm1', clientId: 'c1', channel: 'sms',
  priority: 'bulk', status: 'failed', attempt: 2, reason: 'provider 500', providerMessageId: null, provider: null,
  occurredAt: Date.UTC(2024, 2, 1, 10, 0, 5, 250),
};

/** A line's fields by column name: what ClickHouse reads of it (nothing here needs unescaping). */
const fieldsOf = (line: string) => Object.fromEntries(line.split('\t').map((value, i) => [STATUS_LINE_COLUMNS[i], value]));

describe('toStatusLine', () => {
  it('writes a field per column, the milliseconds for ordering and a UTC DateTime text for partitioning', () => {
    const line = toStatusLine(status, '2024-03-01 10:00:06');
    expect(line.split('\t')).toHaveLength(STATUS_LINE_COLUMNS.length);
    expect(fieldsOf(line)).toEqual({
      statusId: 's1', deliveryId: 'd1', sourceType: 'mailing', sourceId: 'm1', clientId: 'c1', channel: 'sms', priority: 'bulk',
      status: 'failed', attempt: '2', reason: 'provider 500', providerMessageId: '', occurredAt: '2024-03-01 10:00:05',
      occurredAtMs: String(Date.UTC(2024, 2, 1, 10, 0, 5, 250)), insertedAt: '2024-03-01 10:00:06', provider: '',
    });
  });

  it("stores Avro null as '' (no Nullable columns)", () => {
    const fields = fieldsOf(toStatusLine({ ...status, reason: null, provider: null }, '1970-01-01 00:00:00'));
    expect([fields.reason, fields.providerMessageId, fields.provider]).toEqual(['', '', '']);
  });

  it('escapes a reason with a tab or a line end, so the line stays one row of the right width', () => {
    const line = toStatusLine({ ...status, reason: 'provider said:\n\t500\\' }, '1970-01-01 00:00:00');
    expect(line).not.toMatch(/\n/);
    expect(line.split('\t')).toHaveLength(STATUS_LINE_COLUMNS.length);
    expect(fieldsOf(line).reason).toBe('provider said:\\n\\t500\\\\');
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
