/**
 * The ID token of an OpenID Connect sign-in, checked with jose against the provider's keys, and the
 * console role read from its claims. Pure apart from the key lookup, so every refusal is a unit test
 * with locally made keys (id-token.test.ts).
 */
import { jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { VestnikError } from '../../platform/errors';
import { CONSOLE_ROLES, type ConsoleRole } from './session-store';

/** A provider's JWKS may sign with asymmetric algorithms only (a public key can never pass as an HMAC secret). */
export const ID_TOKEN_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

export interface IdTokenExpectations {
  issuer: string;
  clientId: string;
  /** The nonce this browser's sign-in sent: a token minted for another sign-in is refused. */
  nonce: string;
  now?: Date;
  clockToleranceS?: number;
}

/**
 * Verifies signature (the provider's keys), `iss`, `aud` (our client id; `azp` when there are several
 * audiences), `exp`, `iat`, `sub` and `nonce`. Refusals are UNAUTHORIZED with a reason naming the
 * check, never the token.
 */
export async function verifyIdToken(token: string, keys: JWTVerifyGetKey, expect: IdTokenExpectations): Promise<JWTPayload> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, keys, {
      algorithms: ID_TOKEN_ALGORITHMS,
      issuer: expect.issuer,
      audience: expect.clientId,
      requiredClaims: ['exp', 'iat', 'sub'],
      clockTolerance: expect.clockToleranceS ?? 30,
      ...(expect.now ? { currentDate: expect.now } : {}),
    }));
  } catch (error) {
    throw idTokenError(error);
  }
  if (typeof payload.nonce !== 'string' || payload.nonce !== expect.nonce) {
    throw new VestnikError('UNAUTHORIZED', 'ID token refused: wrong or missing nonce');
  }
  if (Array.isArray(payload.aud) && payload.aud.length > 1 && payload.azp !== expect.clientId) {
    throw new VestnikError('UNAUTHORIZED', 'ID token refused: azp is not this client');
  }
  return payload;
}

function idTokenError(error: unknown): VestnikError {
  const { code, claim } = (error ?? {}) as { code?: unknown; claim?: unknown };
  // jose's own refusals have ERR_J… codes; a fetch of the remote JWKS that failed has another or none.
  if (code === 'ERR_JWKS_TIMEOUT' || code === 'ERR_JOSE_GENERIC' || typeof code !== 'string' || !code.startsWith('ERR_J')) {
    return new VestnikError('DEPENDENCY_UNAVAILABLE', "the provider's keys (JWKS) are unavailable", { cause: error });
  }
  let reason = 'ID token refused: invalid signature or format';
  if (code === 'ERR_JWT_EXPIRED') reason = 'ID token refused: expired';
  else if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && typeof claim === 'string') reason = `ID token refused: wrong or missing ${claim}`;
  else if (code === 'ERR_JWKS_NO_MATCHING_KEY') reason = "ID token refused: not signed by the provider's keys";
  else if (code === 'ERR_JOSE_ALG_NOT_ALLOWED') reason = 'ID token refused: algorithm not allowed';
  return new VestnikError('UNAUTHORIZED', reason, { cause: error });
}

/**
 * The claim at `path`: a claim named exactly so (Auth0-style `https://example.com/roles`), else a dotted
 * path into objects (Keycloak's `realm_access.roles`).
 */
export function claimAt(claims: Record<string, unknown>, path: string): unknown {
  if (path in claims) return claims[path];
  let value: unknown = claims;
  for (const part of path.split('.')) {
    if (!value || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/**
 * The strongest console role in the claim (an array of strings, or a string of roles separated by
 * spaces or commas); null when it holds none of viewer, editor, admin (such a user is refused sign-in).
 */
export function consoleRoleOf(claim: unknown): ConsoleRole | null {
  const values = Array.isArray(claim) ? claim.filter((v): v is string => typeof v === 'string') : typeof claim === 'string' ? claim.split(/[\s,]+/) : [];
  let best = -1;
  for (const value of values) best = Math.max(best, CONSOLE_ROLES.indexOf(value.trim().toLowerCase() as ConsoleRole));
  return best >= 0 ? (CONSOLE_ROLES[best] ?? null) : null;
}
