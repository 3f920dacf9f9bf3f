/**
 * The relying party of the console's OpenID Connect sign-in: discovery, the authorization URL (code flow
 * with PKCE S256), the code exchange at the token endpoint (client_secret_basic or _post), the ID token
 * check (id-token.ts) and, when the ID token lacks the roles claim, the userinfo endpoint. Written on
 * fetch + jose: openid-client v6 is ESM-only and this is all of the flow we need.
 */
import { createHash } from 'node:crypto';
import { createRemoteJWKSet, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { VestnikError } from '../../platform/errors';
import { claimAt, consoleRoleOf, verifyIdToken } from './id-token';
import type { ConsoleRole } from './session-store';

export interface OidcSettings {
  issuer: string;
  clientId: string;
  /** Absent: a public client (token endpoint auth `none`, PKCE only). */
  clientSecret?: string | undefined;
  rolesClaim: string;
  scopes: readonly string[];
  /** `${PUBLIC_BASE_URL}/console/auth/callback` */
  redirectUri: string;
}

interface ProviderMetadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  userinfo_endpoint?: string;
  token_endpoint_auth_methods_supported?: string[];
  code_challenge_methods_supported?: string[];
}

/** Who signed in; `role` null when the roles claim holds no console role. */
export interface OidcIdentity {
  subject: string;
  name: string;
  email?: string | undefined;
  role: ConsoleRole | null;
}

export interface OidcClient {
  authorizationUrl(params: { state: string; nonce: string; codeVerifier: string }): Promise<string>;
  /** Exchanges the code, verifies the ID token against the nonce, and reads the identity and role. */
  signIn(params: { code: string; codeVerifier: string; nonce: string }): Promise<OidcIdentity>;
}

export const codeChallengeOf = (verifier: string): string => createHash('sha256').update(verifier).digest('base64url');

const TIMEOUT_MS = 5_000;

export function createOidcClient(settings: OidcSettings, options: { fetch?: typeof fetch } = {}): OidcClient {
  const doFetch = options.fetch ?? fetch;
  let discovered: Promise<{ metadata: ProviderMetadata; keys: JWTVerifyGetKey }> | null = null;
  // Discovery is cached once it succeeded; a failed one is tried again by the next sign-in.
  const provider = () => {
    discovered ??= discover(settings.issuer, doFetch).catch((error) => {
      discovered = null;
      throw error;
    });
    return discovered;
  };

  return {
    async authorizationUrl({ state, nonce, codeVerifier }) {
      const { metadata } = await provider();
      const url = new URL(metadata.authorization_endpoint);
      url.search = new URLSearchParams({
        response_type: 'code', client_id: settings.clientId, redirect_uri: settings.redirectUri,
        scope: settings.scopes.join(' '), state, nonce, code_challenge: codeChallengeOf(codeVerifier), code_challenge_method: 'S256',
      }).toString();
      return url.toString();
    },
    async signIn({ code, codeVerifier, nonce }) {
      const { metadata, keys } = await provider();
      const tokens = await exchangeCode(metadata, settings, doFetch, code, codeVerifier);
      const claims = await verifyIdToken(tokens.idToken, keys, { issuer: metadata.issuer, clientId: settings.clientId, nonce });
      let roleClaim = claimAt(claims, settings.rolesClaim);
      let profile: Record<string, unknown> = claims;
      // Providers that follow the spec to the letter put scope claims in userinfo only, not the ID token.
      if (roleClaim === undefined && metadata.userinfo_endpoint && tokens.accessToken) {
        profile = { ...(await userinfo(metadata.userinfo_endpoint, tokens.accessToken, claims, doFetch)), ...claims };
        roleClaim = claimAt(profile, settings.rolesClaim);
      }
      return identityOf(claims.sub as string, profile, consoleRoleOf(roleClaim));
    },
  };
}

function identityOf(subject: string, profile: Record<string, unknown>, role: ConsoleRole | null): OidcIdentity {
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const email = text(profile.email);
  return { subject, name: text(profile.name) ?? text(profile.preferred_username) ?? email ?? subject, email, role };
}

