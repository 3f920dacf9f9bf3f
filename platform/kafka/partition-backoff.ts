import { ExponentialBackoff, type IBackoff } from 'cockatiel';

export interface RetryPolicy {
  /** First pause after a retriable failure. */
  initialDelayMs: number;
  /** Cap of the exponential growth. */
  maxDelayMs: number;
  /**
   * Attempts of one batch before it is dead-lettered instead. Infinity by default: a retriable error
   * means a dependency is down, and waiting it out loses nothing, while giving up would dead-letter
   * good records.
   */
  maxAttempts: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { initialDelayMs: 200, maxDelayMs: 30_000, maxAttempts: Infinity };

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface PartitionBackoff {
  /** Records one more failed attempt of the partition's batch; returns its number (1 for the first). */
  fail(key: string): number;
  /** Failed attempts so far of the partition's current batch. */
  attempts(key: string): number;
  /** Pauses the partition now and resumes it after the next backoff delay (exponential, jittered, capped). */
  pauseFor(key: string, pause: () => () => void): number;
  /** The batch went through: the next failure starts from the initial delay again. */
  succeed(key: string): void;
  /** Cancels pending resumes (the consumer is stopping). */
  clear(): void;
}

/**
 * Per topic-partition retry state. Pausing the partition instead of sleeping inside the batch lets
 * the other partitions of the same fetch go on, and kafkajs fetches the unresolved records again on
 * resume. Delays come from cockatiel's decorrelated-jitter exponential backoff, so a fleet of
 * consumers hitting the same outage does not retry in lockstep.
 */
export function createPartitionBackoff(policy: RetryPolicy, timers: Timers = realTimers): PartitionBackoff {
  const factory = new ExponentialBackoff({ initialDelay: policy.initialDelayMs, maxDelay: policy.maxDelayMs });
  const state = new Map<string, { attempts: number; backoff: IBackoff<unknown> | null }>();
  const pending = new Map<string, unknown>();

  const entry = (key: string) => state.get(key) ?? { attempts: 0, backoff: null };

  return {
    fail(key) {
      const current = entry(key);
      state.set(key, { ...current, attempts: current.attempts + 1 });
      return current.attempts + 1;
    },
    attempts: (key) => entry(key).attempts,
    pauseFor(key, pause) {
      const current = entry(key);
      const backoff = current.backoff ? current.backoff.next(undefined) : factory.next();
      state.set(key, { ...current, backoff });
      const resume = pause();
      const previous = pending.get(key);
      if (previous !== undefined) timers.clearTimeout(previous);
      pending.set(key, timers.setTimeout(() => {
        pending.delete(key);
        resume();
      }, backoff.duration));
      return backoff.duration;
    },
    succeed(key) {
      state.delete(key);
    },
    clear() {
      for (const handle of pending.values()) timers.clearTimeout(handle);
      pending.clear();
    },
  };
}
