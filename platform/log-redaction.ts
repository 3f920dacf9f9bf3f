import { stdSerializers } from 'pino';

export const REDACTED = '[redacted]';
export const TRUNCATED = '[truncated]';

/**
 * Field names whose values never reach a log line, at any depth. Names are compared lower-cased without
 * `_`, `-` or `.`, so `api_key`, `apiKey` and `X-Api-Key` are one name. A name CONTAINING one of these is
 * censored too (`refreshToken`, `userEmail`, `set-cookie`, `remoteAddress`): credentials first, then
 * personal data (STYLE.md habit 12).
 */
const SENSITIVE_PARTS = [
  'authorization', 'cookie', 'token', 'password', 'passwd', 'secret', 'apikey', 'jwt', 'signature', 'credential',
  'phone', 'email', 'address',
];

/**
 * Whole names only, because as parts they would censor ordinary fields: `to`/`cc`/`bcc` (recipients),
 * `text`/`html` (message bodies), `args` (a Redis command's arguments, which ioredis puts on its errors).
 */
const SENSITIVE_NAMES = new Set(['to', 'cc', 'bcc', 'text', 'html', 'args']);

/** An email address inside any string (an SMTP server's "550 <anna@example.com>: rejected"). */
const EMAIL_IN_TEXT = /[^\s@<>"'(),;:[\]]+@[^\s@<>"'(),;:[\]]+\.[A-Za-z]{2,}/g;

/** The text with every email address in it censored. */
export function scrubText(text: string): string {
  return text.includes('@') ? text.replace(EMAIL_IN_TEXT, REDACTED) : text;
}

export function isSensitiveName(name: string): boolean {
  const normal = name.toLowerCase().replace(/[-_.]/g, '');
  return SENSITIVE_NAMES.has(normal) || SENSITIVE_PARTS.some((part) => normal.includes(part));
}

export interface RedactOptions {
  /** Objects nested deeper than this are replaced by TRUNCATED (default 8). */
  maxDepth?: number;
  /** Values visited per log line before the rest is replaced by TRUNCATED (default 2000). */
  maxNodes?: number;
}

/**
 * A copy of a log line's fields with every sensitive field censored at any depth, email addresses in
 * strings censored, errors serialized (pino's err serializer) and then walked like the rest, cycles
 * cut. Bounded: deep or huge objects are truncated, so a log call can never walk a whole payload.
 * pino's own `redact` cannot do this: its paths have no "any depth" wildcard.
 */
export function redactDeep(value: Record<string, unknown>, options: RedactOptions = {}): Record<string, unknown> {
  const maxDepth = options.maxDepth ?? 8;
  let budget = options.maxNodes ?? 2000;
  const ancestors = new WeakSet<object>();

  function walk(input: unknown, depth: number): unknown {
    if (--budget < 0) return TRUNCATED;
    if (typeof input === 'string') return scrubText(input);
    if (input === null || typeof input !== 'object') return input;
    if (ancestors.has(input)) return '[circular]';
    if (depth >= maxDepth) return TRUNCATED;
    ancestors.add(input);
    try {
      return walkObject(input, depth);
    } finally {
      ancestors.delete(input);
    }
  }

  function walkObject(input: object, depth: number): unknown {
    if (Array.isArray(input)) {
      const items: unknown[] = [];
      for (const item of input) {
        if (budget <= 0) return [...items, TRUNCATED];
        items.push(walk(item, depth + 1));
      }
      return items;
    }
    const fields = fieldsOf(input);
    if (fields !== input) return walk(fields, depth);
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(input)) {
      if (budget <= 0) {
        out['[truncated]'] = true;
        break;
      }
      out[key] = isSensitiveName(key) && inner !== undefined && inner !== null ? REDACTED : walk(inner, depth + 1);
    }
    return out;
  }

  return walk(value, -1) as Record<string, unknown>;
}

/**
 * What an object logs as: an error through pino's serializer (type, message and stack with its causes,
 * its own fields), anything with toJSON (Date, Buffer, URL) as that, everything else by its own fields.
 */
function fieldsOf(value: object): unknown {
  if (value instanceof Error) return { ...(stdSerializers.err(value) as unknown as Record<string, unknown>) };
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON !== 'function') return value;
  try {
    return toJSON.call(value);
  } catch {
    return TRUNCATED;
  }
}
