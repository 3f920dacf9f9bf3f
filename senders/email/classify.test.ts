import { classifyReply, classifySmtpError } from './classify';

const smtpError = (fields: { code?: string; responseCode?: number; cause?: unknown }) =>
  Object.assign(new Error('text that must not matter: 550 permanent!'), fields);

describe('classifySmtpError: the server answered 4xx → retriable', () => {
  it.each([421, 450, 451, 452])('%i', (responseCode) => {
    expect(classifySmtpError(smtpError({ code: 'EENVELOPE', responseCode }))).toMatchObject({ kind: 'retriable', code: 'PROVIDER_UNAVAILABLE' });
  });
});

describe('classifySmtpError: the server answered 5xx → permanent', () => {
  it.each([550, 551, 552, 553, 554])('%i', (responseCode) => {
    expect(classifySmtpError(smtpError({ code: 'EENVELOPE', responseCode }))).toMatchObject({ kind: 'permanent', code: 'PROVIDER_REJECTED' });
  });
  it('a 5xx after DATA (EMESSAGE) too', () => {
    expect(classifySmtpError(smtpError({ code: 'EMESSAGE', responseCode: 554 })).kind).toBe('permanent');
  });
});

describe('classifySmtpError: no answer from the server → retriable', () => {
  it.each(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ETLS', 'ECONNREFUSED', 'ECONNRESET'])('%s', (code) => {
    expect(classifySmtpError(smtpError({ code }))).toMatchObject({ kind: 'retriable', code: 'PROVIDER_UNAVAILABLE' });
  });
  it('an unknown wrapper code with a socket cause', () => {
    expect(classifySmtpError(smtpError({ code: 'EWHATEVER', cause: { code: 'ECONNREFUSED' } })).kind).toBe('retriable');
  });
});

describe('classifySmtpError: our configuration → retriable even on 5xx', () => {
  it.each([['EAUTH', 535], ['ENOAUTH', undefined]] as const)('%s', (code, responseCode) => {
    expect(classifySmtpError(smtpError({ code, responseCode })).kind).toBe('retriable');
  });
});

describe('classifySmtpError: a message that cannot be sent → permanent', () => {
  it.each(['EENVELOPE', 'EMESSAGE', 'EMAXRECIPIENTS'])('%s without a reply code', (code) => {
    expect(classifySmtpError(smtpError({ code })).kind).toBe('permanent');
  });
  it('a programmer error', () => {
    expect(classifySmtpError(new TypeError('x is undefined'))).toMatchObject({ kind: 'permanent', code: 'INTERNAL' });
  });
});

describe('classifySmtpError: unknown → retriable, never by text', () => {
  it('an error with no code, whatever its message says', () => {
    expect(classifySmtpError(new Error('550 5.1.1 user unknown')).kind).toBe('retriable');
  });
  it('not an error at all', () => {
    expect(classifySmtpError(undefined).kind).toBe('retriable');
  });
});

describe('classifyReply', () => {
  it('a reply code outside 4xx/5xx is a bad response', () => {
    expect(classifyReply(250)).toMatchObject({ kind: 'retriable', code: 'PROVIDER_BAD_RESPONSE' });
  });
});
