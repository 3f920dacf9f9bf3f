import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type KeyLike } from 'jose';
import request from 'supertest';
import { createAuthenticator } from '../../ingest/middleware/auth';
import { JWT_SECRET, bearer, createTestApp, nowS, signHs256 } from '../doubles/test-app';

/**
 * Users' JWTs verified against a JWKS fetched over HTTP (JWT_JWKS_URL): a real loopback server serves
 * the public key of an RS256 pair generated here; jose fetches and caches it.
 */
describe('user JWTs verified with a remote JWKS', () => {
  let privateKey: KeyLike;
  let otherKey: KeyLike;
  let server: http.Server;
  let jwksUrl: string;
  let fetches = 0;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    privateKey = pair.privateKey;
    otherKey = (await generateKeyPair('RS256')).privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    server = http.createServer((req, res) => {
      fetches += 1;
      if (req.url !== '/.well-known/jwks.json') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
  });

  const sign = (key: KeyLike, claims: { sub?: string; exp?: number; iss?: string } = {}) => {
    const jwt = new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setSubject(claims.sub ?? 'c-7');
    if (claims.exp !== null) jwt.setExpirationTime(claims.exp ?? nowS() + 600);
    if (claims.iss) jwt.setIssuer(claims.iss);
    return jwt.sign(key);
  };

  it('accepts a token signed by the JWKS key, fetching the set once', async () => {
    const authenticate = createAuthenticator({ apiKeys: [], jwtSecret: JWT_SECRET, jwksUrl, issuer: 'https://id.test' });
    const before = fetches;
    const token = await sign(privateKey, { iss: 'https://id.test' });
    expect(await authenticate(bearer(token))).toMatchObject({ kind: 'user', id: 'c-7', roles: ['user'] });
    expect(await authenticate(bearer(await sign(privateKey, { sub: 'c-8', iss: 'https://id.test' })))).toMatchObject({ id: 'c-8' });
    expect(fetches - before).toBe(1);
  });

  it.each<[string, () => Promise<string>, string]>([
    ['a token signed by another key', () => sign(otherKey), 'invalid token'],
    ['an expired token', () => sign(privateKey, { exp: nowS() - 60 }), 'token expired'],
    ['an HS256 token made with JWT_SECRET (the secret verifies nothing once a JWKS is set)', async () => signHs256({ sub: 'c-7', exp: nowS() + 600 }, JWT_SECRET), 'invalid token'],
    [
      'an HS256 token whose secret is the JWKS public key (algorithm confusion)',
      async () => signHs256({ sub: 'c-7', exp: nowS() + 600 }, JSON.stringify(((await (await fetch(jwksUrl)).json()) as { keys: object[] }).keys[0]), { alg: 'HS256', kid: 'k1' }),
      'invalid token',
    ],
  ])('answers 401 at the API to %s', async (_case, token, message) => {
    const { app } = createTestApp({ auth: { apiKeys: [], jwtSecret: JWT_SECRET, jwksUrl } });
    const res = await request(app.callback()).get('/api/me/notifications').set('Authorization', bearer(await token()));
    expect([res.status, res.body.error?.message]).toEqual([401, message]);
  });

  it('answers 200 at the API to a good token', async () => {
    const { app } = createTestApp({ auth: { apiKeys: [], jwtSecret: JWT_SECRET, jwksUrl } });
    const res = await request(app.callback()).get('/api/me/notifications').set('Authorization', bearer(await sign(privateKey)));
    expect(res.status).toBe(200);
  });

  it('answers 503, not 401, when the JWKS cannot be fetched', async () => {
    const dead = http.createServer();
    await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://127.0.0.1:${(dead.address() as AddressInfo).port}/jwks.json`;
    await new Promise((resolve) => dead.close(resolve)); // nothing listens there any more
    const { app } = createTestApp({ auth: { apiKeys: [], jwtSecret: JWT_SECRET, jwksUrl: deadUrl } });
    const res = await request(app.callback()).get('/api/me/notifications').set('Authorization', bearer(await sign(privateKey)));
    expect([res.status, res.body.error?.code]).toEqual([503, 'DEPENDENCY_UNAVAILABLE']);
  });
});
