import { errors as undiciErrors } from 'undici';
import { classifyError, classifyResponse } from './classify';

const systemError = (code: string) => Object.assign(new Error(`${code} happened`), { code });

describe('sent', () => {
  it('200 with {"code":0} is sent, echoing our msgId as the provider id', () => {
    expect(classifyResponse({ status: 200, body: '{"code":0,"message":"OK"}', msgId: 42 })).toEqual({ kind: 'sent', providerMessageId: '42' });
  });
  it('any 2xx is read by its body', () => {
    expect(classifyResponse({ status: 201, body: '{"code":0}' })).toEqual({ kind: 'sent' });
  });
});

describe('retriable: provider unavailable (status)', () => {
  it.each([500, 502, 503, 504, 599, 408, 425, 429])('http %d', (status) => {
    expect(classifyResponse({ status, body: '' })).toEqual({ kind: 'retriable', code: 'PROVIDER_UNAVAILABLE', reason: `http ${status}` });
  });
  it('keeps a Retry-After in seconds', () => {
    expect(classifyResponse({ status: 429, body: '', retryAfter: '7' })).toMatchObject({ retryAfterMs: 7000 });
    expect(classifyResponse({ status: 503, body: '', retryAfter: ['2', '9'] })).toMatchObject({ retryAfterMs: 2000 });
  });
  it('ignores a Retry-After that is a date', () => {
    expect(classifyResponse({ status: 503, body: '', retryAfter: 'Wed, 21 Oct 2015 07:28:00 GMT' })).not.toHaveProperty('retryAfterMs');
  });
});

describe('retriable: unusable answer on a 2xx', () => {
  it.each([
    ['garbage', '<html>oops</html>', 'PROVIDER_BAD_RESPONSE'],
    ['empty', '', 'PROVIDER_BAD_RESPONSE'],
    ['JSON without code', '{"message":"OK"}', 'PROVIDER_BAD_RESPONSE'],
    ['code as a string', '{"code":"0"}', 'PROVIDER_BAD_RESPONSE'],
    ['JSON null', 'null', 'PROVIDER_BAD_RESPONSE'],
    ['a non-zero body code', '{"code":1,"message":"FAIL"}', 'PROVIDER_REJECTED'],
  ])('%s', (_name, body, code) => {
    expect(classifyResponse({ status: 200, body })).toMatchObject({ kind: 'retriable', code });
  });
  it.each([302, 304, 101])('unexpected http %d', (status) => {
    expect(classifyResponse({ status, body: '' })).toMatchObject({ kind: 'retriable', code: 'PROVIDER_BAD_RESPONSE' });
  });
});

describe('permanent: the provider refused this request', () => {
  it.each([400, 401, 403, 404, 409, 413, 422])('http %d', (status) => {
    expect(classifyResponse({ status, body: '{"code":0}' })).toEqual({ kind: 'permanent', code: 'PROVIDER_REJECTED', reason: `http ${status}` });
  });
});

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
    expect(classifyError(error)).toMatchObject({ kind: 'retriable', code: 'PROVIDER_UNAVAILABLE' });
  });

  it('looks through a wrapper to the code underneath', () => {
    const wrapped = new TypeError('fetch failed', { cause: systemError('ECONNREFUSED') });
    expect(classifyError(wrapped)).toEqual({ kind: 'retriable', code: 'PROVIDER_UNAVAILABLE', reason: 'ECONNREFUSED: connection refused' });
  });

  it('an unknown error without a code is retried', () => {
    expect(classifyError(new Error('something odd'))).toMatchObject({ kind: 'retriable', code: 'PROVIDER_UNAVAILABLE' });
    expect(classifyError('a string was thrown')).toMatchObject({ kind: 'retriable' });
  });

  it('a response too large to read is a bad response', () => {
    expect(classifyError(new undiciErrors.ResponseExceededMaxSizeError())).toMatchObject({ kind: 'retriable', code: 'PROVIDER_BAD_RESPONSE' });
  });
});

describe('permanent: programmer errors', () => {
  it.each([
    ['undici invalid argument', new undiciErrors.InvalidArgumentError('bad header')],
    ['TypeError', new TypeError('x is not a function')],
    ['RangeError', new RangeError('out of range')],
  ])('%s', (_name, error) => {
    expect(classifyError(error)).toMatchObject({ kind: 'permanent', code: 'INTERNAL' });
  });

  it('decides by class and code, never by message text', () => {
    expect(classifyError(new TypeError('connect ECONNREFUSED 127.0.0.1:80'))).toMatchObject({ kind: 'permanent' });
  });
});
