/**
 * One error taxonomy for the whole pipeline. Consumers and the API decide what to do by `code` and
 * `retriable`, following the `cause` chain — never by parsing message text.
 */
export const ERROR_CODES = [
  'CONFIG_INVALID',
  'VALIDATION_FAILED',
  'DECODE_FAILED',
  'UNKNOWN_SCHEMA',
  'NOT_FOUND',
  'CONFLICT',
  /** An If-Match that no longer matches the stored record (HTTP 412). */
  'PRECONDITION_FAILED',
  /** An Idempotency-Key reused with another request body (HTTP 422). */
  'IDEMPOTENCY_KEY_REUSED',
  /** An Idempotency-Key whose first request is still being answered (HTTP 409). */
  'IDEMPOTENCY_KEY_IN_USE',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'PROVIDER_UNAVAILABLE',
  'PROVIDER_REJECTED',
  'PROVIDER_BAD_RESPONSE',
  'CIRCUIT_OPEN',
  'TEMPLATE_FAILED',
  'DEPENDENCY_UNAVAILABLE',
  /** Redis could not be reached or cannot serve yet (platform/redis/classify.ts); always retriable. */
  'REDIS_UNAVAILABLE',
  'EXPIRED',
  /** A caller went over its request budget (ingest/middleware/rate-limit.ts); retriable after Retry-After. */
  'RATE_LIMITED',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** One failing field of an input: a dotted path (`filter.tags.0`, `endAt`) and why (VALIDATION_FAILED details). */
export interface FieldProblem {
  path: string;
  message: string;
}

export interface VestnikErrorOptions {
  retriable?: boolean;
  cause?: unknown;
  details?: unknown;
}

export class VestnikError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, options: VestnikErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = 'VestnikError';
    this.code = code;
    this.retriable = options.retriable ?? false;
    this.details = options.details;
  }
}

/** Walks the cause chain; the first VestnikError found decides. Programmer errors never retry. */
export function isRetriable(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current instanceof Error && !seen.has(current)) {
    seen.add(current);
    if (current instanceof VestnikError) return current.retriable;
    if (current instanceof TypeError || current instanceof RangeError) return false;
    current = (current as Error & { cause?: unknown }).cause;
  }
  return false;
}

/** The code of the first VestnikError on the cause chain, or INTERNAL. */
export function errorCode(error: unknown): ErrorCode {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current instanceof Error && !seen.has(current)) {
    seen.add(current);
    if (current instanceof VestnikError) return current.code;
    current = (current as Error & { cause?: unknown }).cause;
  }
  return 'INTERNAL';
}

/** A short, log-safe description of any thrown value. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** Compile-time exhaustiveness for discriminated unions. */
export function assertUnreachable(value: never): never {
  throw new TypeError(`unhandled variant: ${JSON.stringify(value)}`);
}
