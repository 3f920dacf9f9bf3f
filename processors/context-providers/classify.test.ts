import { VestnikError } from '../../platform/errors';
import { readContextsAnswer, transportFailure } from './classify';

const KIND = 'monthly-digest';

function thrown(fn: () => unknown): VestnikError {
  try {
    fn();
  } catch (error) {
    if (error instanceof VestnikError) return error;
    throw error;
  }
  throw new Error('expected a VestnikError');
}

describe('readContextsAnswer: an answer with contexts', () => {
  it('maps each user to their context object', () => {
    const answer = readContextsAnswer(KIND, 200, JSON.stringify({ contexts: { 'u-1': { favouriteGenre: 'drama' }, 'u-2': {} } }));
    expect([...answer]).toEqual([['u-1', { favouriteGenre: 'drama' }], ['u-2', {}]]);
  });
  it('counts a user whose value is not an object as not answered', () => {
    const answer = readContextsAnswer(KIND, 200, JSON.stringify({ contexts: { a: 'text', b: null, c: [1], d: { ok: true } } }));
    expect([...answer.keys()]).toEqual(['d']);
  });
  it('takes an empty contexts object as "nobody known"', () => {
    expect(readContextsAnswer(KIND, 200, '{"contexts":{}}').size).toBe(0);
  });
});

describe('readContextsAnswer: the service in trouble (retriable)', () => {
  it.each([
    ['a 500', 500, '{"error":{}}', 'PROVIDER_UNAVAILABLE'],
    ['a 503', 503, '', 'PROVIDER_UNAVAILABLE'],
    ['a 429', 429, '', 'PROVIDER_UNAVAILABLE'],
    ['a 408', 408, '', 'PROVIDER_UNAVAILABLE'],
    ['a 200 cut off mid-body', 200, '{"contexts":{"u-1":{', 'PROVIDER_BAD_RESPONSE'],
    ['a 200 that is HTML', 200, '<html>', 'PROVIDER_BAD_RESPONSE'],
    ['a 200 without contexts', 200, '{"users":{}}', 'PROVIDER_BAD_RESPONSE'],
    ['a 200 whose contexts is an array', 200, '{"contexts":[]}', 'PROVIDER_BAD_RESPONSE'],
    ['a 200 of JSON null', 200, 'null', 'PROVIDER_BAD_RESPONSE'],
    ['a redirect', 302, '', 'PROVIDER_BAD_RESPONSE'],
  ])('%s', (_name, status, body, code) => {
    const error = thrown(() => readContextsAnswer(KIND, status, body));
    expect(error).toMatchObject({ code, retriable: true });
  });
});

describe('readContextsAnswer: a request that cannot succeed (permanent)', () => {
  it('an unknown kind (404) names the kind', () => {
    const error = thrown(() => readContextsAnswer('weekly-digest', 404, '{"error":{"code":"UNKNOWN_KIND"}}'));
    expect(error).toMatchObject({ code: 'PROVIDER_REJECTED', retriable: false });
    expect(error.message).toContain('weekly-digest');
  });
  it.each([[400], [401], [403], [413], [422]])('http %d, with the service\'s message', (status) => {
    const error = thrown(() => readContextsAnswer(KIND, status, '{"error":{"code":"INVALID_REQUEST","message":"userIds must be an array"}}'));
    expect(error).toMatchObject({ code: 'PROVIDER_REJECTED', retriable: false });
    expect(error.message).toContain(`http ${status}: userIds must be an array`);
  });
});

describe('transportFailure', () => {
  const withCode = (code: string) => Object.assign(new Error('boom'), { code });

  it('no answer before the deadline is retriable and says how long was waited', () => {
    const error = transportFailure(KIND, new Error('aborted'), 2000);
    expect(error).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', retriable: true });
    expect(error.message).toContain('2000 ms');
  });
  it.each(['ECONNREFUSED', 'ECONNRESET', 'UND_ERR_SOCKET', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT'])('%s is retriable', (code) => {
    expect(transportFailure(KIND, withCode(code), null)).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', retriable: true });
  });
  it('an answer over the size limit is a bad response, retriable', () => {
    expect(transportFailure(KIND, withCode('UND_ERR_RES_EXCEEDED_MAX_SIZE'), null)).toMatchObject({ code: 'PROVIDER_BAD_RESPONSE', retriable: true });
  });
  it('a code found along the cause chain decides', () => {
    const wrapped = new TypeError('fetch failed', { cause: withCode('ECONNREFUSED') });
    expect(transportFailure(KIND, wrapped, null).retriable).toBe(true);
  });
  it('a programmer error is not retried', () => {
    expect(transportFailure(KIND, new TypeError('x is not a function'), null)).toMatchObject({ code: 'INTERNAL', retriable: false });
  });
  it('keeps the original error as its cause', () => {
    const original = withCode('ECONNRESET');
    expect(transportFailure(KIND, original, null).cause).toBe(original);
  });
});
