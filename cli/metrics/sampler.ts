/**
 * A value read from outside (Kafka lag, Redis) when Prometheus scrapes, not on every message. Bounded cost:
 * one read at a time, shared by overlapping scrapes, and none while the last value is younger than
 * `maxAgeMs`. A scrape never waits for a refresh while it has a value younger than `maxStaleMs`: it gets
 * that value and the refresh runs behind it (a lag read asks the broker about every group and topic, which
 * can take longer than a 1 s scrape timeout). A read slower than `timeoutMs` gives up. A failed read
 * answers null (the metric then shows no series rather than a stale number) and is reported to `onError`.
 */
export interface SamplerOptions {
  maxAgeMs: number;
  /** Up to this age a value is served while a refresh runs; default 5 × maxAgeMs. */
  maxStaleMs?: number;
  timeoutMs: number;
  now?: () => number;
  onError?(error: unknown): void;
}

export interface Sampler<T> {
  get(): Promise<T | null>;
}

export function createSampler<T>(read: () => Promise<T>, options: SamplerOptions): Sampler<T> {
  const now = options.now ?? Date.now;
  const maxStaleMs = options.maxStaleMs ?? options.maxAgeMs * 5;
  let cached: { at: number; value: T | null } | null = null;
  let inFlight: Promise<T | null> | null = null;
  const readOnce = async (): Promise<T | null> => {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`sample not read within ${options.timeoutMs} ms`)), options.timeoutMs);
        timer.unref();
      });
      return await Promise.race([read(), timeout]);
    } catch (error) {
      options.onError?.(error);
      return null;
    } finally {
      clearTimeout(timer);
    }
  };
  const refresh = (): Promise<T | null> => {
    inFlight ??= readOnce().then((value) => {
      cached = { at: now(), value };
      inFlight = null;
      return value;
    });
    return inFlight;
  };
  return {
    get() {
      const age = cached ? now() - cached.at : Infinity;
      if (cached && age < options.maxAgeMs) return Promise.resolve(cached.value);
      const refreshing = refresh();
      if (cached && cached.value !== null && age < maxStaleMs) return Promise.resolve(cached.value);
      return refreshing;
    },
  };
}