async function call(doFetch: typeof fetch, url: string, init: RequestInit, what: string): Promise<Response> {
  try {
    return await doFetch(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    throw new VestnikError('DEPENDENCY_UNAVAILABLE', `the sign-in provider's ${what} does not answer`, { cause: error });
  }
}

async function discover(issuer: string, doFetch: typeof fetch): Promise<{ metadata: ProviderMetadata; keys: JWTVerifyGetKey }> {
  const response = await call(doFetch, `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`, {}, 'discovery');
  if (!response.ok) throw new VestnikError('DEPENDENCY_UNAVAILABLE', `the sign-in provider's discovery answered ${response.status}`);
  const metadata = (await response.json().catch(() => ({}))) as Partial<ProviderMetadata>;
  // The issuer must be the one configured (OIDC Discovery §4.3): otherwise its tokens would be taken for another's.
  if (metadata.issuer !== issuer) throw new VestnikError('DEPENDENCY_UNAVAILABLE', 'the sign-in provider names another issuer');
  if (!metadata.authorization_endpoint || !metadata.token_endpoint || !metadata.jwks_uri) {
    throw new VestnikError('DEPENDENCY_UNAVAILABLE', "the sign-in provider's discovery lacks an endpoint");
  }
  if (metadata.code_challenge_methods_supported && !metadata.code_challenge_methods_supported.includes('S256')) {
    throw new VestnikError('DEPENDENCY_UNAVAILABLE', 'the sign-in provider does not support PKCE S256');
  }
  const keys = createRemoteJWKSet(new URL(metadata.jwks_uri), { timeoutDuration: TIMEOUT_MS });
  return { metadata: metadata as ProviderMetadata, keys };
}

/** RFC 6749 §2.3.1: the id and secret are form-encoded before they go into Basic. */
const formEncode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');

async function exchangeCode(metadata: ProviderMetadata, settings: OidcSettings, doFetch: typeof fetch, code: string, codeVerifier: string) {
  const body = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: settings.redirectUri, code_verifier: codeVerifier });
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  const methods = metadata.token_endpoint_auth_methods_supported ?? ['client_secret_basic'];
  if (!settings.clientSecret) {
    body.set('client_id', settings.clientId);
  } else if (methods.includes('client_secret_basic') || !methods.includes('client_secret_post')) {
    headers.authorization = `Basic ${Buffer.from(`${formEncode(settings.clientId)}:${formEncode(settings.clientSecret)}`).toString('base64')}`;
  } else {
    body.set('client_id', settings.clientId);
    body.set('client_secret', settings.clientSecret);
  }
  const response = await call(doFetch, metadata.token_endpoint, { method: 'POST', headers, body }, 'token endpoint');
  const json = (await response.json().catch(() => ({}))) as { id_token?: unknown; access_token?: unknown; error?: unknown };
  if (response.status >= 500) throw new VestnikError('DEPENDENCY_UNAVAILABLE', `the sign-in provider's token endpoint answered ${response.status}`);
  if (!response.ok || typeof json.id_token !== 'string') {
    const reason = typeof json.error === 'string' && /^[a-z_]{1,40}$/.test(json.error) ? json.error : `status ${response.status}`;
    throw new VestnikError('UNAUTHORIZED', `the sign-in provider refused the code (${reason})`);
  }
  return { idToken: json.id_token, accessToken: typeof json.access_token === 'string' ? json.access_token : undefined };
}

async function userinfo(endpoint: string, accessToken: string, claims: JWTPayload, doFetch: typeof fetch): Promise<Record<string, unknown>> {
  const response = await call(doFetch, endpoint, { headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' } }, 'userinfo endpoint');
  if (!response.ok) throw new VestnikError('DEPENDENCY_UNAVAILABLE', `the sign-in provider's userinfo answered ${response.status}`);
  const info = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  // OIDC Core §5.3.2: userinfo about anyone but the ID token's subject must not be used.
  if (info.sub !== claims.sub) throw new VestnikError('UNAUTHORIZED', 'the userinfo subject differs from the ID token');
  return info;
}
