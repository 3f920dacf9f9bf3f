import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';

/**
 * The real provider hands out one long-lived HS256 JWT that goes into SMS_API_TOKEN; the simulator
 * verifies such a token against its configured secret.
 */
export interface SmsApiTokenOptions {
  subject?: string;
  /** Seconds until expiry; omitted means no expiry, like the provider's long-lived token. */
  expiresInSeconds?: number;
}

/** Signs an HS256 JWT the simulator (configured with the same secret) accepts. */
export function createSmsApiToken(secret: string, options: SmsApiTokenOptions = {}): string {
  const signOptions: jwt.SignOptions = { algorithm: 'HS256', subject: options.subject ?? 'vestnik' };
  if (options.expiresInSeconds !== undefined) signOptions.expiresIn = options.expiresInSeconds;
  return jwt.sign({}, secret, signOptions);
}

/** True for an HS256 JWT signed with `secret` and not expired; other algorithms are refused. */
export function verifySmsApiToken(token: string, secret: string): boolean {
  try {
    jwt.verify(token, secretKeyOf(secret), { algorithms: ['HS256'] });
    return true;
  } catch {
    return false;
  }
}

const secretKeys = new Map<string, KeyObject>();

/**
 * jsonwebtoken given a string secret first tries it as a PEM public key (which throws) on every call;
 * a KeyObject made once per secret skips that, about a fifth of the simulator's CPU under load.
 */
function secretKeyOf(secret: string): KeyObject {
  let key = secretKeys.get(secret);
  if (!key) {
    key = createSecretKey(Buffer.from(secret, 'utf8'));
    secretKeys.set(secret, key);
  }
  return key;
}
