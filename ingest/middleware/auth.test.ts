import jwt from 'jsonwebtoken';
import request from 'supertest';
import { JWT_SECRET, KEYS, bearer, createTestApp, userToken } from '../../tests/doubles/test-app';
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
    expect(count('admin')).toBe(16);
    expect(count('stats')).toBe(5); // + GET /api/notifications, /api/notifications/{id} (the broadcast history)
    expect(count('service')).toBe(3);
    expect(count('user')).toBe(3);
    expect(operations).toHaveLength(27);
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

  it('maps a key to its roles with a fingerprint id, never the key', () => {
    const principal = authenticate('Bearer k1');
    expect(principal).toMatchObject({ kind: 'apiKey', roles: ['stats'] });
    expect(principal.id).not.toContain('k1');
  });

  it('maps a user JWT to the user role with the subject as id', () => {
    expect(authenticate(bearer(userToken('c-9')))).toEqual({ kind: 'user', id: 'c-9', roles: ['user'] });
  });

  it.each([
    ['an expired JWT', jwt.sign({ sub: 'c-1', exp: Math.floor(Date.now() / 1000) - 60 }, JWT_SECRET)],
    ['a JWT without subject', jwt.sign({ name: 'x' }, JWT_SECRET)],
    ['an unsigned JWT', jwt.sign({ sub: 'c-1' }, '', { algorithm: 'none' })],
    ['garbage', 'a.b.c'],
  ])('refuses %s', (_case, token) => {
    expect(() => authenticate(bearer(token))).toThrow(expect.objectContaining({ code: 'UNAUTHORIZED' }));
  });

  it('gives admin keys every API-key role but not the user role', () => {
    const admin = { kind: 'apiKey' as const, id: 'k', roles: ['admin'] };
    expect(['admin', 'stats', 'service'].every((r) => hasRole(admin, r as 'admin'))).toBe(true);
    expect(hasRole(admin, 'user')).toBe(false);
  });
});
