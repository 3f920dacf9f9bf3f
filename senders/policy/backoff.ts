/**
 * Retry delays: exponential growth capped at maxMs, with "full jitter" (a uniform draw below the cap)
 * so that messages failed together by one outage do not come back together and knock it over again.
 */
export interface BackoffOptions {
  /** Cap of the first retry's delay. */
  baseMs: number;
  /** No delay ever exceeds this. */
  maxMs: number;
  /** Uniform in [0, 1), injected so the function stays pure (pass Math.random in production). */
  random: () => number;
}

/** Largest exponent that still fits a double exactly; beyond it the cap is maxMs anyway. */
const MAX_EXPONENT = 52;

/** The upper bound of the delay after `attempt` failed attempts: baseMs · 2^(attempt−1), at most maxMs. */
export function retryDelayCap(attempt: number, options: Pick<BackoffOptions, 'baseMs' | 'maxMs'>): number {
  assertOptions(options);
  const exponent = Math.min(Math.max(Math.floor(attempt), 1) - 1, MAX_EXPONENT);
  return Math.min(options.maxMs, options.baseMs * 2 ** exponent);
}

/**
 * Milliseconds to wait before the next attempt, after `attempt` attempts have failed (1 = the first
 * try failed). A whole number in [0, cap); attempts below 1 count as 1.
 */
export function nextRetryDelay(attempt: number, options: BackoffOptions): number {
  const cap = retryDelayCap(attempt, options);
  const draw = options.random();
  if (!(draw >= 0 && draw < 1)) throw new RangeError(`random() must return a number in [0, 1), got ${draw}`);
  return Math.floor(draw * cap);
}

function assertOptions({ baseMs, maxMs }: Pick<BackoffOptions, 'baseMs' | 'maxMs'>): void {
  if (!(Number.isFinite(baseMs) && baseMs > 0 && Number.isFinite(maxMs) && maxMs >= baseMs)) {
    throw new RangeError(`backoff needs 0 < baseMs <= maxMs, got baseMs=${baseMs} maxMs=${maxMs}`);
  }
}
