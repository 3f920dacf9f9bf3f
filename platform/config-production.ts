/**
 * What production refuses: the development defaults of platform/config.ts are public (they are in this
 * repository), so a process started with NODE_ENV=production must not run on any of them. The check is a
 * pure function of the parsed environment, so each rule is a row of a table test; loadConfig calls it.
 */

/** The development defaults that are secrets; config.ts uses them as its defaults. */
export const DEV_DEFAULTS = {
  JWT_SECRET: 'dev-only-secret-change-me-please',
  API_KEYS: 'dev-admin-key:admin|service|stats',
  SMS_API_TOKEN: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ2ZXN0bmlrIn0.5p2XOZE59aROIJl8a90X4gRx_EdmfUFQ25gGUBp51Js',
  SMS_SIMULATOR_SECRET: 'dev-sms-simulator-secret',
  PUSH_API_TOKEN: 'dev-push-token',
} as const;

/** Shortest secret production accepts (HS256 keys and HMAC secrets: 256 bits of text). */
export const MIN_SECRET_LENGTH = 32;
/** Shortest API key production accepts. */
export const MIN_API_KEY_LENGTH = 24;

/** The parsed variables the check reads (a subset of config.ts `Env`). */
export interface ProductionEnvView {
  JWT_SECRET: string;
  JWT_JWKS_URL?: string | undefined;
  UNSUBSCRIBE_SECRET?: string | undefined;
  API_KEYS: readonly { key: string; roles: readonly string[] }[];
  SMS_API_TOKEN: string;
  SMS_SIMULATOR_SECRET: string;
  PUSH_API_TOKEN: string;
  SMS_SECONDARY_API_URL?: string | undefined;
  SMS_SECONDARY_API_TOKEN?: string | undefined;
}

/** One refused variable and why; the reason never contains the value. */
export interface ProductionProblem {
  variable: string;
  reason: string;
}

const weakSecret = (value: string, fallback: string): string | null => {
  if (value === fallback) return 'is the development default';
  if (value.length < MIN_SECRET_LENGTH) return `is shorter than ${MIN_SECRET_LENGTH} characters`;
  return null;
};

/**
 * Every unsafe setting for production, in a fixed order (empty when the configuration is safe).
 * CLICKHOUSE_PASSWORD and REDIS_URL are not judged here: an empty password is safe where the server
 * only accepts that user from a private network, which only the server's own configuration knows.
 */
export function productionProblems(env: ProductionEnvView): ProductionProblem[] {
  const problems: ProductionProblem[] = [];
  const add = (variable: string, reason: string | null) => void (reason && problems.push({ variable, reason }));

  // With a JWKS URL the JWT secret verifies nothing (auth.ts accepts JWKS-signed tokens only); it may
  // still derive the unsubscribe secret, which is judged on its own below.
  const jwtSecretWeak = weakSecret(env.JWT_SECRET, DEV_DEFAULTS.JWT_SECRET);
  if (!env.JWT_JWKS_URL) add('JWT_SECRET', jwtSecretWeak);
  if (env.UNSUBSCRIBE_SECRET === undefined) {
    add('UNSUBSCRIBE_SECRET', jwtSecretWeak && `is unset and derived from a JWT_SECRET that ${jwtSecretWeak}`);
  } else {
    add('UNSUBSCRIBE_SECRET', weakSecret(env.UNSUBSCRIBE_SECRET, DEV_DEFAULTS.JWT_SECRET));
  }

  if (env.API_KEYS.some((entry) => entry.key.startsWith('dev-admin-key'))) add('API_KEYS', 'holds the development default key');
  else if (env.API_KEYS.some((entry) => entry.key.length < MIN_API_KEY_LENGTH)) add('API_KEYS', `holds a key shorter than ${MIN_API_KEY_LENGTH} characters`);

  if (env.SMS_API_TOKEN === DEV_DEFAULTS.SMS_API_TOKEN) add('SMS_API_TOKEN', 'is the token of the bundled simulator');
  add('SMS_SIMULATOR_SECRET', weakSecret(env.SMS_SIMULATOR_SECRET, DEV_DEFAULTS.SMS_SIMULATOR_SECRET));
  if (env.PUSH_API_TOKEN === DEV_DEFAULTS.PUSH_API_TOKEN) add('PUSH_API_TOKEN', 'is the token of the bundled simulator');
  if (env.SMS_SECONDARY_API_URL) {
    if (!env.SMS_SECONDARY_API_TOKEN) add('SMS_SECONDARY_API_TOKEN', 'is empty while SMS_SECONDARY_API_URL is set');
    else if (env.SMS_SECONDARY_API_TOKEN === DEV_DEFAULTS.SMS_API_TOKEN) add('SMS_SECONDARY_API_TOKEN', 'is the token of the bundled simulator');
  }
  return problems;
}

/** The one-line message that names every problem (variables and reasons, never values). */
export function describeProductionProblems(problems: readonly ProductionProblem[]): string {
  const list = problems.map((p) => `${p.variable} ${p.reason}`).join('; ');
  return `unsafe configuration for NODE_ENV=production (${problems.map((p) => p.variable).join(', ')}) — ${list}`;
}
