import { createHash, createSecretKey, timingSafeEqual } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey, type KeyLike } from 'jose';
import type { Middleware } from 'koa';
import { VestnikError } from '../../platform/errors';
import type { ApiState, Principal } from '../http/context';

/** Roles of API keys (admin, stats, service) and of end users holding a JWT (user). */
export const ROLES = ['admin', 'stats', 'service', 'user'] as const;
export type Role = (typeof ROLES)[number];

/** The auth part of the configuration (platform/config.ts `Config['auth']`). */
export interface AuthConfig {
  apiKeys: readonly { key: string; roles: readonly string[] }[];
  /** HS256 secret of users' JWTs; ignored when jwksUrl is set. */
  jwtSecret: string;
  /** Users' JWTs are verified against this JWKS (asymmetric keys only) instead of the secret. */
  jwksUrl?: string | undefined;
  issuer?: string | undefined;
  audience?: string | undefined;
  /** Skew allowed on exp/nbf, in seconds (default 30). */
  clockToleranceS?: number | undefined;
}

/** Turns an Authorization header into a principal; rejects with UNAUTHORIZED (or DEPENDENCY_UNAVAILABLE when the JWKS cannot be fetched). */
export type Authenticate = (authorization: string | undefined) => Promise<Principal>;

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** What a JWKS may sign with: asymmetric algorithms only, so a public key can never be used as an HMAC secret. */
const JWKS_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

/**
 * Builds the authenticator: API keys compared in constant time, then a user JWT verified with jose
 * (HS256 with the secret, or the JWKS). A JWT must carry `sub` and `exp`; `iss`/`aud` are checked when configured.
 */
export function createAuthenticator(config: AuthConfig, options: { now?: () => number } = {}): Authenticate {
  const keys = config.apiKeys.map((entry) => ({
    digest: digest(entry.key),
    principal: { kind: 'apiKey', id: `key:${digest(entry.key).toString('hex').slice(0, 12)}`, roles: entry.roles } as Principal,
  }));
  const verifyUser = createJwtVerifier(config, options.now ?? Date.now);
  return async (authorization) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match?.[1]) throw new VestnikError('UNAUTHORIZED', 'missing bearer token');
    const token = match[1];
    const tokenDigest = digest(token);
    // Every key is compared (no early exit) so timing does not tell which prefix matched.
    let found: Principal | null = null;
    for (const key of keys) if (timingSafeEqual(key.digest, tokenDigest)) found = key.principal;
    return found ?? verifyUser(token);
  };
}

function createJwtVerifier(config: AuthConfig, now: () => number): (token: string) => Promise<Principal> {
  const toleranceS = config.clockToleranceS ?? 30;
  const jwks = config.jwksUrl ? createRemoteJWKSet(new URL(config.jwksUrl), { timeoutDuration: 2_000 }) : null;
  const secret = createSecretKey(Buffer.from(config.jwtSecret, 'utf8'));
  return async (token) => {
    let payload: JWTPayload;
    try {
      const verifyOptions = {
        algorithms: jwks ? JWKS_ALGORITHMS : ['HS256'],
        requiredClaims: ['exp', 'sub'],
        clockTolerance: toleranceS,
        currentDate: new Date(now()),
        ...(config.issuer ? { issuer: config.issuer } : {}),
        ...(config.audience ? { audience: config.audience } : {}),
      };
      ({ payload } = jwks ? await jwtVerify(token, jwks as JWTVerifyGetKey, verifyOptions) : await jwtVerify(token, secret as KeyLike, verifyOptions));
    } catch (error) {
      throw jwtError(error, jwks !== null);
    }
    if (typeof payload.sub !== 'string' || payload.sub === '' || typeof payload.exp !== 'number') {
      throw new VestnikError('UNAUTHORIZED', 'invalid token: no subject');
    }
    // The instant this token stops verifying here; the websocket gateway closes the socket then.
    return { kind: 'user', id: payload.sub, roles: ['user'], validUntil: (payload.exp + toleranceS) * 1000 };
  };
}

