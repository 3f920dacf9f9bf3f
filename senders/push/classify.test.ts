import { ambiguous } from '../policy/send-result';
import { TokenOutcome, classifyTokenResponse, combineTokenOutcomes, readFcmError } from './classify';

/** Google's error body as FCM HTTP v1 sends it, written out here rather than imported from the simulator. */
function fcmError(code: number, errorCode: string, message: string, badField?: string) {
  const details: object[] = [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode }];
  if (badField) details.push({ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field: badField, description: message }] });
  return { error: { code, message, status: 'X', details } };
}

const body = (value: unknown) => JSON.stringify(value);
const accepted = (name: string): TokenOutcome => ({ kind: 'accepted', name });
const dead: TokenOutcome = { kind: 'invalid-token', errorCode: 'UNREGISTERED' };
const unavailable = (retryAfterMs?: number): TokenOutcome => ({
  kind: 'failed',
  result: retryAfterMs === undefined
    ? { kind: 'retriable', code: 'PROVIDER_UNAVAILABLE', reason: 'http 503 UNAVAILABLE' }
    : { kind: 'retriable', code: 'PROVIDER_UNAVAILABLE', reason: 'http 429 QUOTA_EXCEEDED', retryAfterMs },
});
const rejected: TokenOutcome = { kind: 'failed', result: { kind: 'permanent', code: 'PROVIDER_REJECTED', reason: 'http 401 THIRD_PARTY_AUTH_ERROR' } };

describe('token accepted', () => {
  it('200 with a message name', () => {
    expect(classifyTokenResponse({ status: 200, body: body({ name: 'projects/p/messages/1' }) })).toEqual(accepted('projects/p/messages/1'));
  });
  it.each([
    ['not JSON', '<html>ok</html>'],
    ['no name', body({ id: 1 })],
    ['an empty name', body({ name: '' })],
    ['JSON null', 'null'],
  ])('a 200 with %s is a bad response, retriable', (_name, text) => {
    expect(classifyTokenResponse({ status: 200, body: text })).toMatchObject({ kind: 'failed', result: { kind: 'retriable', code: 'PROVIDER_BAD_RESPONSE' } });
  });
});

describe('token invalid (remove it, never retry it)', () => {
  it('404 UNREGISTERED', () => {
    const text = body({ error: { code: 404, status: 'NOT_FOUND', details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: 'UNREGISTERED' }] } });
    expect(classifyTokenResponse({ status: 404, body: text })).toEqual({ kind: 'invalid-token', errorCode: 'UNREGISTERED' });
  });
  it('400 INVALID_ARGUMENT naming message.token', () => {
    const text = body(fcmError(400, 'INVALID_ARGUMENT', 'bad token', 'message.token'));
    expect(classifyTokenResponse({ status: 400, body: text })).toEqual({ kind: 'invalid-token', errorCode: 'INVALID_ARGUMENT' });
  });
  it('403 SENDER_ID_MISMATCH: a token of another project', () => {
    const text = body({ error: { code: 403, status: 'PERMISSION_DENIED', details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: 'SENDER_ID_MISMATCH' }] } });
    expect(classifyTokenResponse({ status: 403, body: text })).toEqual({ kind: 'invalid-token', errorCode: 'SENDER_ID_MISMATCH' });
  });
});

describe('retriable: the provider, not the token', () => {
  it.each([500, 502, 503, 504, 408, 429])('http %d', (status) => {
    expect(classifyTokenResponse({ status, body: '' })).toEqual({ kind: 'failed', result: { kind: 'retriable', code: 'PROVIDER_UNAVAILABLE', reason: `http ${status}` } });
  });
  it('names the FCM errorCode and keeps a Retry-After in seconds', () => {
    const text = body(fcmError(429, 'QUOTA_EXCEEDED', 'slow down'));
    expect(classifyTokenResponse({ status: 429, body: text, retryAfter: '30' })).toEqual({
      kind: 'failed', result: { kind: 'retriable', code: 'PROVIDER_UNAVAILABLE', reason: 'http 429 QUOTA_EXCEEDED', retryAfterMs: 30_000 },
    });
  });
  it('an UNREGISTERED-looking text without the structured detail is not a dead token', () => {
    const text = body({ error: { code: 503, message: 'UNREGISTERED', status: 'UNAVAILABLE' } });
    expect(classifyTokenResponse({ status: 503, body: text })).toMatchObject({ kind: 'failed', result: { kind: 'retriable' } });
  });
  it.each([302, 101])('unexpected http %d', (status) => {
    expect(classifyTokenResponse({ status, body: '' })).toMatchObject({ kind: 'failed', result: { kind: 'retriable', code: 'PROVIDER_BAD_RESPONSE' } });
  });
});

