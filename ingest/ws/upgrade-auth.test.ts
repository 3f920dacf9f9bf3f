import jwt from 'jsonwebtoken';
import { createAuthenticator } from '../middleware/auth';
import { authenticateUpgrade, refusalResponse } from './upgrade-auth';

const secret = 'unit-test-secret-0123456789';
const authenticate = createAuthenticator({ apiKeys: [{ key: 'svc-key', roles: ['service'] }], jwtSecret: secret });
const userToken = (sub: string, key = secret) => jwt.sign({ sub }, key, { algorithm: 'HS256', expiresIn: 60 });
const request = (url: string, authorization?: string) => ({ url, headers: authorization ? { authorization } : {} });

describe('authenticateUpgrade', () => {
  it('accepts a user JWT in the Authorization header', () => {
    expect(authenticateUpgrade(authenticate, request('/ws', `Bearer ${userToken('u-1')}`))).toEqual({ ok: true, userId: 'u-1' });
  });

  it('accepts a user JWT in ?token= (browsers cannot set headers on a websocket)', () => {
    expect(authenticateUpgrade(authenticate, request(`/ws?token=${userToken('u-2')}`))).toEqual({ ok: true, userId: 'u-2' });
  });

  it('prefers the header over the query', () => {
    const result = authenticateUpgrade(authenticate, request(`/ws?token=${userToken('u-q')}`, `Bearer ${userToken('u-h')}`));
    expect(result).toEqual({ ok: true, userId: 'u-h' });
  });

  it.each([
    ['no token', request('/ws'), 'missing bearer token'],
    ['an empty query token', request('/ws?token='), 'missing bearer token'],
    ['a token signed with another secret', request(`/ws?token=${userToken('u-1', 'another-secret-0123456789')}`), 'invalid token'],
    ['garbage', request('/ws', 'Bearer not.a.jwt'), 'invalid token'],
    ['a JWT without subject', request(`/ws?token=${jwt.sign({}, secret)}`), 'invalid token'],
    ['an expired JWT', request(`/ws?token=${jwt.sign({ sub: 'u-1', exp: Math.floor(Date.now() / 1000) - 60 }, secret)}`), 'invalid token'],
    ['an API key (not a user)', request('/ws', 'Bearer svc-key'), 'a user token is required'],
  ])('refuses %s with 401', (_case, req, message) => {
    expect(authenticateUpgrade(authenticate, req)).toEqual({ ok: false, status: 401, message });
  });

  it('answers 404 for another path', () => {
    expect(authenticateUpgrade(authenticate, request(`/api/ws?token=${userToken('u-1')}`))).toMatchObject({ ok: false, status: 404 });
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
