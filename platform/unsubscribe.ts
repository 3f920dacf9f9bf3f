/**
 * Unsubscribe tokens: the credential behind the link in a promo email. A token names a client and
 * proves we issued it (HMAC-SHA256 with a server secret), so it cannot be guessed or forged for
 * another client, and it needs no storage: any API instance verifies it from the secret alone.
 * Shape: `<base64url(clientId)>.<base64url(mac)>`, URL-safe without escaping.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Domain separation: a MAC made here can never be mistaken for one made with the same secret elsewhere. */
const PURPOSE = 'vestnik:unsubscribe:promo:v1\n';
const TOKEN = /^([A-Za-z0-9_-]{1,200})\.([A-Za-z0-9_-]{43})$/;

export interface UnsubscribeTokens {
  /** The token of a client (deterministic: the same client always gets the same token). */
  sign(clientId: string): string;
  /** The client id inside a token we signed, or null for anything else (tampered, truncated, foreign). */
  verify(token: string): string | null;
}

/** Builds the signer/verifier; the secret should have at least 16 characters (config enforces it). */
export function createUnsubscribeTokens(secret: string): UnsubscribeTokens {
  if (typeof secret !== 'string' || secret.length < 16) throw new RangeError('unsubscribe secret must have at least 16 characters');
  const mac = (clientId: string): Buffer => createHmac('sha256', secret).update(PURPOSE).update(clientId, 'utf8').digest();
  return {
    sign(clientId) {
      if (clientId === '') throw new RangeError('cannot sign an empty client id');
      return `${Buffer.from(clientId, 'utf8').toString('base64url')}.${mac(clientId).toString('base64url')}`;
    },
    verify(token) {
      const match = typeof token === 'string' ? TOKEN.exec(token) : null;
      if (!match) return null;
      const [, idPart = '', macPart = ''] = match;
      const clientId = Buffer.from(idPart, 'base64url').toString('utf8');
      // Only the canonical encoding is ours: refuse ids that do not round-trip (odd bits, bad UTF-8).
      if (clientId === '' || Buffer.from(clientId, 'utf8').toString('base64url') !== idPart) return null;
      // Compared as text, so a MAC respelled in its unused low bits is refused too; both are 43 bytes.
      const given = Buffer.from(macPart, 'ascii');
      const expected = Buffer.from(mac(clientId).toString('base64url'), 'ascii');
      return given.length === expected.length && timingSafeEqual(given, expected) ? clientId : null;
    },
  };
}

/** The secret used when UNSUBSCRIBE_SECRET is not set: derived from the JWT secret, never equal to it. */
export function deriveUnsubscribeSecret(jwtSecret: string): string {
  return createHmac('sha256', jwtSecret).update('vestnik:unsubscribe-secret').digest('hex');
}

/** Builds the public unsubscribe URL of a client: `{baseUrl}/u/{token}`. */
export type UnsubscribeLinks = (clientId: string) => string;

/** The link builder the fan-outs pass into their pure decisions. */
export function createUnsubscribeLinks(options: { baseUrl: string; secret: string }): UnsubscribeLinks {
  const tokens = createUnsubscribeTokens(options.secret);
  const base = options.baseUrl.replace(/\/+$/, '');
  return (clientId) => `${base}/u/${tokens.sign(clientId)}`;
}
