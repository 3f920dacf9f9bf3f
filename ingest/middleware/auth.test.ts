import { createHmac } from 'node:crypto';
import request from 'supertest';
import { JWT_SECRET, KEYS, bearer, createTestApp, nowS, signHs256, userToken } from '../../tests/doubles/test-app';
import { createAuthenticator, hasRole } from './auth';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
interface Operation { method: Method; path: string; role: string }

/** Every protected operation, read from the OpenAPI document so a new route cannot escape the table. */
async function protectedOperations(): Promise<Operation[]> {
  const { app } = createTestApp();
  const doc = (await request(app.callback()).get('/openapi.json').expect(200)).body;
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries<Record<string, { security?: unknown; 'x-required-role'?: string }>>(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!op.security) continue;
      const role = op['x-required-role'] ?? '?';
      operations.push({ method: method as Method, path: path.replace(/\{\w+\}/g, 'x'), role });
    }
  }
  return operations;
}

/** A key that lacks `role` (admin has every API-key role). */
const keyWithout = (role: string) => (role === 'stats' ? KEYS.service : KEYS.stats);

/** Tokens that must get 403 on a route of `role`: user routes (/api/me) take only a user's JWT, never a key. */
const tokensWithout = (role: string) =>
  role === 'user' ? [KEYS.admin, KEYS.service, KEYS.stats, KEYS.none] : [keyWithout(role), KEYS.none, userToken('c-1')];

describe('auth on every protected route', () => {
  let operations: Operation[];
  beforeAll(async () => {
    operations = await protectedOperations();
  });

  it('covers the admin, stats, service and user routes', () => {
    const count = (role: string) => operations.filter((o) => o.role === role).length;
    // + POST /api/mailings/{id}/resend (the dead-letter routes need Kafka: integration); + the console's audience,
    // delivery log, template preview and test send
    expect(count('admin')).toBe(21);
    // + GET /api/notifications, /api/notifications/{id} (the broadcast history), /api/stats/overview
    expect(count('stats')).toBe(6);
    expect(count('service')).toBe(3);
    expect(count('user')).toBe(3);
    expect(operations).toHaveLength(33);
  });

  it.each([
    ['no Authorization header', undefined],
    ['an unknown key', bearer('wrong-key')],
    ['a Basic credential', `Basic ${Buffer.from(`${KEYS.admin}:`).toString('base64')}`],
    ['a JWT signed with another secret', bearer(userToken('c-1', 'another-secret-of-16-chars'))],
  ])('answers 401 to %s', async (_case, authorization) => {
    const { app } = createTestApp();
    for (const op of operations) {
      const req = request(app.callback())[op.method](op.path);
      const res = await (authorization ? req.set('Authorization', authorization) : req).send({});
      expect([op.method, op.path, res.status, res.body.error?.code]).toEqual([op.method, op.path, 401, 'UNAUTHORIZED']);
      expect(res.headers['www-authenticate']).toBe('Bearer');
    }
  });

  it('answers 403 to a key without the role, to a user JWT on key routes, and to any key on user routes', async () => {
    const { app } = createTestApp();
    for (const op of operations) {
      for (const token of tokensWithout(op.role)) {
        const res = await request(app.callback())[op.method](op.path).set('Authorization', bearer(token)).send({});
        expect([op.method, op.path, res.status, res.body.error?.code]).toEqual([op.method, op.path, 403, 'FORBIDDEN']);
      }
    }
  });

  it('lets an admin key through every route but the users\' own', async () => {
    const { app } = createTestApp();
    for (const op of operations.filter((o) => o.role !== 'user')) {
      const res = await request(app.callback())[op.method](op.path).set('Authorization', bearer(KEYS.admin)).send({});
      expect([op.path, res.status]).not.toEqual([op.path, 401]);
      expect([op.path, res.status]).not.toEqual([op.path, 403]);
    }
  });
});

