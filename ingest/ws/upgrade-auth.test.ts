import { createAuthenticator } from '../middleware/auth';
import { nowS, signHs256 } from '../../tests/doubles/test-app';
import { authenticateUpgrade, refusalResponse } from './upgrade-auth';

const secret = 'unit-test-secret-0123456789';
const authenticate = createAuthenticator({ apiKeys: [{ key: 'svc-key', roles: ['service'] }], jwtSecret: secret });
const exp = nowS() + 60;
const validUntil = (exp + 30) * 1000;
const userToken = (sub: string, key = secret) => signHs256({ sub, exp }, key);
const request = (url: string, authorization?: string) => ({ url, headers: authorization ? { authorization } : {} });

describe('authenticateUpgrade', () => {
  it('accepts a user JWT in the Authorization header, with the instant it stops verifying', async () => {
    expect(await authenticateUpgrade(authenticate, request('/ws', `Bearer ${userToken('u-1')}`))).toEqual({ ok: true, userId: 'u-1', validUntil });
  });

  it('accepts a user JWT in ?token= (browsers cannot set headers on a websocket)', async () => {
    expect(await authenticateUpgrade(authenticate, request(`/ws?token=${userToken('u-2')}`))).toEqual({ ok: true, userId: 'u-2', validUntil });
  });

  it('prefers the header over the query', async () => {
    const result = await authenticateUpgrade(authenticate, request(`/ws?token=${userToken('u-q')}`, `Bearer ${userToken('u-h')}`));
    expect(result).toEqual({ ok: true, userId: 'u-h', validUntil });
  });

  it.each([
    ['no token', request('/ws'), 'missing bearer token'],
    ['an empty query token', request('/ws?token='), 'missing bearer token'],
    ['a token signed with another secret', request(`/ws?token=${userToken('u-1', 'another-secret-0123456789')}`), 'invalid token'],
    ['garbage', request('/ws', 'Bearer not.a.jwt'), 'invalid token'],
    ['a JWT without subject', request(`/ws?token=${signHs256({ exp }, secret)}`), 'invalid token: no subject'],
    ['a JWT without exp', request(`/ws?token=${signHs256({ sub: 'u-1' }, secret)}`), 'token has no expiry (exp)'],
    ['an expired JWT', request(`/ws?token=${signHs256({ sub: 'u-1', exp: nowS() - 60 }, secret)}`), 'token expired'],
    ['an API key (not a user)', request('/ws', 'Bearer svc-key'), 'a user token is required'],
  ])('refuses %s with 401', async (_case, req, message) => {
    expect(await authenticateUpgrade(authenticate, req)).toEqual({ ok: false, status: 401, message });
  });

  it('answers 404 for another path', async () => {
    expect(await authenticateUpgrade(authenticate, request(`/api/ws?token=${userToken('u-1')}`))).toMatchObject({ ok: false, status: 404 });
  });

  it('answers 503 when the keys cannot be fetched (a JWKS outage is not the user\'s fault)', async () => {
    const unavailable = async () => {
      throw Object.assign(new Error('jwks down'), { code: 'DEPENDENCY_UNAVAILABLE' });
    };
    expect(await authenticateUpgrade(unavailable, request(`/ws?token=${userToken('u-1')}`))).toEqual({ ok: false, status: 503, message: 'try again later' });
  });
});

describe('refusalResponse', () => {
  it('is a complete HTTP response with a JSON error body of the right length', () => {
    const raw = refusalResponse(401, 'invalid token');
    const [head, body] = raw.split('\r\n\r\n') as [string, string];
    expect(head.split('\r\n')[0]).toBe('HTTP/1.1 401 Unauthorized');
    expect(head).toContain(`Content-Length: ${Buffer.byteLength(body)}`);
    expect(head).toContain('WWW-Authenticate: Bearer');
    expect(JSON.parse(body)).toEqual({ error: { code: 'UNAUTHORIZED', message: 'invalid token' } });
  });

  it('a 429 says when to retry, in Retry-After and in the error details', () => {
    const raw = refusalResponse(429, 'too many connection attempts', 17);
    const [head, body] = raw.split('\r\n\r\n') as [string, string];
    expect(head.split('\r\n')[0]).toBe('HTTP/1.1 429 Too Many Requests');
    expect(head).toContain('Retry-After: 17');
    expect(head).toContain(`Content-Length: ${Buffer.byteLength(body)}`);
    expect(JSON.parse(body)).toEqual({ error: { code: 'RATE_LIMITED', message: 'too many connection attempts', details: { retryAfterSeconds: 17 } } });
  });
});
