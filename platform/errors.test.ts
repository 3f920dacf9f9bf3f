import { KafkaJSConnectionError, KafkaJSNonRetriableError } from 'kafkajs';
import { MaxRetriesPerRequestError } from 'ioredis/built/errors';
import { errorCode, isRetriable, VestnikError } from './errors';
import { classifyRedisError } from './redis/classify';

const retriable = new VestnikError('DEPENDENCY_UNAVAILABLE', 'down', { retriable: true });
const permanent = new VestnikError('VALIDATION_FAILED', 'bad');
const caused = (error: unknown, outer = 'outer'): Error => new Error(outer, { cause: error });

/** A cause chain that loops back on itself (a → b → a). */
function loop(): Error {
  const a = new Error('a');
  const b = new Error('b', { cause: a });
  Object.assign(a, { cause: b });
  return a;
}

describe('isRetriable: the VestnikError flag decides', () => {
  it.each<[string, unknown, boolean]>([
    ['a retriable VestnikError', retriable, true],
    ['a VestnikError without the flag (permanent by default)', permanent, false],
    ['a VestnikError explicitly not retriable', new VestnikError('DEPENDENCY_UNAVAILABLE', 'x', { retriable: false }), false],
    ['REDIS_UNAVAILABLE from the Redis edge', classifyRedisError(new MaxRetriesPerRequestError(20)), true],
  ])('%s → %s', (_name, error, expected) => {
    expect(isRetriable(error)).toBe(expected);
  });
});

describe('isRetriable: follows the cause chain to the first VestnikError', () => {
  it.each<[string, unknown, boolean]>([
    ['a plain Error caused by a retriable one', caused(retriable), true],
    ['two plain Errors deep', caused(caused(retriable)), true],
    ['a plain Error caused by a permanent one', caused(permanent), false],
    ['the outermost VestnikError wins over a retriable cause', new VestnikError('INTERNAL', 'x', { cause: retriable }), false],
    ['a retriable VestnikError over a permanent cause', new VestnikError('DEPENDENCY_UNAVAILABLE', 'x', { retriable: true, cause: permanent }), true],
    ['a chain without any VestnikError', caused(caused(new Error('root'))), false],
    ['a cause that is not an Error ends the walk', caused({ retriable: true }), false],
    ['a cause chain with a loop ends', loop(), false],
  ])('%s → %s', (_name, error, expected) => {
    expect(isRetriable(error)).toBe(expected);
  });
});

describe('isRetriable: programmer errors and foreign values never retry', () => {
  it.each<[string, unknown]>([
    ['TypeError', new TypeError('x is undefined')],
    ['RangeError', new RangeError('out of range')],
    ['a TypeError even when it wraps a retriable cause', new TypeError('bug', { cause: retriable })],
    ['a plain Error caused by a TypeError wrapping a retriable', caused(new TypeError('bug', { cause: retriable }))],
    ['a plain Error', new Error('something')],
    ['a string', 'down'],
    ['undefined', undefined],
    ['an object with retriable: true', { retriable: true, code: 'DEPENDENCY_UNAVAILABLE' }],
    // kafkajs marks its own errors; the producer edge (platform/kafka/producer.ts) turns them into
    // VestnikErrors, and isRetriable trusts only those, so a raw one is never taken for retriable.
    ['a raw kafkajs retriable error', new KafkaJSConnectionError('broker gone')],
    ['a raw kafkajs non-retriable error', new KafkaJSNonRetriableError('nope')],
    // Raw ioredis errors never reach callers of a createRedis client (redis/client.ts classifies them).
    ['a raw ioredis MaxRetriesPerRequestError', new MaxRetriesPerRequestError(20)],
  ])('%s → false', (_name, error) => {
    expect(isRetriable(error)).toBe(false);
  });
});

describe('errorCode', () => {
  it.each<[string, unknown, string]>([
    ['a VestnikError', permanent, 'VALIDATION_FAILED'],
    ['the first VestnikError on the chain', caused(caused(retriable)), 'DEPENDENCY_UNAVAILABLE'],
    ['the Redis edge', caused(classifyRedisError(new MaxRetriesPerRequestError(1))), 'REDIS_UNAVAILABLE'],
    ['anything else', new Error('x'), 'INTERNAL'],
    ['a loop', loop(), 'INTERNAL'],
  ])('%s → %s', (_name, error, expected) => {
    expect(errorCode(error)).toBe(expected);
  });
});
