import type { z } from 'zod';
import { VestnikError } from '../errors';

/**
 * A consumed record that decoded under its schema but carries values no stage can act on (a phone
 * that is not a phone, an unknown time zone, a negative time). Consumers dead-letter it with this
 * error (VALIDATION_FAILED, permanent) instead of storing or sending it; the reason names every
 * failing field, so whoever reads the dead-letter topic can fix the producer.
 */
export function invalidRecord(what: string, problems: readonly string[]): VestnikError {
  return new VestnikError('VALIDATION_FAILED', `${what} is invalid: ${problems.join('; ')}`, { details: { problems } });
}

/** The failing fields of `value` under a zod schema, as `path: message` lines (empty when it passes). */
export function zodProblems(schema: z.ZodType, value: unknown): string[] {
  // Decoded Avro records are class instances whose prototype methods (clone, isValid…) a strict zod
  // object would count as unknown fields: validate their plain data.
  const result = schema.safeParse(typeof value === 'object' && value !== null ? structuredClone(value) : value);
  if (result.success) return [];
  return result.error.issues.flatMap((issue) => {
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => `${[...path, key].join('.')}: unknown field`);
    return [`${path.join('.') || '(record)'}: ${issue.message}`];
  });
}

/** A problem line when `value` is not an epoch-millisecond instant a DateTime can hold (1970…2106). */
export function instantProblem(field: string, value: number | null): string[] {
  if (value === null) return [];
  return Number.isSafeInteger(value) && value >= 0 && value < MAX_DATETIME_MS ? [] : [`${field}: not a time (${value})`];
}

/** ClickHouse DateTime is 32-bit unsigned seconds; every stored instant must fit it. */
const MAX_DATETIME_MS = 2 ** 32 * 1000;

/** A problem line when a link is not http(s): links go into `<a href>` or the app, where `javascript:` must never reach a user. */
export function httpUrlProblem(field: string, value: string | null): string[] {
  if (value === null) return [];
  let protocol = '';
  try {
    protocol = new URL(value).protocol;
  } catch {
    // not a URL at all: reported below
  }
  return protocol === 'http:' || protocol === 'https:' ? [] : [`${field}: not an http(s) URL (${JSON.stringify(value.slice(0, 100))})`];
}