describe('createAuthenticator', () => {
  const authenticate = createAuthenticator({ apiKeys: [{ key: 'k1', roles: ['stats'] }], jwtSecret: JWT_SECRET });

  it('maps a key to its roles with a fingerprint id, never the key', async () => {
    const principal = await authenticate('Bearer k1');
    expect(principal).toMatchObject({ kind: 'apiKey', roles: ['stats'] });
    expect(principal.id).not.toContain('k1');
  });

  it('maps a user JWT to the user role with the subject as id, valid until exp + the skew', async () => {
    const exp = nowS() + 600;
    expect(await authenticate(bearer(signHs256({ sub: 'c-9', exp }, JWT_SECRET)))).toEqual({
      kind: 'user', id: 'c-9', roles: ['user'], validUntil: (exp + 30) * 1000,
    });
  });

  it('measures expiry on its own clock', async () => {
    const exp = nowS() + 600;
    const later = createAuthenticator({ apiKeys: [], jwtSecret: JWT_SECRET, clockToleranceS: 5 }, { now: () => (exp + 6) * 1000 });
    await expect(later(bearer(signHs256({ sub: 'c', exp }, JWT_SECRET)))).rejects.toMatchObject({ message: 'token expired' });
  });

  it('refuses garbage and a JWT without subject', async () => {
    await expect(authenticate(bearer('a.b.c'))).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(authenticate(bearer(signHs256({ exp: nowS() + 60 }, JWT_SECRET)))).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('gives admin keys every API-key role but not the user role', () => {
    const admin = { kind: 'apiKey' as const, id: 'k', roles: ['admin'] };
    expect(['admin', 'stats', 'service'].every((r) => hasRole(admin, r as 'admin'))).toBe(true);
    expect(hasRole(admin, 'user')).toBe(false);
  });
});

/** A user's JWT at the HTTP API (GET /api/me/notifications), verified by jose: every claim rule, through supertest. */
describe('user JWTs at the API', () => {
  const ISSUER = 'https://id.vestnik.test';
  const AUDIENCE = 'vestnik-api';
  const auth = (extra: object = {}) => ({ apiKeys: [{ key: KEYS.admin, roles: ['admin'] }], jwtSecret: JWT_SECRET, ...extra });
  const call = async (token: string, extra: object = {}) => {
    const { app } = createTestApp({ auth: auth(extra) });
    return request(app.callback()).get('/api/me/notifications').set('Authorization', bearer(token));
  };
  const claims = (extra: object = {}) => ({ sub: 'c-1', exp: nowS() + 600, ...extra });

  it('accepts a signed token with sub and exp', async () => {
    expect((await call(signHs256(claims(), JWT_SECRET))).status).toBe(200);
  });

  it.each<[string, () => string, object, string]>([
    ['a token without exp', () => signHs256({ sub: 'c-1' }, JWT_SECRET), {}, 'token has no expiry (exp)'],
    ['a token expired beyond the skew', () => signHs256(claims({ exp: nowS() - 31 }), JWT_SECRET), {}, 'token expired'],
    ['a token expired beyond a configured skew of 0', () => signHs256(claims({ exp: nowS() - 2 }), JWT_SECRET), { clockToleranceS: 0 }, 'token expired'],
    ['a token not valid yet (nbf) beyond the skew', () => signHs256(claims({ nbf: nowS() + 120 }), JWT_SECRET), {}, 'invalid token: wrong or missing nbf'],
    ['alg none', () => signHs256(claims(), '', { alg: 'none', typ: 'JWT' }).replace(/[^.]*$/, ''), {}, 'invalid token'],
    ['another algorithm than HS256 (HS512)', () => hs512(claims(), JWT_SECRET), {}, 'invalid token'],
    ['a wrong secret', () => signHs256(claims(), 'another-secret-of-16-chars'), {}, 'invalid token'],
    ['a wrong issuer', () => signHs256(claims({ iss: 'https://evil.test', aud: AUDIENCE }), JWT_SECRET), { issuer: ISSUER, audience: AUDIENCE }, 'invalid token: wrong or missing iss'],
    ['no issuer when one is configured', () => signHs256(claims({ aud: AUDIENCE }), JWT_SECRET), { issuer: ISSUER, audience: AUDIENCE }, 'invalid token: wrong or missing iss'],
    ['a wrong audience', () => signHs256(claims({ iss: ISSUER, aud: 'another-api' }), JWT_SECRET), { issuer: ISSUER, audience: AUDIENCE }, 'invalid token: wrong or missing aud'],
  ])('answers 401 to %s, saying why', async (_case, token, extra, message) => {
    const res = await call(token(), extra);
    expect([res.status, res.body.error]).toEqual([401, { code: 'UNAUTHORIZED', message, details: null }]);
  });

  it('accepts a token expired within the skew (30 s by default)', async () => {
    expect((await call(signHs256(claims({ exp: nowS() - 20 }), JWT_SECRET))).status).toBe(200);
  });

  it('accepts the configured issuer and audience (aud may be a list)', async () => {
    const extra = { issuer: ISSUER, audience: AUDIENCE };
    expect((await call(signHs256(claims({ iss: ISSUER, aud: AUDIENCE }), JWT_SECRET), extra)).status).toBe(200);
    expect((await call(signHs256(claims({ iss: ISSUER, aud: ['x', AUDIENCE] }), JWT_SECRET), extra)).status).toBe(200);
  });

  it('ignores iss and aud when none is configured', async () => {
    expect((await call(signHs256(claims({ iss: 'anyone', aud: 'anything' }), JWT_SECRET))).status).toBe(200);
  });
});

/** An HS512 token with the same secret: the right key, an algorithm we do not accept. */
function hs512(claims: object, secret: string): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${part({ alg: 'HS512', typ: 'JWT' })}.${part(claims)}`;
  return `${input}.${createHmac('sha512', secret).update(input).digest('base64url')}`;
}
