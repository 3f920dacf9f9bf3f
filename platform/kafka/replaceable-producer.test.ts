import type { Producer } from 'kafkajs';
import { KafkaJSProtocolError, KafkaJSNonRetriableError } from 'kafkajs';
import { createReplaceableProducer, isProducerStateError } from './replaceable-producer';

/** A kafkajs broker error as kafkajs builds it (type, code, retriable) from the error code table. */
function brokerError(type: string): Error {
  return Object.assign(new KafkaJSProtocolError('broker said no'), { type });
}

function fakeProducer(name: string, log: string[], fail: () => Error | null): Producer {
  return {
    connect: async () => void log.push(`${name} connect`),
    disconnect: async () => void log.push(`${name} disconnect`),
    send: async () => {
      const error = fail();
      log.push(`${name} send${error ? ' failed' : ''}`);
      if (error) throw error;
      return [];
    },
  } as unknown as Producer;
}

describe('isProducerStateError', () => {
  it('knows the errors about the producer id and sequence numbers, also wrapped', () => {
    expect(isProducerStateError(brokerError('OUT_OF_ORDER_SEQUENCE_NUMBER'))).toBe(true);
    expect(isProducerStateError(brokerError('UNKNOWN_PRODUCER_ID'))).toBe(true);
    expect(isProducerStateError(Object.assign(new KafkaJSNonRetriableError('retries exhausted'), { cause: brokerError('INVALID_PRODUCER_EPOCH') }))).toBe(true);
    expect(isProducerStateError(new Error('outer', { cause: brokerError('OUT_OF_ORDER_SEQUENCE_NUMBER') }))).toBe(true);
  });

  it('leaves verdicts on the records and plain failures alone', () => {
    expect(isProducerStateError(brokerError('MESSAGE_TOO_LARGE'))).toBe(false);
    expect(isProducerStateError(new Error('connect ECONNREFUSED'))).toBe(false);
    expect(isProducerStateError('OUT_OF_ORDER_SEQUENCE_NUMBER')).toBe(false);
  });
});

describe('createReplaceableProducer', () => {
  it('replaces the producer after a producer-state error, once, and sends the retry on the new one', async () => {
    const log: string[] = [];
    let made = 0;
    let failNext: Error | null = brokerError('OUT_OF_ORDER_SEQUENCE_NUMBER');
    const replaced: unknown[] = [];
    const producer = createReplaceableProducer(
      () => fakeProducer(`p${++made}`, log, () => { const error = failNext; failNext = null; return error; }),
      (error) => replaced.push(error),
    );
    await expect(producer.send((current) => current.send({ topic: 't', messages: [] }))).rejects.toThrow('broker said no');
    expect(replaced).toHaveLength(1);
    await producer.send((current) => current.send({ topic: 't', messages: [] }));
    // The new producer connects before its first send; the broken one is disconnected.
    expect(log).toEqual(['p1 connect', 'p1 send failed', 'p1 disconnect', 'p2 connect', 'p2 send']);
  });

  it('keeps the producer after other errors', async () => {
    const log: string[] = [];
    let made = 0;
    let failNext: Error | null = brokerError('MESSAGE_TOO_LARGE');
    const producer = createReplaceableProducer(
      () => fakeProducer(`p${++made}`, log, () => { const error = failNext; failNext = null; return error; }),
      () => { throw new Error('must not be replaced'); },
    );
    await expect(producer.send((current) => current.send({ topic: 't', messages: [] }))).rejects.toThrow();
    await producer.send((current) => current.send({ topic: 't', messages: [] }));
    expect(log).toEqual(['p1 connect', 'p1 send failed', 'p1 send']);
    expect(made).toBe(1);
  });
});