/** A failed verification → 401 with a reason that names the claim (never the token); a JWKS outage → 503. */
function jwtError(error: unknown, usingJwks: boolean): VestnikError {
  const { code, claim } = (error ?? {}) as { code?: unknown; claim?: unknown };
  if (usingJwks && (code === 'ERR_JWKS_TIMEOUT' || code === 'ERR_JOSE_GENERIC' || typeof code !== 'string' || !code.startsWith('ERR_J'))) {
    return new VestnikError('DEPENDENCY_UNAVAILABLE', 'the token keys (JWKS) are unavailable', { cause: error });
  }
  let reason = 'invalid token';
  if (code === 'ERR_JWT_EXPIRED') reason = 'token expired';
  else if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && claim === 'exp') reason = 'token has no expiry (exp)';
  else if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && claim === 'sub') reason = 'invalid token: no subject';
  else if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && typeof claim === 'string') reason = `invalid token: wrong or missing ${claim}`;
  return new VestnikError('UNAUTHORIZED', reason, { cause: error });
}

/** `admin` keys may use every API-key route; the `user` role only comes from a JWT. */
export function hasRole(principal: Principal, role: Role): boolean {
  if (principal.kind === 'console') return false; // console roles are judged per route (consoleMayUse)
  if (principal.roles.includes(role)) return true;
  return role !== 'user' && principal.kind === 'apiKey' && principal.roles.includes('admin');
}

/**
 * The console role a route needs (console users hold viewer, editor or admin, ingest/console/): `none`
 * keeps the route from console sessions altogether (a user's own /api/me).
 */
export type ConsoleAccess = 'viewer' | 'editor' | 'admin' | 'none';
const CONSOLE_RANK: Record<string, number> = { viewer: 0, editor: 1, admin: 2 };

/**
 * The rule when a route declares no `console` access: reading what an admin or stats key may read is
 * viewer's; changing what an admin key may change is editor's; the service routes (event intake) are
 * admin's; a user's own routes are nobody's in the console.
 */
export function defaultConsoleAccess(role: Role, method: string): ConsoleAccess {
  if (role === 'user') return 'none';
  if (role === 'service') return 'admin';
  if (method.toLowerCase() === 'get') return 'viewer';
  return role === 'admin' ? 'editor' : 'admin';
}

/** A console principal's role is at least `access`. */
export function consoleMayUse(principal: Principal, access: ConsoleAccess): boolean {
  const held = Math.max(-1, ...principal.roles.map((r) => CONSOLE_RANK[r] ?? -1));
  return access !== 'none' && held >= (CONSOLE_RANK[access] ?? Infinity);
}

/** How the guard finds a console session (ingest/console/sessions.ts): null when the request has no session cookie. */
export type ConsoleCaller = (ctx: Parameters<Middleware<ApiState>>[0]) => Promise<{ principal: Principal } | null>;

/**
 * Route guard: 401 without a valid token (or console session), 403 when the principal lacks the role.
 * A bearer token wins over a session cookie; only a cookie-authenticated request needs the CSRF token
 * (the console caller checks it), since a browser never adds an Authorization header by itself.
 */
export function requireRole(authenticate: Authenticate, role: Role, options: { console?: ConsoleCaller; access?: ConsoleAccess } = {}): Middleware<ApiState> {
  return async (ctx, next) => {
    const authorization = ctx.get('Authorization') || undefined;
    const fromSession = !authorization && options.console ? await options.console(ctx) : null;
    const principal = fromSession?.principal ?? (await authenticate(authorization));
    ctx.state.principal = principal;
    ctx.state.logFields.principal = principal.id;
    const allowed = principal.kind === 'console' ? consoleMayUse(principal, options.access ?? 'none') : hasRole(principal, role);
    if (!allowed) throw new VestnikError('FORBIDDEN', principal.kind === 'console' ? `requires console role ${options.access ?? role}` : `requires role ${role}`);
    await next();
  };
}
