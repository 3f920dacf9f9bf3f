import { classifyReply, classifySmtpError } from './classify';

const smtpError = (fields: { code?: string; responseCode?: number; cause?: unknown; timeoutType?: string; command?: string; originalCode?: string }) =>
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
  it.each(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ETLS', 'ECONNREFUSED'])('%s', (code) => {
    const result = classifySmtpError(smtpError({ code }));
    expect(result).toMatchObject({ kind: 'retriable', code: 'PROVIDER_UNAVAILABLE' });
    expect(result.kind === 'retriable' && result.ambiguous).toBeFalsy();
  });
  // The shapes nodemailer 10 gives, seen against a refusing port, a silent server and a closing pool.
  it.each([
    ['refused', { code: 'ESOCKET', command: 'CONN', originalCode: 'ECONNREFUSED' }],
    ['no greeting', { code: 'ETIMEDOUT', command: 'CONN', timeoutType: 'GREETING_TIMEOUT' }],
    ['the pool could not connect', { code: 'ECONNECTION' }],
  ])('%s: never reached the server, not ambiguous', (_name, fields) => {
    const result = classifySmtpError(smtpError(fields));
    expect(result.kind === 'retriable' && !result.ambiguous).toBe(true);
  });
  it('an unknown wrapper code with a socket cause', () => {
    expect(classifySmtpError(smtpError({ code: 'EWHATEVER', cause: { code: 'ECONNREFUSED' } })).kind).toBe('retriable');
  });
});

describe('classifySmtpError: lost during an open session → ambiguous (the reply to "." may be what was lost)', () => {
  it.each([
    ['silent after a command', { code: 'ETIMEDOUT', command: 'CONN', timeoutType: 'SOCKET_TIMEOUT' }],
    ['closed by the server', { code: 'ECONNECTION', command: 'CONN' }],
    ['reset', { code: 'ESOCKET', command: 'CONN', originalCode: 'ECONNRESET' }],
    ['broken pipe', { code: 'EPIPE' }],
  ])('%s', (_name, fields) => {
    expect(classifySmtpError(smtpError(fields))).toMatchObject({ kind: 'retriable', code: 'PROVIDER_UNAVAILABLE', ambiguous: true });
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
