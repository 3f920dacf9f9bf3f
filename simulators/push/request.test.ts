import { bearerToken, faultErrorCode, fcmError, matchPushSendPath, validatePushSendRequest } from './request';

const send = (message: unknown) => JSON.stringify({ message });
const good = { token: 'tok_ABC-123:xyz', notification: { title: 'T', body: 'B' } };

describe('matchPushSendPath', () => {
  it('finds the project of a messages:send path', () => {
    expect(matchPushSendPath('/v1/projects/vestnik-dev/messages:send')).toBe('vestnik-dev');
  });
  it.each(['/v1/projects//messages:send', '/v1/projects/p/messages', '/v1/send/1', '/v1/projects/a/b/messages:send'])('no project in %s', (path) => {
    expect(matchPushSendPath(path)).toBeNull();
  });
});

describe('validatePushSendRequest', () => {
  it('accepts a token with a notification, data optional', () => {
    expect(validatePushSendRequest(send(good))).toEqual({ ok: true, body: { token: good.token, title: 'T', body: 'B', data: null } });
    expect(validatePushSendRequest(send({ ...good, data: { k: 'v' } }))).toMatchObject({ ok: true, body: { data: { k: 'v' } } });
  });
  it.each([
    ['not JSON', '{', ''],
    ['no message', '{}', 'message'],
    ['a missing token', send({ notification: good.notification }), 'message.token'],
    ['a token with spaces', send({ ...good, token: 'not a token' }), 'message.token'],
    ['a short token', send({ ...good, token: 'abc' }), 'message.token'],
    ['no notification', send({ token: good.token }), 'message.notification'],
    ['a numeric title', send({ ...good, notification: { title: 1, body: 'B' } }), 'message.notification'],
    ['non-string data', send({ ...good, data: { n: 1 } }), 'message.data'],
  ])('refuses %s, naming the field', (_name, raw, badField) => {
    expect(validatePushSendRequest(raw)).toMatchObject({ ok: false, badField });
  });
});

describe('fcmError', () => {
  it('is Google error shape with the FcmError detail', () => {
    expect(fcmError(404, 'UNREGISTERED', 'gone')).toEqual({
      error: { code: 404, message: 'gone', status: 'NOT_FOUND', details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: 'UNREGISTERED' }] },
    });
  });
  it('adds a BadRequest detail naming the field', () => {
    expect(fcmError(400, 'INVALID_ARGUMENT', 'bad', 'message.token').error.details[1]).toEqual({
      '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field: 'message.token', description: 'bad' }],
    });
  });
  it('maps fault statuses to FCM error codes', () => {
    expect([429, 500, 503].map(faultErrorCode)).toEqual(['QUOTA_EXCEEDED', 'INTERNAL', 'UNAVAILABLE']);
  });
});

describe('bearerToken', () => {
  it.each([['Bearer abc', 'abc'], ['bearer  abc ', 'abc'], ['Basic abc', null], [undefined, null]])('%j → %j', (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });
});
