import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import type { PartitionerArgs } from 'kafkajs';
import { javaCompatiblePartitioner, murmur2, partitionOfKey } from './partitioner';
// kafkajs's own (Long-based) murmur2: what keys were partitioned by before, and what other clients agree with.
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2') as (key: string | Buffer) => number;

describe('the Java-compatible partitioner', () => {
  it('hashes Kafka\'s own test vectors (UtilsTest) to the Java values', () => {
    expect(murmur2('21')).toBe(-973932308);
    expect(murmur2('foobar')).toBe(-790332482);
    expect(murmur2('a-little-bit-long-string')).toBe(-985981536);
    expect(murmur2('a-little-bit-longer-string')).toBe(-1486304829);
    expect(murmur2('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8')).toBe(-58897971);
    expect(murmur2('abc')).toBe(479470107);
  });

  it('agrees with kafkajs\'s murmur2 on any text and any bytes, of every tail length', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (key) => murmur2(key) === kafkajsMurmur2(key)), { numRuns: 2_000 });
    for (let length = 0; length < 40; length++) {
      const bytes = randomBytes(length);
      expect(murmur2(bytes)).toBe(kafkajsMurmur2(bytes));
    }
  });

  it('puts a key where kafkajs\'s default partitioner did, keeps an explicit partition, and reports each choice', () => {
    const chosen: number[] = [];
    const partition = javaCompatiblePartitioner((_, p) => chosen.push(p))();
    const partitionMetadata = Array.from({ length: 6 }, (_, i) => ({ partitionId: i, leader: 1, replicas: [1], isr: [1], offlineReplicas: [], partitionErrorCode: 0 }));
    const args = (message: PartitionerArgs['message']): PartitionerArgs => ({ topic: 't', partitionMetadata, message });
    const keys = Array.from({ length: 200 }, (_, i) => `client-${i}`);
    const got = keys.map((key) => partition(args({ key, value: null })));
    expect(got).toEqual(keys.map((key) => (kafkajsMurmur2(key) & 0x7fffffff) % 6));
    expect(got).toEqual(keys.map((key) => partitionOfKey(key, 6)));
    expect(new Set(got).size).toBe(6);
    expect(partition(args({ key: 'client-1', value: null, partition: 4 }))).toBe(4);
    expect(chosen).toEqual([...got, 4]);
  });
});
