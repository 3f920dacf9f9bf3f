import { createHash, timingSafeEqual } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Middleware } from 'koa';
import { VestnikError } from '../../platform/errors';
import type { ApiState, Principal } from '../http/context';

/** Roles of API keys (admin, stats, service) and of end users holding a JWT (user). */
export const ROLES = ['admin', 'stats', 'service', 'user'] as const;
export type Role = (typeof ROLES)[number];

/** The auth part of the configuration (platform/config.ts `Config['auth']`). */
export interface AuthConfig {
  apiKeys: readonly { key: string; roles: readonly string[] }[];
  jwtSecret: string;
}

/** Turns an Authorization header into a principal; throws UNAUTHORIZED. */
export type Authenticate = (authorization: string | undefined) => Principal;

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** Builds the authenticator: API keys compared in constant time, then an HS256 JWT with a subject. */
export function createAuthenticator(config: AuthConfig): Authenticate {
  const keys = config.apiKeys.map((entry) => ({
    digest: digest(entry.key),
    principal: { kind: 'apiKey', id: `key:${digest(entry.key).toString('hex').slice(0, 12)}`, roles: entry.roles } as Principal,
  }));
  return (authorization) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match?.[1]) throw new VestnikError('UNAUTHORIZED', 'missing bearer token');
    const token = match[1];
    const tokenDigest = digest(token);
    // Every key is compared (no early exit) so timing does not tell which prefix matched.
    let found: Principal | null = null;
    for (const key of keys) if (timingSafeEqual(key.digest, tokenDigest)) found = key.principal;
    return found ?? userFromJwt(token, config.jwtSecret);
  };
}

function userFromJwt(token: string, secret: string): Principal {
  let payload: string | jwt.JwtPayload;
  try {
    payload = jwt.verify(token, secret, { algorithms: ['HS256'] });
  } catch (error) {
    throw new VestnikError('UNAUTHORIZED', 'invalid token', { cause: error });
  }
  if (typeof payload !== 'object' || typeof payload.sub !== 'string' || payload.sub === '') {
    throw new VestnikError('UNAUTHORIZED', 'invalid token');
  }
  return { kind: 'user', id: payload.sub, roles: ['user'] };
}

/** `admin` keys may use every API-key route; the `user` role only comes from a JWT. */
export function hasRole(principal: Principal, role: Role): boolean {
  if (principal.roles.includes(role)) return true;
  return role !== 'user' && principal.kind === 'apiKey' && principal.roles.includes('admin');
}

/** Route guard: 401 without a valid token, 403 when the principal lacks the role. */
export function requireRole(authenticate: Authenticate, role: Role): Middleware<ApiState> {
  return async (ctx, next) => {
    const principal = authenticate(ctx.get('Authorization') || undefined);
    ctx.state.principal = principal;
    ctx.state.logFields.principal = principal.id;
    if (!hasRole(principal, role)) throw new VestnikError('FORBIDDEN', `requires role ${role}`);
    await next();
  };
}
