import { classifyError, classifyResponse } from './classify';

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

describe('a transport error becomes a SendResult (the rule itself: platform/http/transport-errors.test.ts)', () => {
  it.each([
    [Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), { kind: 'retriable', code: 'PROVIDER_UNAVAILABLE', reason: 'ECONNREFUSED: connection refused' }],
    [new TypeError('x is not a function'), { kind: 'permanent', code: 'INTERNAL', reason: 'TypeError while calling the provider' }],
  ])('%#', (error, expected) => {
    expect(classifyError(error)).toEqual(expected);
  });
});
