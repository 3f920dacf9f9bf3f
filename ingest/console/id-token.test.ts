import { SignJWT, createLocalJWKSet, exportJWK, generateKeyPair, type JWTPayload, type KeyLike } from 'jose';
import { createSecretKey } from 'node:crypto';
import { claimAt, consoleRoleOf, verifyIdToken } from './id-token';

const issuer = 'https://idp.test';
const clientId = 'vestnik-console';
const nonce = 'nonce-of-this-sign-in';
const nowS = () => Math.floor(Date.now() / 1000);

let key: KeyLike;
let otherKey: KeyLike;
let jwks: ReturnType<typeof createLocalJWKSet>;

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  key = pair.privateKey;
  otherKey = (await generateKeyPair('RS256')).privateKey;
  jwks = createLocalJWKSet({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] });
});

const good = (): JWTPayload => ({ iss: issuer, aud: clientId, sub: 'alice', nonce, iat: nowS(), exp: nowS() + 300 });

async function sign(claims: JWTPayload, signer: KeyLike = key, alg = 'RS256'): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg, kid: 'k1' }).sign(signer);
}

const verify = (token: string) => verifyIdToken(token, jwks, { issuer, clientId, nonce });

describe('verifyIdToken', () => {
  it('accepts a token of the provider for this client and this sign-in', async () => {
    await expect(verify(await sign(good()))).resolves.toMatchObject({ sub: 'alice' });
  });

  it('accepts several audiences when azp names this client', async () => {
    await expect(verify(await sign({ ...good(), aud: [clientId, 'other'], azp: clientId }))).resolves.toMatchObject({ sub: 'alice' });
  });

  const refusals: [string, () => Promise<string>, RegExp][] = [
    ['a tampered payload', async () => {
      const [h, , s] = (await sign(good())).split('.');
      const forged = Buffer.from(JSON.stringify({ ...good(), sub: 'mallory' })).toString('base64url');
      return `${h}.${forged}.${s}`;
    }, /signature/],
    ['another key', () => sign(good(), otherKey), /signature|keys/],
    ['another audience', () => sign({ ...good(), aud: 'someone-else' }), /aud/],
    ['several audiences without azp', () => sign({ ...good(), aud: [clientId, 'other'] }), /azp/],
    ['another issuer', () => sign({ ...good(), iss: 'https://evil.test' }), /iss/],
    ['an expired token', () => sign({ ...good(), exp: nowS() - 120 }), /expired/],
    ['no exp', () => sign({ ...good(), exp: undefined }), /exp/],
    ['another nonce', () => sign({ ...good(), nonce: 'replayed-from-another-sign-in' }), /nonce/],
    ['no nonce', () => sign({ ...good(), nonce: undefined }), /nonce/],
    ['no subject', () => sign({ ...good(), sub: undefined }), /sub/],
    ['HS256 signed with a guessable secret', () => sign(good(), createSecretKey(Buffer.from('x'.repeat(32))) as unknown as KeyLike, 'HS256'), /algorithm/],
    ['alg none', async () => {
      const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
      return `${part({ alg: 'none' })}.${part(good())}.`;
    }, /refused/],
  ];

  it.each(refusals)('refuses %s with 401 and a reason', async (_name, make, reason) => {
    const token = await make();
    const error = await verify(token).then(() => null, (e: unknown) => e);
    expect(error).toMatchObject({ code: 'UNAUTHORIZED' });
    expect((error as Error).message).toMatch(reason);
    expect((error as Error).message).not.toContain(token);
  });
});

describe('the console role from the claim', () => {
  it.each([
    [['viewer'], 'viewer'],
    [['editor', 'viewer'], 'editor'],
    [['Admin'], 'admin'],
    ['editor', 'editor'],
    ['viewer admin', 'admin'],
    ['viewer,editor', 'editor'],
    [['ops', 'billing'], null],
    ['', null],
    [undefined, null],
    [42, null],
    [[7, 'viewer'], 'viewer'],
  ])('%j → %s', (claim, role) => {
    expect(consoleRoleOf(claim)).toBe(role);
  });

  it('finds a claim by its exact name or a dotted path', () => {
    expect(claimAt({ 'https://vestnik.test/roles': ['editor'] }, 'https://vestnik.test/roles')).toEqual(['editor']);
    expect(claimAt({ realm_access: { roles: ['admin'] } }, 'realm_access.roles')).toEqual(['admin']);
    expect(claimAt({ realm_access: 'x' }, 'realm_access.roles')).toBeUndefined();
  });
});
