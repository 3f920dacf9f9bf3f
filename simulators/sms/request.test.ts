import { bearerToken, matchSendPath, parseMsgId, validateSendRequest } from './request';

const body = (fields: Record<string, unknown>) => JSON.stringify({ id: 42, phone: 79001234567, text: 'hi', ...fields });

describe('matchSendPath and parseMsgId', () => {
  it.each([
    ['/v1/send/42', '42'],
    ['/v1/send/abc', 'abc'],
    ['/v1/send/', null],
    ['/v1/send/42/extra', null],
    ['/v2/send/42', null],
  ])('%s → %s', (path, segment) => expect(matchSendPath(path)).toBe(segment));

  it.each([
    ['42', 42],
    ['4503599627370496', 2 ** 52],
    ['0', null],
    ['042', null],
    ['-1', null],
    ['1.5', null],
    ['99999999999999999', null],
    ['abc', null],
  ])('msgId %j → %s', (segment, id) => expect(parseMsgId(segment)).toBe(id));
});

describe('validateSendRequest', () => {
  it('accepts the contract body whose id matches the path', () => {
    expect(validateSendRequest(42, body({}))).toEqual({ ok: true, body: { id: 42, phone: 79001234567, text: 'hi' } });
  });

  it('says id-mismatch when the body id differs from the path', () => {
    expect(validateSendRequest(43, body({}))).toMatchObject({ ok: false, reason: 'id-mismatch' });
  });

  it.each([
    ['not JSON', '{id:', 'invalid-json'],
    ['an array', '[]', 'invalid-body'],
    ['id as a string', body({ id: '42' }), 'invalid-body'],
    ['fractional id', body({ id: 42.5 }), 'invalid-body'],
    ['phone as a string', body({ phone: '79001234567' }), 'invalid-body'],
    ['a short phone', body({ phone: 12345 }), 'invalid-body'],
    ['missing text', JSON.stringify({ id: 42, phone: 79001234567 }), 'invalid-body'],
    ['empty text', body({ text: '' }), 'invalid-body'],
    ['oversized text', body({ text: 'x'.repeat(4097) }), 'invalid-body'],
  ])('rejects %s', (_name, raw, reason) => {
    expect(validateSendRequest(42, raw)).toMatchObject({ ok: false, reason });
  });
});

describe('bearerToken', () => {
  it.each([
    ['Bearer abc.def.ghi', 'abc.def.ghi'],
    ['bearer   abc', 'abc'],
    ['Basic abc', null],
    ['Bearer', null],
    [undefined, null],
  ])('%j → %s', (header, token) => expect(bearerToken(header)).toBe(token));
});
