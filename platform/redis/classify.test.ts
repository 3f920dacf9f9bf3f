import { ReplyError } from 'ioredis';
import { MaxRetriesPerRequestError } from 'ioredis/built/errors';
import { CONNECTION_CLOSED_ERROR_MSG } from 'ioredis/built/utils';
import { isRetriable, VestnikError } from '../errors';
import { classifyRedisError, isRedisUnavailable, isSlotMoved, NETWORK_ERROR_CODES, UNAVAILABLE_REPLY_CODES } from './classify';

/** Errors as ioredis and redis-errors build them (ioredis re-exports neither AbortError nor its parent). */
const AbortError = Object.getPrototypeOf(MaxRetriesPerRequestError) as new (message: string) => Error;
const reply = (text: string): Error => new (ReplyError as new (message: string) => Error)(text);
const systemError = (code: string): Error => Object.assign(new Error(`connect ${code} 127.0.0.1:6379`), { code, syscall: 'connect' });

describe('classifyRedisError: Redis unavailable → REDIS_UNAVAILABLE, retriable, original as cause', () => {
  it.each<[string, Error]>([
    ['MaxRetriesPerRequestError (outage longer than the client retry budget)', new MaxRetriesPerRequestError(20) as Error],
    ['AbortError (command aborted due to connection close)', new AbortError('Command aborted due to connection close')],
    ['the connection is closed for good', new Error(CONNECTION_CLOSED_ERROR_MSG)],
    ...NETWORK_ERROR_CODES.map((code): [string, Error] => [`a socket error ${code}`, systemError(code)]),
    ...UNAVAILABLE_REPLY_CODES.map((code): [string, Error] => [`a ${code} reply`, reply(`${code} not now`)]),
  ])('%s', (_name, error) => {
    const classified = classifyRedisError(error);
    expect(classified).toBeInstanceOf(VestnikError);
    expect(classified).toMatchObject({ code: 'REDIS_UNAVAILABLE', retriable: true, cause: error });
    expect(isRetriable(classified)).toBe(true);
  });
});

describe('classifyRedisError: answers to a command stay as they are (permanent)', () => {
  it.each<[string, Error]>([
    ['WRONGTYPE', reply('WRONGTYPE Operation against a key holding the wrong kind of value')],
    ['ERR syntax', reply('ERR syntax error')],
    ['NOSCRIPT (ioredis falls back to EVAL on it)', reply('NOSCRIPT No matching script')],
    ['our Lua error_reply', reply('CONFLICT already claimed')],
    ['a script runtime error', reply('ERR user_script:1: Script attempted to access nonexistent global variable')],
    // The code is the first word, as Redis defines it: a mention later in the text is not it.
    ['a reply mentioning LOADING after its code', reply('ERR value is LOADING')],
    ['a reply whose code only starts like one', reply('LOADINGX nope')],
  ])('%s', (_name, error) => {
    expect(isRedisUnavailable(error)).toBe(false);
    expect(classifyRedisError(error)).toBe(error);
    expect(isRetriable(classifyRedisError(error))).toBe(false);
  });
});

describe('classifyRedisError: everything else passes through untouched', () => {
  it.each<[string, unknown]>([
    ['a TypeError (a reply transformer bug)', new TypeError('cannot read')],
    ['a plain Error', new Error('Connection in subscriber mode, only subscriber commands may be used')],
    ['an Error with a non-network code', Object.assign(new Error('x'), { code: 'ERR_INVALID_ARG_TYPE' })],
    ['a string', 'oops'],
    ['undefined', undefined],
  ])('%s', (_name, error) => {
    expect(classifyRedisError(error)).toBe(error);
  });

  it('is idempotent: a classified error is not wrapped again', () => {
    const once = classifyRedisError(new MaxRetriesPerRequestError(1));
    expect(classifyRedisError(once)).toBe(once);
  });

  it('keeps any VestnikError as it is', () => {
    const permanent = new VestnikError('VALIDATION_FAILED', 'bad');
    expect(classifyRedisError(permanent)).toBe(permanent);
  });
});

describe('isSlotMoved: a Redis Cluster redirection (the client reloads its slot map)', () => {
  it.each<[string, unknown, boolean]>([
    ['MOVED', reply('MOVED 5274 127.0.0.1:7001'), true],
    ['ASK', reply('ASK 5274 127.0.0.1:7001'), true],
    ['CLUSTERDOWN (retriable, but no slot moved)', reply('CLUSTERDOWN The cluster is down'), false],
    ['a plain Error saying MOVED', new Error('MOVED 1 x'), false],
    ['not an error', 'MOVED 1 x', false],
  ])('%s', (_name, error, moved) => {
    expect(isSlotMoved(error)).toBe(moved);
  });
});
