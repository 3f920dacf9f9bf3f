import { VestnikError } from '../errors';
import { chunkDeadLetters, toDeadLetterRecord } from './dead-letter';

describe('toDeadLetterRecord', () => {
  const message = { key: Buffer.from('d-1'), value: Buffer.from([1, 2, 3]), offset: '42', timestamp: '0', attributes: 0, headers: {} };

  it('keeps the raw bytes, the origin and the reason, keyed like the original', () => {
    const error = new VestnikError('DECODE_FAILED', 'bad magic byte');
    const record = toDeadLetterRecord({ topic: 'deliveries.express', partition: 3, message, error }, { groupId: 'g', attempts: 1, now: 1234 });
    expect(record).toEqual({
      key: 'd-1',
      value: {
        originalTopic: 'deliveries.express', partition: 3, offset: '42', key: message.key, value: message.value,
        consumerGroup: 'g', reasonCode: 'DECODE_FAILED', reason: 'VestnikError: bad magic byte', attempts: 1, failedAt: 1234,
      },
    });
  });

  it('codes foreign errors INTERNAL and caps the reason length', () => {
    const record = toDeadLetterRecord(
      { topic: 't', partition: 0, message: { ...message, key: null }, error: new Error('x'.repeat(10_000)) },
      { groupId: 'g', attempts: 2, now: 0 },
    );
    expect(record.key).toBeNull();
    expect(record.value?.reasonCode).toBe('INTERNAL');
    expect(record.value?.reason.length).toBe(2_000);
  });
});

describe('chunkDeadLetters', () => {
  const candidate = (valueBytes: number, offset = 0) => ({
    topic: 't', partition: 0, error: new Error('x'),
    message: { key: Buffer.from('k'), value: Buffer.alloc(valueBytes), offset: String(offset), timestamp: '0', attributes: 0, headers: {} },
  });
  const sizes = (chunks: ReturnType<typeof candidate>[][]) => chunks.map((chunk) => chunk.map((c) => c.message.offset));

  it.each([
    { what: 'nothing', values: [], expected: [] },
    { what: 'small records in one request', values: [100, 100, 100], expected: [['0', '1', '2']] },
    // each record counts key (1) + value + 512 envelope bytes against the 2000-byte limit
    { what: 'a new request when the next record would pass the limit', values: [900, 50, 900], expected: [['0', '1'], ['2']] },
    { what: 'a record over the limit alone', values: [100, 5000, 100], expected: [['0'], ['1'], ['2']] },
  ])('$what', ({ values, expected }) => {
    expect(sizes(chunkDeadLetters(values.map((bytes, i) => candidate(bytes, i)), 2000))).toEqual(expected);
  });

  it('keeps a fetched megabyte under the broker limit per request', () => {
    const chunks = chunkDeadLetters(Array.from({ length: 1000 }, (_, i) => candidate(1000, i)));
    expect(chunks.flat()).toHaveLength(1000);
    for (const chunk of chunks) expect(chunk.length * 1513).toBeLessThanOrEqual(256 * 1024);
  });
});
