import { VestnikError } from '../errors';
import { toDeadLetterRecord } from './dead-letter';

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
