import { randomBytes } from 'node:crypto';

/**
 * A name no other test run uses: prefix, time and randomness, in the characters Kafka topics, consumer
 * groups, Redis keys and ClickHouse identifiers all accept ([a-z0-9_.-]; use `separator: '_'` for SQL).
 */
export function uniqueName(prefix: string, options: { separator?: '-' | '_' } = {}): string {
  const separator = options.separator ?? '-';
  const disallowed = separator === '_' ? /[^a-z0-9_]/g : /[^a-z0-9_.-]/g;
  const clean = prefix.toLowerCase().replace(disallowed, separator);
  return [clean, Date.now().toString(36), randomBytes(4).toString('hex')].join(separator);
}
