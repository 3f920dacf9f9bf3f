/**
 * Rate and ETA of a count polled now and then (a mailing's final deliveries, clients loaded). The rate is
 * taken over a sliding window, not since the start: a mailing that waited for its start or slowed down for
 * a provider outage shows what it does now, and the ETA follows.
 */

export interface RateSample {
  atMs: number;
  value: number;
}

export interface RateMeter {
  /** Records the count at a time; times must not go backwards. */
  add(atMs: number, value: number): void;
  /** Per second over the window; null until two samples span some time. */
  perSecond(): number | null;
}

/** A meter over the last `windowMs` (default 10 s) of samples; the oldest sample inside is kept as the base. */
export function createRateMeter(windowMs = 10_000): RateMeter {
  const samples: RateSample[] = [];
  return {
    add(atMs, value) {
      samples.push({ atMs, value });
      // Keep one sample at or before the window's start, so the window is always fully spanned.
      while (samples.length > 2 && (samples[1] as RateSample).atMs <= atMs - windowMs) samples.shift();
    },
    perSecond() {
      const first = samples[0];
      const last = samples[samples.length - 1];
      if (!first || !last || last.atMs <= first.atMs) return null;
      return Math.max(0, ((last.value - first.value) * 1000) / (last.atMs - first.atMs));
    },
  };
}

/** Milliseconds until `remaining` is done at `perSecond`; null when it cannot be known (no rate, or none left is 0). */
export function etaMs(remaining: number, perSecond: number | null): number | null {
  if (remaining <= 0) return 0;
  if (perSecond === null || perSecond <= 0) return null;
  return (remaining / perSecond) * 1000;
}

/** `42s`, `3m05s`, `2h07m`; `--` when unknown. */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '--';
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/** `1,234/s`, `4.5/s` under 10, `--/s` when unknown. */
export function formatRate(perSecond: number | null): string {
  if (perSecond === null || !Number.isFinite(perSecond)) return '--/s';
  if (perSecond < 10) return `${perSecond.toFixed(1)}/s`;
  return `${formatCount(Math.round(perSecond))}/s`;
}

/** Thousands separated by commas, whatever the machine's locale, so logs read the same everywhere. */
export function formatCount(n: number): string {
  return String(Math.trunc(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
