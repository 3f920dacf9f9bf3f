import type { Message, RecordMetadata } from 'kafkajs';
import { recordOffsets } from './produced-offsets';

const meta = (partition: number, baseOffset: string, topicName = 't'): RecordMetadata => ({ topicName, partition, errorCode: 0, baseOffset });

describe('recordOffsets', () => {
  it('counts up from each partition base offset in the order the records were given', () => {
    const messages: Message[] = [0, 1, 2, 3].map((i) => ({ key: `k${i}`, value: null }));
    const partitions = new Map(messages.map((m, i) => [m, i % 2]));
    const result = recordOffsets('t', messages, [meta(0, '10'), meta(1, '9007199254740993'), meta(0, '99', 'other')], (m) => partitions.get(m));
    expect(result).toEqual([
      { topic: 't', partition: 0, offset: '10' },
      { topic: 't', partition: 1, offset: '9007199254740993' },
      { topic: 't', partition: 0, offset: '11' },
      { topic: 't', partition: 1, offset: '9007199254740994' },
    ]);
  });

  it('fails loudly when the broker answer lacks a partition', () => {
    const message: Message = { key: 'k', value: null };
    expect(() => recordOffsets('t', [message], [meta(1, '0')], () => 0)).toThrow('produce response lacks the partition');
  });
});
