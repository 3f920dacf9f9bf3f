import type { Message, RecordMetadata, TopicMessages } from 'kafkajs';
import { VestnikError } from '../errors';
import { sendEveryPartition } from './every-partition';

/**
 * A stand-in for kafkajs's sendBatch: it partitions by the message's pinned partition or its key's number,
 * writes down what it sent, and answers for every partition except those `drop` names on that call (what
 * kafkajs 2.2 does when a moved partition's new leader had already answered: tulios/kafkajs#1798).
 */
function fakeSend(drop: (call: number) => string[]) {
  const partitionOf = new WeakMap<Message, number>();
  const calls: { topic: string; partition: number; keys: string[] }[][] = [];
  const send = async (topicMessages: TopicMessages[]): Promise<RecordMetadata[]> => {
    const dropped = new Set(drop(calls.length));
    const call: { topic: string; partition: number; keys: string[] }[] = [];
    for (const { topic, messages } of topicMessages) {
      for (const message of messages) {
        const partition = message.partition ?? Number(message.key) % 3;
        partitionOf.set(message, partition);
        const batch = call.find((b) => b.topic === topic && b.partition === partition);
        if (batch) batch.keys.push(String(message.key));
        else call.push({ topic, partition, keys: [String(message.key)] });
      }
    }
    calls.push(call);
    return call.filter((b) => !dropped.has(`${b.topic}/${b.partition}`))
      .map((b) => ({ topicName: b.topic, partition: b.partition, errorCode: 0, baseOffset: String(100 * calls.length + b.partition) }));
  };
  return { send, calls, partitionOf: (message: Message) => partitionOf.get(message) };
}

const messages = (...keys: number[]): Message[] => keys.map((key) => ({ key: String(key), value: `v${key}` }));

describe('sendEveryPartition', () => {
  it('sends once when the answer names every partition', async () => {
    const fake = fakeSend(() => []);
    const answers = await sendEveryPartition(fake.send, [{ topic: 'a', messages: messages(0, 1, 2, 3) }], fake.partitionOf);
    expect(fake.calls).toHaveLength(1);
    expect(answers.map((m) => m.partition).sort()).toEqual([0, 1, 2]);
  });

  it("sends a missing partition's records again, pinned to it and in order, and merges the answers", async () => {
    const fake = fakeSend((call) => (call === 0 ? ['a/1', 'b/2'] : []));
    const resent: [string, number][][] = [];
    const answers = await sendEveryPartition(fake.send,
      [{ topic: 'a', messages: messages(1, 2, 4, 7) }, { topic: 'b', messages: messages(5, 3) }], fake.partitionOf,
      (records) => resent.push([...records]));
    // Only the dropped partitions go again, each with all its records in their order.
    expect(fake.calls[1]).toEqual([{ topic: 'a', partition: 1, keys: ['1', '4', '7'] }, { topic: 'b', partition: 2, keys: ['5'] }]);
    expect(resent).toEqual([[['a', 3], ['b', 1]]]);
    // Each partition answered exactly once: from the first call, or from the resend.
    expect(answers.map((m) => `${m.topicName}/${m.partition}@${m.baseOffset}`).sort())
      .toEqual(['a/1@201', 'a/2@102', 'b/0@100', 'b/2@202']);
  });

  it('keeps a resent record on its first partition even when its key would now go elsewhere', async () => {
    const fake = fakeSend((call) => (call === 0 ? ['a/1'] : []));
    const message: Message = { key: '1', value: 'x' };
    await sendEveryPartition(fake.send, [{ topic: 'a', messages: [message] }], fake.partitionOf);
    expect(fake.calls[1]).toEqual([{ topic: 'a', partition: 1, keys: ['1'] }]);
    expect(message.partition).toBeUndefined(); // the caller's message is not changed
  });

  it('fails retriably, naming the partitions, when a partition is still missing after three resends', async () => {
    const fake = fakeSend(() => ['a/2']);
    const sending = sendEveryPartition(fake.send, [{ topic: 'a', messages: messages(2, 3) }], fake.partitionOf);
    await expect(sending).rejects.toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE', retriable: true, details: { partitions: ['a/2'] } });
    await expect(sending).rejects.toBeInstanceOf(VestnikError);
    expect(fake.calls).toHaveLength(4);
  });

  it("does not check a record whose partition it was not told", async () => {
    const fake = fakeSend((call) => (call === 0 ? ['a/1'] : []));
    await sendEveryPartition(fake.send, [{ topic: 'a', messages: messages(1) }], () => undefined);
    expect(fake.calls).toHaveLength(1);
  });

  it("passes a failed send's error on unchanged", async () => {
    const failure = new Error('broker down');
    await expect(sendEveryPartition(async () => { throw failure; }, [{ topic: 'a', messages: messages(1) }], () => 0)).rejects.toBe(failure);
  });
});
