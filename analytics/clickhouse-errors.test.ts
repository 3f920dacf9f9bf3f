import { ClickHouseError } from '@clickhouse/client';
import { VestnikError, isRetriable } from '../platform/errors';
import { serverErrorCode, toClickHouseError } from './clickhouse-errors';

describe('serverErrorCode', () => {
  it('reads the code of an 18.16 answer', () => {
    expect(serverErrorCode(new Error('Code: 47, e.displayText() = DB::Exception: Unknown identifier: x, e.what() = DB::Exception'))).toBe(47);
  });

  it('reads the code of a current server, parsed by the library', () => {
    expect(serverErrorCode(new ClickHouseError({ message: 'Too many parts', code: '252', type: 'TOO_MANY_PARTS' }))).toBe(252);
  });

  it('has none when the server did not answer', () => {
    expect(serverErrorCode(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8123'), { code: 'ECONNREFUSED' }))).toBeUndefined();
    expect(serverErrorCode(new Error('Timeout error.'))).toBeUndefined();
  });
});

describe('toClickHouseError: unreachable server is retriable', () => {
  it.each([
    Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
    new Error('Timeout error.'),
  ])('%s', (cause) => {
    const error = toClickHouseError(cause, 'insert');
    expect(error).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE', retriable: true });
    expect(error.cause).toBe(cause);
  });
});

describe('toClickHouseError: transient server conditions are retriable', () => {
  it.each([
    'Code: 252, e.displayText() = DB::Exception: Too many parts (300). Merges are processing significantly slower than inserts.',
    'Code: 241, e.displayText() = DB::Exception: Memory limit (for query) exceeded',
    'Code: 202. DB::Exception: Too many simultaneous queries. (TOO_MANY_SIMULTANEOUS_QUERIES)',
    // What 18.16 answers a query over a Distributed table while one of its shards is down.
    'Code: 279, e.displayText() = DB::NetException: All connection tries failed. Log: \n\nCode: 210, e.displayText() = DB::NetException: Connection refused (127.0.0.1:19102)',
  ])('%s', (message) => {
    expect(isRetriable(toClickHouseError(new Error(message), 'insert'))).toBe(true);
  });
});

describe('toClickHouseError: statement errors are permanent', () => {
  it.each([
    'Code: 62, e.displayText() = DB::Exception: Syntax error',
    'Code: 60, e.displayText() = DB::Exception: Table x.y doesn\'t exist.',
    'Code: 27, e.displayText() = DB::Exception: Cannot parse input',
  ])('%s', (message) => {
    const error = toClickHouseError(new Error(message), 'query');
    expect(error).toMatchObject({ code: 'INTERNAL', retriable: false });
    expect(error.details).toEqual({ clickhouseCode: Number(/Code: (\d+)/.exec(message)?.[1]) });
  });

  it('keeps programmer errors non-retriable and VestnikErrors as they are', () => {
    expect(toClickHouseError(new TypeError('bad'), 'query').retriable).toBe(false);
    const own = new VestnikError('VALIDATION_FAILED', 'x');
    expect(toClickHouseError(own, 'query')).toBe(own);
  });
});
