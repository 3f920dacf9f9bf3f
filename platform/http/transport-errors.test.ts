import { errors as undiciErrors } from 'undici';
import { classifyTransportError } from './transport-errors';

const systemError = (code: string) => Object.assign(new Error(`${code} happened`), { code });

describe('retriable: network and timeout errors', () => {
  it.each([
    ['connection refused', systemError('ECONNREFUSED')],
    ['connection reset', systemError('ECONNRESET')],
    ['dns failure', systemError('EAI_AGAIN')],
    ['connect timeout', new undiciErrors.ConnectTimeoutError()],
    ['headers timeout', new undiciErrors.HeadersTimeoutError()],
    ['body timeout', new undiciErrors.BodyTimeoutError()],
    ['socket closed', new undiciErrors.SocketError('other side closed')],
    ['pool closed on shutdown', new undiciErrors.ClientClosedError()],
    ['aborted', new undiciErrors.RequestAbortedError()],
  ])('%s', (_name, error) => {
    expect(classifyTransportError(error)).toMatchObject({ retriable: true, code: 'PROVIDER_UNAVAILABLE' });
  });

  it('looks through a wrapper to the code underneath', () => {
    const wrapped = new TypeError('fetch failed', { cause: systemError('ECONNREFUSED') });
    expect(classifyTransportError(wrapped)).toEqual({ retriable: true, code: 'PROVIDER_UNAVAILABLE', reason: 'ECONNREFUSED: connection refused' });
  });

  it('an unknown error without a code is retried', () => {
    expect(classifyTransportError(new Error('something odd'))).toMatchObject({ retriable: true, code: 'PROVIDER_UNAVAILABLE' });
    expect(classifyTransportError('a string was thrown')).toMatchObject({ retriable: true });
  });

  it('a response too large to read is a bad response', () => {
    expect(classifyTransportError(new undiciErrors.ResponseExceededMaxSizeError())).toMatchObject({ retriable: true, code: 'PROVIDER_BAD_RESPONSE' });
  });
});

describe('permanent: programmer errors', () => {
  it.each([
    ['undici invalid argument', new undiciErrors.InvalidArgumentError('bad header')],
    ['TypeError', new TypeError('x is not a function')],
    ['RangeError', new RangeError('out of range')],
  ])('%s', (_name, error) => {
    expect(classifyTransportError(error)).toMatchObject({ retriable: false, code: 'INTERNAL' });
  });

  it('decides by class and code, never by message text', () => {
    expect(classifyTransportError(new TypeError('connect ECONNREFUSED 127.0.0.1:80'))).toMatchObject({ retriable: false });
  });
});