describe('permanent: the message or the credentials are wrong (for every token alike)', () => {
  it('400 INVALID_ARGUMENT naming another field', () => {
    const text = body(fcmError(400, 'INVALID_ARGUMENT', 'bad', 'message.notification'));
    expect(classifyTokenResponse({ status: 400, body: text })).toEqual({ kind: 'failed', result: { kind: 'permanent', code: 'PROVIDER_REJECTED', reason: 'http 400 INVALID_ARGUMENT' } });
  });
  it.each([401, 403, 404, 413])('http %d without a token verdict', (status) => {
    expect(classifyTokenResponse({ status, body: 'nope' })).toEqual({ kind: 'failed', result: { kind: 'permanent', code: 'PROVIDER_REJECTED', reason: `http ${status}` } });
  });
});

describe('readFcmError', () => {
  it('reads the errorCode and every bad field', () => {
    expect(readFcmError(body(fcmError(400, 'INVALID_ARGUMENT', 'x', 'message.token')))).toEqual({ errorCode: 'INVALID_ARGUMENT', badFields: ['message.token'] });
  });
  it.each(['', 'null', '{"error":{"details":"x"}}', '{"error":{"details":[null,1,{"@type":"other"}]}}'])('tolerates %j', (text) => {
    expect(readFcmError(text)).toEqual({ errorCode: null, badFields: [] });
  });
});

describe('combineTokenOutcomes', () => {
  it('one accepted token makes the command sent, and dead ones are still reported', () => {
    expect(combineTokenOutcomes([{ token: 'a', outcome: dead }, { token: 'b', outcome: accepted('n-b') }])).toEqual({
      result: { kind: 'sent', providerMessageId: 'n-b' }, invalidTokens: ['a'],
    });
  });
  it('accepted beats a retriable failure on another token (no repeat push to the devices that got it)', () => {
    expect(combineTokenOutcomes([{ token: 'a', outcome: unavailable() }, { token: 'b', outcome: accepted('n-b') }]).result).toEqual({ kind: 'sent', providerMessageId: 'n-b' });
  });
  it('every token dead is permanent PROVIDER_REJECTED with all of them reported', () => {
    expect(combineTokenOutcomes([{ token: 'a', outcome: dead }, { token: 'b', outcome: dead }])).toEqual({
      result: { kind: 'permanent', code: 'PROVIDER_REJECTED', reason: 'all 2 device tokens are unregistered or invalid' }, invalidTokens: ['a', 'b'],
    });
  });
  it('a retriable failure beats dead tokens, keeping the longest Retry-After', () => {
    const combined = combineTokenOutcomes([
      { token: 'a', outcome: unavailable(1000) }, { token: 'b', outcome: dead }, { token: 'c', outcome: unavailable(5000) },
    ]);
    expect(combined).toEqual({
      result: { kind: 'retriable', code: 'PROVIDER_UNAVAILABLE', reason: 'http 429 QUOTA_EXCEEDED (and 1 more tokens)', retryAfterMs: 5000 },
      invalidTokens: ['b'],
    });
  });
  it('one token written without an answer makes the command ambiguous: a retry would reach that device again', () => {
    const noAnswer: TokenOutcome = { kind: 'failed', result: ambiguous('PROVIDER_UNAVAILABLE', 'no answer within 300 ms after the request was sent') };
    expect(combineTokenOutcomes([{ token: 'a', outcome: unavailable(1000) }, { token: 'b', outcome: noAnswer }]).result).toEqual({
      kind: 'retriable', code: 'PROVIDER_UNAVAILABLE', reason: 'no answer within 300 ms after the request was sent (and 1 more tokens)', ambiguous: true,
    });
  });
  it('a retriable failure beats a permanent one', () => {
    expect(combineTokenOutcomes([{ token: 'a', outcome: rejected }, { token: 'b', outcome: unavailable() }]).result.kind).toBe('retriable');
  });
  it('a permanent failure of the message is reported as it is', () => {
    expect(combineTokenOutcomes([{ token: 'a', outcome: rejected }, { token: 'b', outcome: dead }])).toEqual({
      result: { kind: 'permanent', code: 'PROVIDER_REJECTED', reason: 'http 401 THIRD_PARTY_AUTH_ERROR' }, invalidTokens: ['b'],
    });
  });
});
